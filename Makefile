# The README's two commands are `make dev` and `make test`.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
ADDR ?= 127.0.0.1:8080
DATA ?= data
CORPUS ?= /tmp/onewindow-corpus
# make eval scores every folder named here (space-separated), e.g. corpora in other fonts.
CORPORA ?= $(CORPUS)

.PHONY: setup dev test faults build bench eval clean

setup:
	scripts/setup.sh

build:
	go build -o bin/onewindow ./cmd/onewindow

dev: setup
	bin/onewindow dev --addr $(ADDR) --data-dir $(DATA)

test:
	scripts/test.sh

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
