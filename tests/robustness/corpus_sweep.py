#!/usr/bin/env python3
"""Every capture of ../shared/corpus through tcpscope, checked for clean behaviour.

Usage: corpus_sweep.py TCPSCOPE_BINARY CORPUS_DIR

For each capture (tcpdump's and Zeek's, TCP or not, pcap and pcapng) it runs:
  print with several tcpdump option sets, conns in every format, and, when the binary
  has them, explain and diagram --format html;
and asserts: no death by signal, exit status 0 or a clean 1 whose stderr says
"tcpscope", no sanitizer report on stderr (run it with the ASan+UBSan binary to make
that meaningful), and, for `print -nn`, that every packet where tcpdump 4.99.3 prints a
truncation or malformation marker ("[|tcp]", "[|ip]", "[bad opt]", "[bad hdr length ...]",
"[Invalid header: ...]") has the same marker in tcpscope's text for that packet.
Exit status: 0 pass, 1 fail, 77 skip (a visible SKIP line says why; under CI=true a
missing corpus is a failure).
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

TIMEOUT = 300
PRINT_OPTION_SETS = [
    ["-nn"],
    ["-nn", "-S", "-vvv", "-e", "-#"],
    ["-nn", "-q", "-tttt", "-X"],
    ["-n", "-v", "-x", "-K", "-ttt", "--nano"],
]
CONNS_FORMATS = ["table", "json", "ndjson", "zeek"]
SANITIZER_REPORT = re.compile(rb"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error: |SUMMARY: \w+Sanitizer")
# tcpdump's truncation markers for the layers tcpscope decodes (application protocols
# such as "[|krb]" are printed as plain payload by tcpscope, see README).
MARKER = re.compile(r"\[\|(?:tcp|mptcp|ip|ip6|ether|llc|vlan|sll|sll2|udp|gre|vxlan|geneve|mpls|arp|ppp|icmp|icmp6|"
                    r"null|loopback|hopopt|dstopt|srcrt|frag|ah|ipcomp)\]|\[bad opt\]|\[bad hdr length \d+[^]]*\]"
                    r"|\[invalid cksum[^]]*\]|\[Invalid header:[^]]*\]")
NUMBERED = re.compile(r"^ *(\d+)  ")
ENV = dict(os.environ, TZ="UTC", LC_ALL="C")


def has_subcommand(binary, name):
    r = subprocess.run([binary, name, "--help"], capture_output=True, timeout=60, env=ENV)
    return r.returncode == 0 and name.encode() in r.stdout + r.stderr


def run_one(argv):
    try:
        r = subprocess.run(argv, capture_output=True, timeout=TIMEOUT, env=ENV)
    except subprocess.TimeoutExpired:
        return argv, None, f"timed out after {TIMEOUT} s (hang?)"
    problems = []
    if r.returncode < 0:
        problems.append(f"killed by signal {-r.returncode}")
    elif r.returncode not in (0, 1):
        problems.append(f"exit status {r.returncode}")
    elif r.returncode == 1 and b"tcpscope" not in r.stderr:
        problems.append("exit status 1 without a 'tcpscope:' message")
    if SANITIZER_REPORT.search(r.stderr):
        problems.append("sanitizer report:\n" + r.stderr.decode(errors="replace")[-3000:])
    return argv, r, "; ".join(problems)


def numbered_lines(text):
    """{packet number: its text (continuation lines joined)} from -# output."""
    packets, current = {}, None
    for line in text.splitlines():
        m = NUMBERED.match(line)
        if m:
            current = int(m.group(1))
            packets[current] = line
        elif current is not None:
            packets[current] += "\n" + line
    return packets


def marker_problems(binary, capture):
    """Packets where tcpdump prints a truncation marker that tcpscope's text lacks."""
    argv = ["-#", "-nn", "-r", capture]
    theirs = subprocess.run(["tcpdump", *argv], capture_output=True, timeout=TIMEOUT, env=ENV)
    ours = subprocess.run([binary, *argv], capture_output=True, timeout=TIMEOUT, env=ENV)
    t_packets = numbered_lines(theirs.stdout.decode(errors="replace"))
    o_packets = numbered_lines(ours.stdout.decode(errors="replace"))
    missing, markers = [], 0
    for number, text in t_packets.items():
        for m in MARKER.findall(text):
            markers += 1
            mine = o_packets.get(number, "<missing>")
            if m not in mine:
                missing.append(f"packet {number}: tcpdump has {m}: {text[:160]!r}; tcpscope: {mine[:160]!r}")
    return markers, missing


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, corpus = sys.argv[1], sys.argv[2]
    missing = testlib.missing_corpus_exit(corpus)
    if missing is not None:
        return missing
    files = testlib.corpus_captures(corpus)
    if not files:
        print(f"FAIL: no captures found under {corpus}")
        return 1
    extra = []
    with tempfile.TemporaryDirectory() as tmp:
        if has_subcommand(binary, "explain"):
            extra.append(lambda c: [binary, "explain", "-r", c, "--color", "never"])
            extra.append(lambda c: [binary, "explain", "-r", c, "--lang", "zh", "--format", "json"])
        else:
            print("note: this binary has no 'explain' subcommand yet: not swept")
        if has_subcommand(binary, "diagram"):
            extra.append(lambda c: [binary, "diagram", "-r", c, "--format", "html", "-o",
                                    os.path.join(tmp, os.path.basename(c) + ".html")])
        else:
            print("note: this binary has no 'diagram' subcommand yet: not swept")
        jobs = []
        for c in files:
            jobs += [[binary, *opts, "-r", c] for opts in PRINT_OPTION_SETS]
            jobs += [[binary, "conns", "-r", c, "--format", f] for f in CONNS_FORMATS]
            jobs += [make(c) for make in extra]
        failures, exit_one = [], 0
        workers = max(2, os.cpu_count() or 2)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            for argv, result, problem in pool.map(run_one, jobs):
                if problem:
                    failures.append(f"{' '.join(argv)}: {problem}")
                elif result.returncode == 1:
                    exit_one += 1
        markers_checked, marker_failures = 0, []
        if shutil.which("tcpdump"):
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                for c, (n, missing) in zip(files, pool.map(lambda c: marker_problems(binary, c), files)):
                    markers_checked += n
                    marker_failures += [f"{os.path.basename(c)}: {m}" for m in missing]
        elif os.environ.get("CI", "").lower() == "true":
            failures.append("tcpdump is not installed (CI=true): truncation markers not checked")
        else:
            print("note: tcpdump is not installed: truncation markers not checked")
    print(f"{len(files)} captures, {len(jobs)} runs, {exit_one} ended with a clean 'tcpscope:' error (exit 1); "
          f"{markers_checked} tcpdump truncation markers checked, {len(marker_failures)} missing")
    for f in failures[:40] + marker_failures[:40]:
        print("FAIL:", f)
    bad = len(failures) + len(marker_failures)
    print(f"{len(jobs) + len(files) - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
