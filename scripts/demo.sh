#!/usr/bin/env bash
# The main job: installs what is needed, builds, and prints the article's capture
# exactly as `tcpdump -S -nn -vvv` does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
exec "${BUILD_DIR:-build}/tcpscope" -S -nn -vvv -r examples/article.pcap
