# The README's two commands are `make dev` and `make test`.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
ADDR ?= 127.0.0.1:8080
DATA ?= data
CORPUS ?= /tmp/onewindow-corpus
# make eval scores every folder named here (space-separated), e.g. corpora in other fonts.
CORPORA ?= $(CORPUS)

.PHONY: setup dev test faults build image check-deploy bench eval clean

# A release names itself: `onewindow version`, onewindow_build_info on /metrics and the
# operators' page show these, also in builds without VCS stamping (-buildvcs=false).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X onewindow/internal/metrics.Version=$(VERSION) -X onewindow/internal/metrics.Revision=$(REVISION)

setup:
	scripts/setup.sh

build:
	go build -ldflags "$(LDFLAGS)" -o bin/onewindow ./cmd/onewindow

dev: setup build
	bin/onewindow dev --addr $(ADDR) --data-dir $(DATA)

test:
	scripts/test.sh
	scripts/check-deploy.sh

# The container image, with the same version and revision (docs/DEPLOYMENT.md, "Packages").
image:
	docker build -f deploy/container/Dockerfile --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t onewindow:$(VERSION) .

# The packages for halls (deploy/): units, image, Compose file and chart, checked offline with
# whatever of the tools is at hand (helm is built into .tools once).
check-deploy:
	scripts/check-deploy.sh

# The whole fault suite (make test runs its short version): serve and two work processes
# against their own Redis and MinIO, killed and cut off mid-batch; prints what it measured.
faults: setup
	ONEWINDOW_FAULTS=full go test -count=1 -timeout 60m -run '^TestFaults$$' -v ./cmd/onewindow

bench:
	ONEWINDOW_SETUP_CORPUS=1 scripts/setup.sh
	scripts/bench.sh $(CORPUS)

eval:
	ONEWINDOW_SETUP_CORPUS=1 scripts/setup.sh
	scripts/eval.sh $(CORPORA)

clean:
	rm -rf bin
