#!/usr/bin/env python3
"""Safety of the -w output: disk full, unwritable output (privilege drops: privilege_drop.py).

Usage: capture_safety.py TCPSCOPE_BINARY CORPUS_DIR CASE

Cases:
  disk_full         -w onto a 16 KiB tmpfs (in a private mount namespace) that fills up:
                    exit 1 with one 'tcpscope: ...: write error: No space left on device'
                    line, and the file left behind is a valid capture that tcpdump reads
                    without complaint, holding a prefix of the input's packets (no torn
                    record at the end). tcpdump 4.99.3 itself exits 0 and leaves a torn file.
  dev_full          -w /dev/full: exit 1 with the same clear error.
Exit status: 0 pass, 1 fail, 77 skip (a visible SKIP line says why; under CI=true a
missing corpus is a failure).
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402
from testlib import Skip, check  # noqa: E402

ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
CAPTURE = "zeek/traces/wikipedia.pcap"  # 27 KB, 30+ packets: more than the 16 KiB tmpfs holds


def errors(result):
    return [l for l in result.stderr.decode(errors="replace").splitlines() if not l.startswith("reading from file")]


def require_root(what):
    if os.geteuid() != 0:
        raise Skip(f"{what} needs root (uid {os.geteuid()})")


def tcpdump_numbers(path):
    r = subprocess.run(["tcpdump", "-#", "-nn", "-r", path], capture_output=True, env=ENV, timeout=60)
    return r, [l.split()[0] for l in r.stdout.decode(errors="replace").splitlines() if l[:6].strip().isdigit()]


def case_disk_full(binary, capture):
    require_root("mounting a small tmpfs")
    if shutil.which("unshare") is None or shutil.which("tcpdump") is None:
        raise Skip("unshare or tcpdump is missing")
    with tempfile.TemporaryDirectory() as tmp:
        mnt, kept = os.path.join(tmp, "mnt"), os.path.join(tmp, "kept.pcap")
        os.mkdir(mnt)
        script = (f'mount -t tmpfs -o size=16k none "{mnt}" || exit 99; "{binary}" -r "{capture}" -w "{mnt}/out.pcap"; '
                  f'rc=$?; [ -e "{mnt}/out.pcap" ] && cp "{mnt}/out.pcap" "{kept}"; exit $rc')
        r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, env=ENV, timeout=120)
        if r.returncode == 99:
            raise Skip(f"cannot mount a tmpfs here: {r.stderr!r}")
        lines = errors(r)
        check(r.returncode == 1, f"exit status {r.returncode}, expected 1; stderr {lines!r}")
        check(len(lines) == 1 and lines[0].startswith("tcpscope: ") and "No space left on device" in lines[0],
              f"expected one clear error line, got {lines!r}")
        check(os.path.exists(kept), "the partial capture was removed although it held complete packets")
        reread, numbers = tcpdump_numbers(kept)
        complaints = errors(reread)
        check(reread.returncode == 0 and complaints == [], f"tcpdump complains about what is left: {complaints!r}")
        _, all_numbers = tcpdump_numbers(capture)
        check(0 < len(numbers) < len(all_numbers) and numbers == all_numbers[:len(numbers)],
              f"the file should hold a prefix of the packets: {len(numbers)} of {len(all_numbers)}")
        print(f"disk full: exit 1, '{lines[0]}'; {len(numbers)} of {len(all_numbers)} packets kept, "
              f"{os.path.getsize(kept)} bytes, no torn record")


def case_dev_full(binary, capture):
    if not os.path.exists("/dev/full"):
        raise Skip("/dev/full is not available")
    r = subprocess.run([binary, "-r", capture, "-w", "/dev/full"], capture_output=True, env=ENV, timeout=60)
    lines = errors(r)
    check(r.returncode == 1, f"exit status {r.returncode}")
    check(len(lines) == 1 and "/dev/full" in lines[0] and "No space left on device" in lines[0], f"{lines!r}")


def main():
    return testlib.run_case_main(__doc__, globals(), sys.argv, CAPTURE)


if __name__ == "__main__":
    sys.exit(main())
