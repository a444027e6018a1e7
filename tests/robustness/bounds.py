#!/usr/bin/env python3
"""Resource bounds of `tcpscope conns` on generated worst cases (memory, not time).

Usage: bounds.py TCPSCOPE_BINARY CASE      CASE: syn_flood | retransmissions | per_connection

syn_flood:       1,000,000 SYNs from distinct 4-tuples through `conns --max-conns 100000`:
                 peak RSS (getrusage of the child) stays under SYN_FLOOD_RSS_CAP_MB, the
                 tracker never holds more than 100,000 connections, and the 900,000
                 evictions are counted and reported on stderr.
retransmissions: one connection whose 100-byte segment is retransmitted 1,000,000
                 times: peak RSS stays under RETRANSMISSIONS_RSS_CAP_MB (no per-segment
                 growth without a timeline), and the same at a quarter of the size, so
                 memory does not grow with the segment count.
per_connection:  100,000 and 200,000 connections open at once (handshake, request, answer;
                 none ends) through `conns`: the peak RSS difference / 100,000 (what one more
                 tracked connection costs) stays under PER_CONNECTION_CAP_BYTES (issue 3 asks
                 for <= 512 bytes measured on 1,000,000; bench/conns.sh measures that). Two
                 sizes, not one and a baseline: a child's ru_maxrss starts at the forking
                 Python's RSS, which would hide a small run's own.
The captures are generated into a temporary directory (gen_capture.py). Run it with
the normal build: ASan's shadow memory would make the caps meaningless.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOD = 1_000_000
MAX_CONNS = 100_000
# Measured on the RelWithDebInfo build (2 cores): 101 MiB for the flood, 5.7 MiB for the
# retransmissions. The caps leave about 2.5x and 5x headroom and stay far below what an
# unbounded table of 1M connections takes.
SYN_FLOOD_RSS_CAP_MB = 256
RETRANSMISSIONS_RSS_CAP_MB = 32
# Measured 351 bytes per connection (1004 before the compact layout of 2026-11-25, then
# 752, 631, 484, 397-400 and 365-369; 352 by bench/scale.sh's method at 1,000,000) from
# 50,000 to 100,000 connections; since mem5 (2026-11-26: a 288-byte connection in a 296-byte
# slot, the timer heap given back before the final flush) 338 from 100,000 to 200,000, where
# the layout before it measures 385 (and 330 against 334-336 from 50,000 to 100,000: too close
# to tell apart, so the sizes moved; 326 bytes by bench/scale.sh's method). The cap catches
# a regression of about 2 % and fails the layout before mem5. With conns7's pread reader
# (a few MiB of ring instead of mmap windows in the RSS) merged: 325-327. Since mem6
# (2026-11-26: a 276-byte connection in a 280-byte slot, 8-byte timer heap entries, the flow
# table given back before the final flush) 289-297, where the layout before it measures 325:
# the cap, 310, fails that layout. mem7 (2026-11-27: 4-byte flow-table entries, a 272-byte
# connection; 293 bytes by bench/scale.sh's method against 305) measures 304-305 here against
# mem6's 297-298 (three runs each): its peak RSS is lower at both sizes (44.2 / 73.2 MiB
# against 46.7 / 75.1) but by less at 200,000, so the cap stays 310.
CONCURRENT = (100_000, 200_000)
PER_CONNECTION_CAP_BYTES = 310


def generate(kind, n, path):
    subprocess.run([sys.executable, os.path.join(HERE, "gen_capture.py"), kind, str(n), path], check=True)


def run_measured(argv):
    """Runs argv with stdout discarded; returns (exit status, stderr text, peak RSS in MiB)."""
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as null:
        proc = subprocess.Popen(argv, stdout=null, stderr=err, env=dict(os.environ, TZ="UTC", LC_ALL="C"))
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, err.read().decode(errors="replace"), usage.ru_maxrss / 1024.0


def check(cond, message):
    if not cond:
        print(f"FAIL: {message}")
        sys.exit(1)


def case_syn_flood(binary, tmp):
    capture = os.path.join(tmp, "syn-flood.pcap")
    generate("syn-flood", FLOOD, capture)
    rc, err, rss = run_measured([binary, "conns", "-r", capture, "--max-conns", str(MAX_CONNS), "--format",
                                 "ndjson", "--stats"])
    print(f"syn flood: {FLOOD} SYNs, --max-conns {MAX_CONNS}: exit {rc}, peak RSS {rss:.1f} MiB "
          f"(cap {SYN_FLOOD_RSS_CAP_MB} MiB)\n  {err.strip()}")
    check(rc == 0, f"exit status {rc}: {err}")
    m = re.search(r"(\d+) connections, \d+ port reuses, (\d+) evicted \(max-conns\), peak (\d+) tracked", err)
    check(m is not None, f"no statistics line on stderr: {err!r}")
    created, evicted, peak = map(int, m.groups())
    check(created == FLOOD, f"{created} connections created, expected {FLOOD}")
    check(peak <= MAX_CONNS, f"peak {peak} tracked connections exceeds --max-conns {MAX_CONNS}")
    check(evicted >= FLOOD - MAX_CONNS, f"{evicted} evictions reported, expected at least {FLOOD - MAX_CONNS}")
    check(rss < SYN_FLOOD_RSS_CAP_MB, f"peak RSS {rss:.1f} MiB over the cap of {SYN_FLOOD_RSS_CAP_MB} MiB")
    # Without --stats the evictions are still reported.
    rc, err, _ = run_measured([binary, "conns", "-r", capture, "--max-conns", str(MAX_CONNS)])
    check(rc == 0 and re.search(r"\b\d+ connections evicted", err), f"evictions not reported without --stats: {err!r}")


def case_retransmissions(binary, tmp):
    results = []
    for n in (FLOOD // 4, FLOOD):
        capture = os.path.join(tmp, f"retransmissions-{n}.pcap")
        generate("retransmissions", n, capture)
        rc, err, rss = run_measured([binary, "conns", "-r", capture, "--format", "json", "--stats"])
        print(f"retransmissions: 1 connection, {n} retransmitted segments: exit {rc}, peak RSS {rss:.1f} MiB "
              f"(cap {RETRANSMISSIONS_RSS_CAP_MB} MiB)\n  {err.strip()}")
        check(rc == 0, f"exit status {rc}: {err}")
        check(f"{n + 3} packets" in err and "1 connections" in err, f"unexpected statistics: {err!r}")
        check(rss < RETRANSMISSIONS_RSS_CAP_MB, f"peak RSS {rss:.1f} MiB over the cap {RETRANSMISSIONS_RSS_CAP_MB} MiB")
        results.append(rss)
        os.unlink(capture)
    # Memory must not scale with the number of segments: 4x the segments, at most 8 MiB more.
    check(results[1] - results[0] < 8, f"peak RSS grew from {results[0]:.1f} to {results[1]:.1f} MiB with 4x segments")


def case_per_connection(binary, tmp):
    rss = {}
    for n in CONCURRENT:
        capture = os.path.join(tmp, f"concurrent-{n}.pcap")
        generate("concurrent", n, capture)
        rc, err, rss[n] = run_measured([binary, "conns", "-r", capture, "--format", "ndjson", "--stats"])
        check(rc == 0, f"exit status {rc}: {err}")
        check(f"{n} connections" in err and f"peak {n} tracked" in err, f"unexpected statistics: {err!r}")
    small, large = CONCURRENT
    per_connection = (rss[large] - rss[small]) * 1024 * 1024 / (large - small)
    print(f"per connection: peak RSS {rss[small]:.1f} MiB with {small} concurrent connections, "
          f"{rss[large]:.1f} MiB with {large}: {per_connection:.0f} bytes per connection "
          f"(cap {PER_CONNECTION_CAP_BYTES})")
    check(per_connection <= PER_CONNECTION_CAP_BYTES,
          f"{per_connection:.0f} bytes per tracked connection, over the cap of {PER_CONNECTION_CAP_BYTES}")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("syn_flood", "retransmissions", "per_connection"):
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        globals()[f"case_{sys.argv[2]}"](sys.argv[1], tmp)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
