#!/usr/bin/env bash
# Checks the packages for halls (deploy/) offline, with what the machine has; a check whose
# tool is missing says SKIP. make test runs it after the Go tests.
#  - systemd units: systemd-analyze verify, and an exposure of 2.0 or less (security --offline;
#    its --threshold counts tenths)
#  - the Helm chart: helm lint --strict, helm template with each autoscaling choice, and every
#    rendered object decoded strictly into its Kubernetes API type (deploy/check)
#  - the Compose file: loaded and checked against the Compose specification (deploy/check)
#  - the Dockerfile: parsed as BuildKit does (deploy/check); built too when
#    ONEWINDOW_DOCKER_BUILD=1 and a Docker daemon answers (it fetches Debian packages)
# helm is built once from its Go module into .tools/helm-VERSION, deploy/check into
# .tools/deploy-check-HASH (seconds when the Go build cache is warm, minutes when cold).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
HELM_VERSION=v4.3.2
tools="$PWD/.tools"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "check-deploy: FAIL $*" >&2; failed=1; }
skip() { echo "check-deploy: SKIP $*"; }
ok() { echo "check-deploy: ok   $*"; }

# systemd: the units as installed, the binary's path pointed at a stand-in.
if command -v systemd-analyze >/dev/null 2>&1; then
	units="$tmp/units"
	mkdir -p "$units"
	cp /bin/true "$units/onewindow"
	for f in deploy/systemd/*.service deploy/systemd/*.timer; do
		sed "s|/usr/bin/onewindow|$units/onewindow|g" "$f" >"$units/$(basename "$f")"
	done
	for t in onewindow-watch@ onewindow-health@ onewindow-restart@; do
		for k in service timer; do
			[[ -f "$units/$t.$k" ]] && cp "$units/$t.$k" "$units/${t}serve.$k"
		done
	done
	(
		cd "$units"
		out=$(systemd-analyze verify --man=no onewindow-serve.service onewindow-work.service onewindow-watch@serve.service \
			onewindow-health@serve.service onewindow-health@serve.timer onewindow-restart@serve.service 2>&1)
		if [[ -n "$out" ]]; then echo "$out" >&2; exit 1; fi
	) && ok "systemd-analyze verify: 6 units" || fail "systemd-analyze verify"
	for u in onewindow-serve.service onewindow-work.service onewindow-watch@serve.service onewindow-health@serve.service; do
		if score=$(cd "$units" && systemd-analyze security --offline=yes --threshold=20 "$u" 2>&1 | grep 'Overall exposure'); then
			ok "$score"
		else
			fail "$u: exposure above 2.0: $(cd "$units" && systemd-analyze security --offline=yes "$u" 2>&1 | tail -1)"
		fi
	done
else
	skip "systemd units: no systemd-analyze"
fi

# The validator of the rendered manifests, the Compose file and the Dockerfile.
hash=$(cat deploy/check/go.mod deploy/check/go.sum deploy/check/*.go | sha256sum | cut -c1-12)
check="$tools/deploy-check-$hash"
if [[ ! -x "$check" ]]; then
	echo "check-deploy: building deploy/check"
	mkdir -p "$tools"
	rm -f "$tools"/deploy-check-*
	# Its own tests first: a checker that finds nothing proves nothing.
	if go test -C deploy/check -count=1 . >"$tmp/test" 2>&1; then
		go build -C deploy/check -o "$check" . || { skip "deploy/check does not build here (its modules?)"; check=""; }
	elif grep -q -- '--- FAIL' "$tmp/test"; then
		cat "$tmp/test" >&2
		fail "deploy/check's tests"
		check=""
	else
		cat "$tmp/test" >&2
		skip "deploy/check does not build here (its modules?)"
		check=""
	fi
fi

helm="$tools/helm-$HELM_VERSION/helm"
if [[ ! -x "$helm" ]]; then
	echo "check-deploy: building helm $HELM_VERSION into .tools (once)"
	(cd "$tmp" && GOBIN="$(dirname "$helm")" GOFLAGS=-mod=mod go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION") ||
		skip "helm does not build here (the Go module proxy?)"
fi
chart=deploy/helm/onewindow
if [[ -x "$helm" ]]; then
	"$helm" lint --strict "$chart" >"$tmp/lint" 2>&1 && ok "helm lint --strict" || { cat "$tmp/lint" >&2; fail "helm lint"; }
	i=0
	while read -r name sets; do
		i=$((i + 1))
		args=()
		for s in $sets; do args+=(--set "$s"); done
		if "$helm" template hall "$chart" "${args[@]}" >"$tmp/rendered-$i.yaml" 2>"$tmp/err"; then
			if [[ -n "$check" ]]; then
				"$check" -manifests "$tmp/rendered-$i.yaml" >/dev/null && ok "chart, $name: every object decodes" || fail "chart, $name"
			else
				ok "helm template, $name"
			fi
		else
			cat "$tmp/err" >&2
			fail "helm template, $name"
		fi
	done <<-'VALUES'
		defaults(KEDA-on-Prometheus)
		KEDA-on-Redis autoscaling.work.keda.trigger=redis autoscaling.work.keda.redisPasswordKey=redis-password tokensFile=true notifySecret=true
		HPA autoscaling.work.mode=hpa autoscaling.serve.enabled=true serve.persistence.enabled=false
		fixed autoscaling.work.mode=none
	VALUES
	if "$helm" template hall "$chart" --set autoscaling.work.mode=bogus >/dev/null 2>&1; then
		fail "the chart takes an unknown autoscaling.work.mode"
	else
		ok "the chart refuses an unknown autoscaling.work.mode"
	fi
else
	skip "the chart: no helm"
fi

if [[ -n "$check" ]]; then
	"$check" -compose deploy/compose/compose.yaml -dockerfile deploy/container/Dockerfile >/dev/null &&
		ok "Compose file and Dockerfile" || fail "Compose file or Dockerfile"
fi

if [[ "${ONEWINDOW_DOCKER_BUILD:-}" == 1 ]]; then
	if docker info >/dev/null 2>&1; then
		docker build -f deploy/container/Dockerfile --build-arg VERSION="$(git describe --tags --always --dirty)" \
			--build-arg REVISION="$(git rev-parse HEAD)" -t onewindow:check . && ok "docker build" || fail "docker build"
	else
		skip "docker build: no Docker daemon answers"
	fi
fi

if ((failed)); then
	echo "check-deploy: failed" >&2
	exit 1
fi
echo "check-deploy: done"
