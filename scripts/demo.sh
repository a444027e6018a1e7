#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs `tcpscope lab` — the
# article's ping/pong experiment in two network namespaces, captured, printed like
# `tcpdump -S -nn -vvv`, explained, with the kernel's own TCP states beside the
# inferred ones. Needs root; without it the lab says so and explains the article's
# bundled capture instead. Extra arguments go to `tcpscope lab` (e.g. `reset --lang zh`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
exec "${BUILD_DIR:-build}/tcpscope" lab "$@"
