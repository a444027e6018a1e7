"""What the Python test scripts share: the reference corpus (found, or a visible skip, or
a failure under CI=true), the SKIP/FAIL/PASS case runner with its exit statuses, and a
tcpdump recording of loopback traffic.

A script in tests/<area>/ imports it with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import testlib

Exit statuses follow CTest's convention here: 0 pass, 1 fail, 77 skip (SKIP_RETURN_CODE).
"""
import os
import signal
import subprocess
import sys
import time

EXIT_PASS, EXIT_FAIL, EXIT_SKIP = 0, 1, 77
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".trace")


class Skip(Exception):
    """The test cannot run here; the message says why (printed as 'SKIP: ...')."""


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def require_corpus(path, what="reference corpus"):
    """Raises Skip when `path` (a corpus folder or file) is missing, AssertionError under CI=true."""
    if os.path.exists(path):
        return
    if in_ci():
        raise AssertionError(f"{what} missing at {path} (CI=true)")
    raise Skip(f"{what} missing at {path}")


def stopped_exit(body):
    """Runs body(); None when it returns, else prints the SKIP or FAIL line of the Skip or
    AssertionError it raised and returns the exit status for it."""
    try:
        body()
    except Skip as s:
        print(f"SKIP: {s}")
        return EXIT_SKIP
    except AssertionError as e:
        print(f"FAIL: {e}")
        return EXIT_FAIL
    return None


def missing_corpus_exit(path, what="reference corpus"):
    """For scripts with their own main(): None when `path` exists, else prints the SKIP
    (or, under CI=true, FAIL) line and returns the exit status to return."""
    return stopped_exit(lambda: require_corpus(path, what))


def corpus_captures(corpus, subdirs=("tcpdump/pcaps", "zeek/traces")):
    """Every capture file below the given folders of the corpus, sorted."""
    found = []
    for sub in subdirs:
        for root, _, names in os.walk(os.path.join(corpus, sub)):
            found += [os.path.join(root, n) for n in names if n.endswith(CAPTURE_SUFFIXES)]
    return sorted(found)


def run_guarded(body):
    """Runs body(); prints SKIP/FAIL/PASS and returns the exit status."""
    stopped = stopped_exit(body)
    if stopped is not None:
        return stopped
    print("PASS")
    return EXIT_PASS


def run_case_main(doc, cases, argv, capture_name, preconditions=()):
    """main() of a script run as `script.py TCPSCOPE_BINARY CORPUS_DIR CASE`: checks the
    preconditions (callables raising Skip), that the corpus capture exists, then runs
    cases[f"case_{CASE}"](binary, capture)."""
    if len(argv) != 4 or f"case_{argv[3]}" not in cases:
        print(doc, file=sys.stderr)
        return 2
    binary, corpus, case = argv[1:]
    capture = os.path.join(corpus, capture_name)

    def body():
        for precondition in preconditions:
            precondition()
        require_corpus(capture)
        cases[f"case_{case}"](binary, capture)

    return run_guarded(body)


def collapse(seq):
    """The sequence without consecutive repeats: [a, a, b, a] -> [a, b, a]."""
    out = []
    for s in seq:
        if not out or out[-1] != s:
            out.append(s)
    return out


def record_loopback(pcap, bpf, play, lead_in=0.0, settle=0.5):
    """Records play()'s traffic on lo with `tcpdump -U -w pcap bpf`: plays once tcpdump
    listens (and `lead_in` seconds more), waits `settle` seconds, stops tcpdump with SIGINT."""
    rec = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-w", pcap, bpf], stderr=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, text=True)
    try:
        line = rec.stderr.readline()
        if "listening" not in line:
            raise RuntimeError(f"tcpdump did not start: {line}")
        time.sleep(lead_in)
        play()
        time.sleep(settle)
    finally:
        rec.send_signal(signal.SIGINT)
        try:
            rec.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            rec.kill()
            rec.communicate()
