#!/usr/bin/env python3
"""Same output, byte for byte, whatever reading path or thread count tcpscope takes.

Usage: same_output.py TCPSCOPE_BINARY CORPUS_DIR

Every capture of the corpus (tcpdump's and Zeek's, pcap and pcapng, damaged ones
included) goes through several print option sets (with a BPF filter, -c and --skip
among them), `conns --format ndjson` and `explain`, under each variant below; stdout,
stderr and the exit status must equal the reference variant's. (The print engineer's
tests/capture/reader_equivalence.py covers plain print through the two readers on the
corpus and on hand-damaged files; this test adds the subcommands, whose tracking and
rendering the thread switch splits too, more print options, and standard input.)

  reference   the file read with the slow path: the environment switches of SLOW_PATH
              set (libpcap reader, one thread) when this binary has them;
  default     the file read as a user runs it (the fast paths, the default thread count);
  stdin       the same file on standard input ("-r -", which cannot be mapped: libpcap
              reads it); file names in messages are the only allowed difference.

A switch counts as present when the binary holds its variable's name (it reads it with
getenv). Without any switch, `reference` and `default` are the same run, so only the
stdin variant is compared and the test says so; if the stdin variant is unavailable too
the test skips visibly.

Exit status: 0 pass, 1 fail, 77 skip (a SKIP line says why; under CI=true a missing
corpus is a failure).
"""
import concurrent.futures
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

TIMEOUT = 300
# The slow path's switches: (environment variable, value that selects the slow path).
SLOW_PATH = [
    ("TCPSCOPE_READER", "libpcap"),  # print engineer's reader switch: libpcap instead of the record reader
    ("TCPSCOPE_THREADS", "1"),       # print engineer's thread switch: no reader/decoder thread
]
PRINT_OPTION_SETS = [
    ["-S", "-nn", "-vvv", "-e", "-#"],
    ["-nn", "-x", "--nano"],
    ["-nn", "-c", "3", "--skip", "1"],
    ["-nn", "-v", "tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin) != 0 or ip6)"],
]
SUBCOMMANDS = [
    ["conns", "--format", "ndjson"],
    ["explain", "--color", "never"],
]
BASE_ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
for name, _ in SLOW_PATH:
    BASE_ENV.pop(name, None)


def present_switches(binary):
    with open(binary, "rb") as f:
        image = f.read()
    return [(name, value) for name, value in SLOW_PATH if name.encode() in image]


def run(argv, env, stdin_path=None):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        r = subprocess.run(argv, stdin=stdin, capture_output=True, timeout=TIMEOUT, env=env)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""
    finally:
        if stdin_path:
            stdin.close()


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
        if x != y:
            return f"line {i + 1}: {x[:200]!r} vs {y[:200]!r}"
    return f"one output is a prefix of the other ({len(a)} vs {len(b)} bytes)"


def compare_one(job):
    binary, capture, args, variants = job
    argv_for = lambda path: [binary, *args[:1], "-r", path, *args[1:]] if args[0] in ("conns", "explain") \
        else [binary, "-r", path, *args]
    results = {}
    for name, env, via_stdin in variants:
        argv = argv_for("-" if via_stdin else capture)
        status, out, err = run(argv, env, capture if via_stdin else None)
        # Messages name the file; on standard input they name "-". That is the only
        # difference allowed, so both spellings become "<capture>".
        err = err.replace(capture.encode(), b"<capture>")
        if via_stdin:
            err = err.replace(b"reading from file -,", b"reading from file <capture>,").replace(b" -: ", b" <capture>: ")
        results[name] = (status, out, err)
    problems = []
    ref_name = variants[0][0]
    ref = results[ref_name]
    if ref[0] == "timeout" or (isinstance(ref[0], int) and ref[0] < 0):
        problems.append(f"{ref_name}: {ref[0]}")
    for name, _, _ in variants[1:]:
        got = results[name]
        what = " ".join(args)
        if got[0] != ref[0]:
            problems.append(f"{what}: exit status {got[0]} ({name}) vs {ref[0]} ({ref_name})")
        if got[1] != ref[1]:
            problems.append(f"{what}: stdout differs ({name} vs {ref_name}): {first_difference(got[1], ref[1])}")
        if got[2] != ref[2]:
            problems.append(f"{what}: stderr differs ({name} vs {ref_name}): {first_difference(got[2], ref[2])}")
    return capture, problems


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
    switches = present_switches(binary)
    slow_env = dict(BASE_ENV, **dict(switches))
    variants = [("reference", slow_env, False)]
    if switches:
        print("slow path: " + ", ".join(f"{n}={v}" for n, v in switches) + "; compared with the default paths")
        variants.append(("default", BASE_ENV, False))
    missing = [n for n, _ in SLOW_PATH if n not in dict(switches)]
    if missing:
        print(f"note: this binary has no {', '.join(missing)} switch yet: that path is not compared")
    variants.append(("stdin", BASE_ENV, True))
    jobs = [(binary, c, args, variants) for c in files for args in PRINT_OPTION_SETS + SUBCOMMANDS]
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as pool:
        for capture, problems in pool.map(compare_one, jobs):
            failures += [f"{os.path.relpath(capture, corpus)}: {p}" for p in problems]
    runs = len(jobs) * len(variants)
    print(f"{len(files)} captures, {len(jobs)} command lines, {runs} runs in {len(variants)} variants "
          f"({', '.join(v[0] for v in variants)}); {len(failures)} differences")
    for f in failures[:60]:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
