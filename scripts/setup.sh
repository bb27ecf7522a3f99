#!/usr/bin/env bash
# Installs what onewindow needs on Debian 12, idempotently: Debian packages, the MinIO server
# and client (built from source into .tools/bin, a few minutes the first time) and the Go modules.
set -euo pipefail
cd "$(dirname "$0")/.."

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
# MinIO's client, for bucket replication to a second MinIO (scripts/replicate.sh) and the drill
# that rehearses losing a site (docs/OPERATIONS.md).
MC_VERSION=v0.0.0-20250313080218-cf909e1063a9
APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng libtesseract-dev libleptonica-dev
  redis-server poppler-utils qpdf fonts-wqy-zenhei fonts-droid-fallback fonts-noto-cjk chromium pkg-config gcc g++ git ca-certificates
  nodejs
  libtiff-tools # tiffcp, tiff2rgba: the TIFFs x/image/tiff cannot read (JPEG-in-TIFF, BigTIFF, LZMA, CMYK)
  softhsm2 openssl # a PKCS#11 token in software, the signing tests' stand-in for a hall's HSM; openssl cms checks signed bags
  # PDFBox Preflight, a PDF/A validator the PDF/A tests ask for a second opinion, and the
  # Java runtime and libraries it needs.
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java
)
# bagit-python, the bag tests' second opinion, where the Debian release packages it (12 does not).
if apt-cache show python3-bagit >/dev/null 2>&1; then APT_PACKAGES+=(python3-bagit); fi
# Extra packages for `make bench` and `make eval`, which generate a corpus with Python, and
# fonts the project is not tuned on, for corpora in faces it has not seen.
if [[ "${ONEWINDOW_SETUP_CORPUS:-}" == 1 ]]; then
  APT_PACKAGES+=(python3 python3-pil python3-qrcode fonts-arphic-uming fonts-arphic-ukai)
fi

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -q
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The OpenAPI lint test runs a pinned Redocly CLI through npx. Debian 12's nodejs comes
# without npm; a machine whose Node.js already brings npx keeps it.
if ! command -v npx >/dev/null 2>&1; then
  echo "setup: installing npm"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
fi

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "setup: Go 1.26 or newer is needed (https://go.dev/doc/install); Debian 12's golang package is too old." >&2
  exit 1
fi

if [[ ! -x .tools/bin/minio ]]; then
  echo "setup: building the MinIO server $MINIO_VERSION into .tools/bin (a few minutes, once)"
  mkdir -p .tools/bin
  # Built outside the module so its dependencies stay out of our go.mod.
  (cd /tmp && GOBIN="$OLDPWD/.tools/bin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION")
fi
if [[ ! -x .tools/bin/mc ]]; then
  echo "setup: building MinIO's client mc $MC_VERSION into .tools/bin (a few minutes, once)"
  (cd /tmp && GOBIN="$OLDPWD/.tools/bin" GOFLAGS=-mod=mod go install "github.com/minio/mc@$MC_VERSION")
fi

go mod download
mkdir -p bin
go build -o bin/onewindow ./cmd/onewindow
echo "setup: ready (bin/onewindow, .tools/bin/minio, .tools/bin/mc)"
