#!/usr/bin/env python3
"""The progress line (issue 8): reading a capture file of more than 100 MB with
stderr on a terminal shows "tcpscope: <bytes> of <total> (<pct>%), <n> packets,
<n> connections, <rate>/s, ETA m:ss" on stderr; never when stderr is a pipe,
never with --quiet, never on stdout (which stays byte-identical).

The big capture is made on the fly in a temporary directory (deleted afterwards)
by repeating the records of a corpus capture, each copy shifted 1000 s later.
Usage: progress.py TCPSCOPE SOURCE_DIR"""
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile

TARGET_BYTES = 110_000_000
CORPUS_CAPTURE = "zeek/traces/ssh/ssh.pcap"  # classic little-endian pcap, TCP
PROGRESS = re.compile(
    rb"tcpscope: [0-9.]+ [kMG]?B of [0-9.]+ [kMG]?B \(\d+%\), [0-9.]+ [kM]? ?packets, "
    rb"(?:[0-9.]+ [kM]? ?connections, )?[0-9.]+ [kMG]?B/s, ETA \d+:\d\d")


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def make_big_capture(source, path):
    data = open(source, "rb").read()
    if data[:4] != b"\xd4\xc3\xb2\xa1":
        fail(f"{source}: expected a little-endian microsecond pcap")
    header, records, offset = data[:24], [], 24
    while offset + 16 <= len(data):
        sec, usec, caplen, wire = struct.unpack_from("<IIII", data, offset)
        records.append((sec, usec, data[offset + 16:offset + 16 + caplen], wire))
        offset += 16 + caplen
    with open(path, "wb") as out:
        out.write(header)
        written, copy = 24, 0
        while written <= TARGET_BYTES:
            chunk = bytearray()
            for sec, usec, payload, wire in records:
                chunk += struct.pack("<IIII", sec + copy * 1000, usec, len(payload), wire) + payload
            out.write(chunk)
            written += len(chunk)
            copy += 1
    return len(records) * copy


def run_with_tty_stderr(args, stdout_path):
    """Runs args with stderr on a pseudo-terminal and stdout in a file; returns (rc, stderr bytes)."""
    master, slave = pty.openpty()
    with open(stdout_path, "wb") as out:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
    os.close(slave)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 600)
        if not ready:
            proc.kill()
            fail("no output on the terminal for 600 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return proc.wait(), bytes(seen)


def main():
    tcpscope, source_dir = sys.argv[1], sys.argv[2]
    corpus = os.path.join(source_dir, "..", "shared", "corpus", CORPUS_CAPTURE)
    if not os.path.exists(corpus):
        if os.environ.get("CI") == "true":
            fail(f"corpus missing: {corpus}")
        print(f"SKIP: corpus capture {corpus} is missing")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="tcpscope-progress-")
    try:
        big = os.path.join(tmp, "big.pcap")
        make_big_capture(corpus, big)
        size = os.path.getsize(big)
        if size <= 100_000_000:
            fail(f"the test capture is only {size} bytes")

        for command in (["conns", "-r", big], ["-nn", "-q", "-r", big]):
            name = command[0] if command[0] == "conns" else "print"
            out_tty = os.path.join(tmp, "tty.out")
            rc, terminal = run_with_tty_stderr([tcpscope] + command, out_tty)
            if rc != 0:
                fail(f"{name} with stderr on a terminal: exit status {rc}: {terminal[-400:]!r}")
            lines = PROGRESS.findall(terminal)
            if not lines:
                fail(f"{name}: no progress line on the terminal; it showed {terminal[-400:]!r}")
            if name == "conns" and not re.search(rb"packets, [1-9][0-9.]* [kM]? ?connections", lines[-1]):
                fail(f"conns: the progress line counts no connection: {lines[-1]!r}")
            if not terminal.rstrip(b"\r\n").endswith(b"\033[K") and b"\r\033[K" not in terminal:
                fail(f"{name}: the progress line is not erased at the end")

            piped = subprocess.run([tcpscope] + command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if piped.returncode != 0:
                fail(f"{name} piped: exit status {piped.returncode}")
            if b"ETA" in piped.stderr or b"\r" in piped.stderr:
                fail(f"{name}: progress written to a stderr that is not a terminal: {piped.stderr[:300]!r}")
            if open(out_tty, "rb").read() != piped.stdout:
                fail(f"{name}: stdout differs when stderr is a terminal (progress leaked into stdout?)")
            if b"ETA" in piped.stdout:
                fail(f"{name}: progress on stdout")

            rc, terminal = run_with_tty_stderr([tcpscope] + command + ["--quiet"], out_tty)
            if rc != 0 or PROGRESS.search(terminal) or b"ETA" in terminal:
                fail(f"{name} --quiet: status {rc}, the terminal showed {terminal[-300:]!r}")
            print(f"{name}: {len(lines)} progress line(s) on the terminal, e.g. {lines[-1].decode()}; "
                  "none when piped or with --quiet; stdout identical")
        sys.stdout.flush()
        print(f"PASS ({size} byte capture)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
