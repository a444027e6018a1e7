#!/usr/bin/env bash
# Installs the Debian packages tcpscope needs to build, test and benchmark.
# Idempotent and quick when everything is already there. Needs root (apt-get).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libpcap-dev libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3
  tcpdump tshark            # reference tools for the golden tests
  iproute2 nftables         # network namespaces and packet drops for end-to-end tests
  clang-format
  man-db groff-base dpkg-dev fakeroot   # man page checks; the .deb (cpack, dpkg-shlibdeps)
  bash-completion zsh                   # completion tests
  clang libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for tests/fuzz
  chromium                  # headless browser test of the HTML report (tests/browser)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
