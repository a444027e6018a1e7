#!/usr/bin/env python3
"""Robustness of the endpoint-state inference on every capture of ../shared/corpus
(tcpdump's and Zeek's test captures: many link types, truncated and malformed
packets, one-sided and mid-stream connections).

For each capture, inference_dump must exit normally (0, or 1 for a damaged file
it reported), and its output must be well formed: every segment line names two
RFC states with a confidence and one phase, every connection has exactly one
`end` line with a close kind, and a connection's phases never go backwards.
Exit 0 when all captures pass, 1 otherwise, 77 (skip) without the corpus unless
CI=true.
"""
import argparse
import glob
import os
import subprocess
import sys

STATES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
          "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
CONFIDENCE = {"observed", "inferred", "assumed"}
PHASES = ["handshake", "data_transfer", "teardown", "reset"]


def check_output(text):
    segs, ends, last_phase = {}, {}, {}
    for line in text.splitlines():
        p = line.split()
        if not p:
            continue
        if p[0] == "seg":
            conn = p[1]
            for endpoint in (p[5], p[6]):
                state, _, conf = endpoint.partition("/")
                if state not in STATES or conf not in CONFIDENCE:
                    return f"bad endpoint {endpoint!r} in: {line}"
            if p[7] not in PHASES:
                return f"bad phase in: {line}"
            index = PHASES.index(p[7])
            if index < last_phase.get(conn, 0):
                return f"phase went backwards in: {line}"
            last_phase[conn] = index
            segs[conn] = segs.get(conn, 0) + 1
        elif p[0] == "end":
            if p[1] in ends:
                return f"two end lines for connection {p[1]}"
            ends[p[1]] = p[4]
            if not p[4].startswith("kind=") or p[4] == "kind=?":
                return f"bad close kind in: {line}"
    if set(segs) != set(ends):
        return f"connections with segments {sorted(segs)} but end lines {sorted(ends)}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--corpus", required=True, help="path to shared/corpus")
    args = ap.parse_args()
    files = sorted(f for pattern in ("**/*.pcap", "**/*.pcapng", "**/*.trace", "**/*.cap")
                   for f in glob.glob(os.path.join(args.corpus, pattern), recursive=True))
    if not files:
        if os.environ.get("CI") == "true":
            print(f"FAIL: no captures under {args.corpus} (CI=true)")
            return 1
        print(f"SKIP: no captures under {args.corpus}")
        return 77
    failures, segments, connections = [], 0, 0
    for f in files:
        try:
            out = subprocess.run([args.dump, f], capture_output=True, text=True, timeout=120, errors="replace")
        except subprocess.TimeoutExpired:
            failures.append(f"{f}: timed out")
            continue
        if out.returncode not in (0, 1) or (out.returncode == 1 and not out.stderr.strip()):
            failures.append(f"{f}: exit {out.returncode} {out.stderr.strip()[:200]}")
            continue
        problem = check_output(out.stdout)
        if problem:
            failures.append(f"{f}: {problem}")
        segments += out.stdout.count("\nseg ") + out.stdout.startswith("seg ")
        connections += out.stdout.count("\nend ")
    print(f"inference over the corpus: {len(files)} captures, {connections} connections, {segments} segments, "
          f"{len(failures)} failures")
    for fail in failures:
        print(f"  FAIL {fail}")
    if connections == 0:
        print("  FAIL no connection at all: the corpus holds TCP, so the decoder or the dump is not working")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
