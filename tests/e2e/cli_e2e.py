#!/usr/bin/env python3
"""End-to-end tests of build/tcpscope's print path against the installed tcpdump.

Usage: cli_e2e.py CASE   (the cases are the functions named case_<CASE> below)

Environment: TCPSCOPE_BINARY (the built tcpscope), TCPSCOPE_SOURCE_DIR (the repo;
the reference corpus is at $TCPSCOPE_SOURCE_DIR/../shared/corpus). Exit status 0
pass, 1 fail, 77 skip (a visible "SKIP:" line says why). Under CI=true a missing
corpus or tcpdump is a failure, not a skip.

Damaged files are made on the fly in a temporary directory from corpus captures.
Every subprocess has a generous timeout so that a hang fails instead of blocking.
"""
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
TIMEOUT = 60
BINARY = os.environ.get("TCPSCOPE_BINARY", "build/tcpscope")
SOURCE_DIR = os.environ.get("TCPSCOPE_SOURCE_DIR", os.getcwd())
CORPUS = os.path.join(SOURCE_DIR, "..", "shared", "corpus", "tcpdump", "pcaps")
ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
STAND_IN_MARKER = b"[packet of "  # what the stand-in printer prints instead of tcpdump's text


class Skip(Exception):
    pass


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def require_corpus():
    if not os.path.isdir(CORPUS):
        if in_ci():
            raise Failure(f"reference corpus missing at {CORPUS} (CI=true)")
        raise Skip(f"reference corpus missing at {CORPUS}")


def require_tcpdump():
    if shutil.which("tcpdump") is None:
        if in_ci():
            raise Failure("tcpdump is not installed (CI=true)")
        raise Skip("tcpdump is not installed")


def require_root(what):
    if os.geteuid() != 0:
        raise Skip(f"{what} needs root; running as uid {os.geteuid()}")


def corpus_file(name):
    require_corpus()
    path = os.path.join(CORPUS, name)
    check(os.path.isfile(path), f"corpus file {path} is missing")
    return path


def run(argv, **kwargs):
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    try:
        return subprocess.run(argv, timeout=TIMEOUT, env=ENV, **kwargs)
    except subprocess.TimeoutExpired:
        raise Failure(f"timed out (hang?): {' '.join(argv)}")


def tcpscope(*args):
    result = run([BINARY, *args])
    check(result.returncode >= 0, f"tcpscope {' '.join(args)} died from signal {-result.returncode}")
    return result


def tcpdump(*args):
    require_tcpdump()
    return run(["tcpdump", *args])


def stderr_lines(result):
    return result.stderr.decode(errors="replace").splitlines()


def error_lines(result):
    """stderr without tcpdump's informational banner line."""
    return [l for l in stderr_lines(result) if not l.startswith("reading from file ")]


def packet_numbers(stdout):
    """Numbers of the packets printed with -#: '%5u  ' at the start of a line, increasing."""
    numbers = []
    for line in stdout.decode(errors="replace").splitlines():
        m = re.match(r"^ *(\d+)  ", line)
        if m and (not numbers or int(m.group(1)) > numbers[-1]):
            numbers.append(int(m.group(1)))
    return numbers


def expect_one_error_line(result, status, *fragments):
    lines = error_lines(result)
    check(result.returncode == status,
          f"exit status {result.returncode}, expected {status}; stderr: {result.stderr!r}")
    check(len(lines) == 1, f"expected exactly one error line, got {lines!r}")
    check(lines[0].startswith("tcpscope: "), f"error line lacks the 'tcpscope: ' prefix: {lines[0]!r}")
    for fragment in fragments:
        check(fragment in lines[0], f"error line {lines[0]!r} does not mention {fragment!r}")
    return lines[0]


def compare_printing(capture, *options):
    """tcpscope's -# printing of `capture` against tcpdump's, byte for byte.

    While the printer is still the stand-in (it prints a placeholder), only the
    packet numbering is compared, and a NOTE says so."""
    ours = tcpscope("-#", *options, "-r", capture)
    theirs = tcpdump("-#", *options, "-r", capture)
    check(ours.returncode == theirs.returncode,
          f"exit status {ours.returncode} vs tcpdump's {theirs.returncode} for {options}")
    if ours.stdout == theirs.stdout:
        return
    if STAND_IN_MARKER in ours.stdout:
        print(f"NOTE: printer is the stand-in; compared packet numbers only for {' '.join(options)}")
        check(packet_numbers(ours.stdout) == packet_numbers(theirs.stdout),
              f"packet numbers differ from tcpdump's for {options}")
        return
    a = ours.stdout.decode(errors="replace").splitlines()
    b = theirs.stdout.decode(errors="replace").splitlines()
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            raise Failure(f"printing differs from tcpdump's ({' '.join(options)}) at line {i + 1}:\n"
                          f"  tcpscope: {x}\n  tcpdump:  {y}")
    raise Failure(f"printing differs from tcpdump's ({' '.join(options)}): {len(a)} vs {len(b)} lines")


# ---- pcap file helpers ------------------------------------------------------

def pcap_records(data):
    """(offset, record bytes) of each record of a classic little/big-endian pcap file."""
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    records, offset = [], 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        records.append((offset, data[offset:offset + 16 + caplen]))
        offset += 16 + caplen
    return records


def make_pcap(link_type, payloads):
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link_type)
    body = b"".join(struct.pack("<IIII", 1000 + i, 500 * i, len(p), len(p)) + p for i, p in enumerate(payloads))
    return header + body


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="tcpscope-e2e-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- bad input --------------------------------------------------------------

def case_missing_file():
    with TempDir() as tmp:
        path = os.path.join(tmp, "nope.pcap")
        result = tcpscope("-r", path)
        expect_one_error_line(result, 1, path, "No such file or directory")
        check(result.stdout == b"", "stdout should be empty")


def case_not_a_capture():
    with TempDir() as tmp:
        path = write(os.path.join(tmp, "notes.txt"), b"this is not a capture file\n" * 20)
        result = tcpscope("-r", path)
        expect_one_error_line(result, 1, path, "not a pcap or pcapng capture file")
        check(tcpdump("-r", path).returncode != 0, "tcpdump accepted the text file too?")


def case_empty_file():
    with TempDir() as tmp:
        path = write(os.path.join(tmp, "empty.pcap"), b"")
        expect_one_error_line(tcpscope("-r", path), 1, path, "truncated")


# Captures whose every packet is plain TCP with nothing decoded above it, so that
# tcpscope's printing must equal tcpdump's byte for byte (other captures are
# compared by packet selection and numbering only).
PURE_TCP_ETHERNET = "tfo-5c1fa7f9ae91.pcap"


def truncated_case(cut_inside_header):
    source = corpus_file(PURE_TCP_ETHERNET)
    data = read(source)
    records = pcap_records(data)
    last_offset, last = records[-1]
    total = len(records)
    keep = last_offset + (6 if cut_inside_header else 16 + (len(last) - 16) // 2)
    with TempDir() as tmp:
        damaged = write(os.path.join(tmp, "damaged.pcap"), data[:keep])
        result = tcpscope("-#", "-n", "-r", damaged)
        line = expect_one_error_line(result, 1, damaged, f"packet {total}", f"byte offset {last_offset}",
                                     "truncated dump file")
        print(f"error line: {line}")
        # Everything before the damage is printed, exactly as for the intact file.
        intact = tcpscope("-#", "-n", "-c", str(total - 1), "-r", source)
        check(result.stdout == intact.stdout, "packets before the damage differ from the intact file's")
        check(packet_numbers(result.stdout) == list(range(1, total)), "not all packets before the damage")
        reference = tcpdump("-#", "-n", "-r", damaged)
        check(reference.returncode == 1, "tcpdump should fail on the damaged file too")
        check(packet_numbers(result.stdout) == packet_numbers(reference.stdout),
              "tcpdump prints a different set of packets before the damage")
        compare_printing(damaged, "-n")


def case_truncated_last_record():
    truncated_case(cut_inside_header=False)


def case_truncated_record_header():
    truncated_case(cut_inside_header=True)


def case_truncated_pcapng():
    source = corpus_file("of13_ericsson.pcapng")
    data = read(source)
    with TempDir() as tmp:
        damaged = write(os.path.join(tmp, "damaged.pcapng"), data[:len(data) - 50])  # inside the last block
        result = tcpscope("-#", "-n", "-r", damaged)
        reference = tcpdump("-#", "-n", "-r", damaged)
        expected = packet_numbers(reference.stdout)
        check(len(expected) > 100, "the damaged copy should still hold most packets")
        line = expect_one_error_line(result, 1, damaged, f"packet {len(expected) + 1}", "byte offset",
                                     "truncated pcapng dump file")
        print(f"error line: {line}")
        check(packet_numbers(result.stdout) == expected, "packets before the damage differ from tcpdump's")


def case_damaged_file_sweep():
    """Deterministic damage of a capture (cuts at many offsets, flipped bytes after
    the file header): never a crash or hang, one error line when the reading
    breaks, and the same packets as tcpdump before the damage."""
    import random
    rng = random.Random(20240601)
    source = read(corpus_file("mptcp-v1.pcap"))
    variants = [("cut", source[:n]) for n in sorted(rng.sample(range(25, len(source)), 40))]
    for _ in range(40):
        data = bytearray(source)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(24, len(data))] = rng.randrange(256)
        variants.append(("flip", bytes(data)))
    with TempDir() as tmp:
        for i, (kind, data) in enumerate(variants):
            path = write(os.path.join(tmp, f"{kind}{i}.pcap"), data)
            ours = tcpscope("-#", "-nn", "-vvv", "-r", path)
            check(ours.returncode in (0, 1), f"{kind} #{i}: exit status {ours.returncode}")
            lines = error_lines(ours)
            check(len(lines) == ours.returncode, f"{kind} #{i}: messages {lines!r} for exit {ours.returncode}")
            check(all(l.startswith("tcpscope: ") for l in lines), f"{kind} #{i}: unprefixed message {lines!r}")
            theirs = tcpdump("-#", "-nn", "-vvv", "-r", path)
            check(ours.returncode == theirs.returncode, f"{kind} #{i}: exit {ours.returncode}, tcpdump's {theirs.returncode}")
            check(packet_numbers(ours.stdout) == packet_numbers(theirs.stdout),
                  f"{kind} #{i}: {len(packet_numbers(ours.stdout))} packets, tcpdump {len(packet_numbers(theirs.stdout))}")
    print(f"{len(variants)} damaged variants handled")


def case_unknown_link_type():
    # DLT_USER0 (147): libpcap knows it, tcpdump has no printer for it.
    with TempDir() as tmp:
        path = write(os.path.join(tmp, "user0.pcap"), make_pcap(147, [bytes(range(10)), b"\xff" * 40, b"x"]))
        result = tcpscope("-#", "-n", "-r", path)
        check(result.returncode == 0, f"exit status {result.returncode}: {result.stderr!r}")
        check(error_lines(result) == [], f"unexpected messages: {error_lines(result)!r}")
        check(packet_numbers(result.stdout) == [1, 2, 3], "every packet of an unsupported link type is shown")
        compare_printing(path, "-n")


def case_unlisted_link_type():
    # A link type libpcap itself does not know (4000): no crash, no hang, clear messages.
    with TempDir() as tmp:
        path = write(os.path.join(tmp, "dlt4000.pcap"), make_pcap(4000, [b"\x01\x02\x03", b"\x04" * 20]))
        result = tcpscope("-#", "-n", "-r", path)
        check(result.returncode in (0, 1), f"exit status {result.returncode}")
        for line in error_lines(result):
            check(line.startswith("tcpscope: "), f"unprefixed message {line!r}")
        if result.returncode == 0:
            check(packet_numbers(result.stdout) == [1, 2], "both packets are shown")
        with_filter = tcpscope("-n", "-r", path, "tcp")
        check(with_filter.returncode != 0, "a filter cannot be compiled for an unknown link type")
        line = expect_one_error_line(with_filter, with_filter.returncode, "4000")
        print(f"error line: {line}")


def case_corrupt_record_length():
    # A record in the middle announces an impossible captured length: the packets
    # before it are printed, then one error line names the packet and its offset.
    source = corpus_file(PURE_TCP_ETHERNET)
    data = bytearray(read(source))
    records = pcap_records(bytes(data))
    offset, _ = records[5]
    data[offset + 8:offset + 12] = struct.pack("<I", 0x7FFFFFF0)
    with TempDir() as tmp:
        damaged = write(os.path.join(tmp, "corrupt.pcap"), bytes(data))
        result = tcpscope("-#", "-n", "-r", damaged)
        line = expect_one_error_line(result, 1, damaged, "packet 6", f"byte offset {offset}")
        print(f"error line: {line}")
        check(packet_numbers(result.stdout) == [1, 2, 3, 4, 5], "the five packets before the damage are printed")
        check(packet_numbers(result.stdout) == packet_numbers(tcpdump("-#", "-n", "-r", damaged).stdout),
              "tcpdump prints the same packets before the damage")


def case_unwritable_output():
    capture = corpus_file(PURE_TCP_ETHERNET)
    with TempDir() as tmp:
        out = os.path.join(tmp, "no-such-dir", "out.pcap")
        expect_one_error_line(tcpscope("-r", capture, "-w", out), 1, out, "No such file or directory")
        expect_one_error_line(tcpscope("-r", capture, "-F", os.path.join(tmp, "nope")), 1, "filter file")


def case_output_write_error():
    if not os.path.exists("/dev/full"):
        raise Skip("/dev/full is not available")
    capture = corpus_file("mptcp-v0.pcap")
    with open("/dev/full", "wb") as full:
        result = run([BINARY, "-r", capture], stdout=full, stderr=subprocess.PIPE)
    check(result.returncode == 1, f"exit status {result.returncode}")
    expect_one_error_line(result, 1, "cannot write to standard output", "No space left on device")


def case_bad_filter():
    capture = corpus_file("geneve.pcap")
    result = tcpscope("-r", capture, "tcp", "port")
    expect_one_error_line(result, 2, "bad filter expression 'tcp port'", "syntax error")
    check(result.stdout == b"", "nothing is printed with a bad filter")
    expect_one_error_line(tcpscope("-r", capture, "host", "no.such.host.invalid"), 2, "bad filter expression")


def case_bad_options():
    cases = [
        (["-k", "-r", "x"], "unknown option -k"),
        (["--bogus"], "unknown option --bogus"),
        (["-c", "0", "-r", "x"], "invalid packet count 0"),
        (["-nr"], "option -r needs an argument"),
        (["-C", "1", "-w", "x"], "option -C is not supported"),
        (["-r", "x", "-i", "lo"], "-r and -i cannot be used together"),
        (["-s", "huge", "-i", "lo"], "invalid snaplen huge"),
        (["--time-stamp-precision=pico", "-r", "x"], "unsupported time stamp precision pico"),
        (["-Q", "sideways", "-i", "lo"], "unknown capture direction 'sideways'"),
    ]
    for args, fragment in cases:
        result = tcpscope(*args)
        expect_one_error_line(result, 2, fragment)
        check(result.stdout == b"", f"stdout should be empty for {args}")


def case_list_interfaces():
    ours, theirs = tcpscope("-D"), tcpdump("-D")
    check(ours.returncode == 0 and ours.stdout != b"", f"-D failed: {ours.stderr!r}")
    check(ours.stdout == theirs.stdout, f"-D differs from tcpdump's:\n{ours.stdout!r}\n{theirs.stdout!r}")


def case_help_and_version():
    result = tcpscope("-h")
    check(result.returncode == 0 and b"Usage: tcpscope" in result.stdout, "-h prints the usage")
    result = tcpscope("--version")
    check(result.returncode == 0 and b"tcpscope version" in result.stdout and b"libpcap version" in result.stdout,
          "--version names tcpscope's and libpcap's versions")


# ---- -c, --skip, -w, filters ------------------------------------------------

def case_count():
    capture = corpus_file(PURE_TCP_ETHERNET)
    total = len(pcap_records(read(capture)))
    for n in (1, 3, total, total + 5):
        ours = tcpscope("-#", "-n", "-c", str(n), "-r", capture)
        check(ours.returncode == 0, f"-c {n}: exit status {ours.returncode}")
        check(packet_numbers(ours.stdout) == list(range(1, min(n, total) + 1)), f"-c {n} prints the first {n}")
        check(packet_numbers(ours.stdout) == packet_numbers(tcpdump("-#", "-n", "-c", str(n), "-r", capture).stdout),
              f"-c {n} differs from tcpdump")
    compare_printing(capture, "-n", "-c", "3")


def case_skip():
    capture = corpus_file("geneve.pcap")
    records = pcap_records(read(capture))
    ours = tcpscope("-#", "-n", "--skip", "2", "-c", "3", "-r", capture)
    check(ours.returncode == 0, f"exit status {ours.returncode}")
    check(packet_numbers(ours.stdout) == [3, 4, 5], "--skip 2 -c 3 prints packets 3 to 5, numbered as in the file")
    with TempDir() as tmp:
        out = os.path.join(tmp, "skip.pcap")
        check(tcpscope("--skip", "2", "-c", "3", "-r", capture, "-w", out).returncode == 0, "-w with --skip")
        check([r for _, r in pcap_records(read(out))] == [r for _, r in records[2:5]],
              "the written file holds exactly records 3 to 5")
        everything = tcpscope("-#", "-n", "--skip", str(len(records)), "-r", capture)
        check(everything.returncode == 0 and packet_numbers(everything.stdout) == [], "skipping all prints nothing")


def case_count_after_filter():
    capture = corpus_file("babel_update_oobr.pcap")
    ours = tcpscope("-#", "-n", "-c", "1", "-r", capture, "tcp")
    theirs = tcpdump("-#", "-n", "-c", "1", "-r", capture, "tcp")
    check(packet_numbers(ours.stdout) == [1] == packet_numbers(theirs.stdout), "-c counts filtered packets")
    with TempDir() as tmp:
        a, b = os.path.join(tmp, "a.pcap"), os.path.join(tmp, "b.pcap")
        check(tcpscope("-c", "1", "-r", capture, "-w", a, "tcp").returncode == 0, "tcpscope -w")
        check(tcpdump("-c", "1", "-r", capture, "-w", b, "tcp").returncode == 0, "tcpdump -w")
        check(read(a) == read(b), "-c 1 with a filter writes the same file as tcpdump")


def case_write_read_round_trip():
    pure_tcp = (PURE_TCP_ETHERNET, "mptcp-v1.pcap", "tcp-handshake-nano.pcap", "dns_tcp_8053.pcap",
                "timestamp_invalid_micro.pcap", "timestamp_invalid_nano.pcap")
    for name in (*pure_tcp, "geneve.pcap", "of13_ericsson.pcapng"):
        capture = corpus_file(name)
        with TempDir() as tmp:
            ours, theirs = os.path.join(tmp, "ours.pcap"), os.path.join(tmp, "theirs.pcap")
            result = tcpscope("-r", capture, "-w", ours)
            check(result.returncode == 0, f"{name}: tcpscope -w failed: {result.stderr!r}")
            check(result.stdout == b"", f"{name}: -w alone prints nothing")
            check(tcpdump("-r", capture, "-w", theirs).returncode == 0, f"{name}: tcpdump -w failed")
            check(read(ours) == read(theirs), f"{name}: the written file differs from tcpdump's rewrite")
            reread = tcpdump("-#", "-nn", "-r", ours)
            check(reread.returncode == 0, f"{name}: tcpdump cannot read tcpscope's file: {reread.stderr!r}")
            check(reread.stdout == tcpdump("-#", "-nn", "-r", capture).stdout,
                  f"{name}: tcpdump reads tcpscope's copy differently from the original")
            if name in pure_tcp:
                compare_printing(ours, "-nn")


def case_write_nano_round_trip():
    for name in ("tcp-handshake-nano.pcap", "timestamp_invalid_micro.pcap", PURE_TCP_ETHERNET):
        nano_round_trip(corpus_file(name))


def nano_round_trip(capture):
    with TempDir() as tmp:
        ours, theirs = os.path.join(tmp, "ours.pcap"), os.path.join(tmp, "theirs.pcap")
        check(tcpscope("--nano", "-r", capture, "-w", ours).returncode == 0, "tcpscope --nano -w")
        check(tcpdump("--nano", "-r", capture, "-w", theirs).returncode == 0, "tcpdump --nano -w")
        check(read(ours)[:4] == b"\x4d\x3c\xb2\xa1", "--nano writes a nanosecond pcap")
        check(read(ours) == read(theirs), "the nanosecond file differs from tcpdump's")
        check(tcpdump("--nano", "-tt", "-r", ours).stdout == tcpdump("--nano", "-tt", "-r", capture).stdout,
              "nanosecond time stamps survive the round trip")


def tcp_frame(payload, seq=1000):
    """An Ethernet/IPv4/TCP frame (PSH+ACK, 192.0.2.1:40000 > 192.0.2.2:18190, ports no tcpdump
    printer claims) carrying `payload`."""
    tcp = struct.pack(">HHIIBBHHH", 40000, 18190, seq, 1, 5 << 4, 0x18, 502, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, bytes([192, 0, 2, 1]),
                     bytes([192, 0, 2, 2]))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload


# Carriage returns where tcpdump's -A drops them (before LF, and among the last two bytes
# whatever follows) and where it prints '.', and bytes -A and -X show differently.
ASCII_PAYLOADS = [b"ping\r", b"pong\r\n", b"ab\rc", b"ab\rcd", b"\r", b"\r\r", b"\r\r\r", b"x\r\r\n",
                  b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b"\rX\rYZ", b"\x00\x7f\x80\xff\t \n~"]


def case_ascii_carriage_returns():
    with TempDir() as tmp:
        capture = write(os.path.join(tmp, "cr.pcap"),
                        make_pcap(1, [tcp_frame(p, 1000 + 100 * i) for i, p in enumerate(ASCII_PAYLOADS)]))
        for options in (("-nn", "-A"), ("-A",), ("-nn", "-X"), ("-nn", "-XX"), ("-nn", "-S", "-vvv", "-A")):
            compare_printing(capture, *options)
        print(f"{len(ASCII_PAYLOADS)} payloads: -A, -X and -XX print as tcpdump's")


def case_names_without_domain():
    """-N with name resolution (no -n) and with -n, as tcpdump prints them (which names the
    resolver gives is the machine's; the cut at the first dot is unit-tested: host_names_test)."""
    for name in (PURE_TCP_ETHERNET, "tcp-handshake-nano.pcap"):
        for options in (("-N",), ("-N", "-v"), ("-N", "-nn")):
            compare_printing(corpus_file(name), *options)
    print("-N prints as tcpdump's")


def compare_stdout(args, what):
    ours, theirs = tcpscope(*args), tcpdump(*args)
    check(ours.returncode == 0 and theirs.returncode == 0,
          f"{what}: exit {ours.returncode}, tcpdump's {theirs.returncode}: {ours.stderr!r} / {theirs.stderr!r}")
    check(ours.stdout == theirs.stdout,
          f"{what} differs from tcpdump's:\n{ours.stdout.decode()}\n---\n{theirs.stdout.decode()}")
    return ours


# Filters for -d: a port, TCP flags, IPv6, VLAN (the code depends on the handle: a live
# Linux handle loads the tag from the kernel's metadata), broadcast (tcpdump compiles with
# netmask 0), and one the optimizer shrinks.
DUMP_FILTERS = ["", "tcp port 1234", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0", "ip6 and tcp",
                "vlan and tcp", "ip broadcast", "tcp and tcp"]


def case_filter_program_dump():
    capture = corpus_file(PURE_TCP_ETHERNET)
    sources = [[], ["-r", capture]]
    if os.geteuid() == 0:
        sources.append(["-i", "lo"])
    else:
        print("NOTE: not root: -d on a live handle (-i lo) is not compared")
    compared = 0
    for source in sources:
        for level in ("-d", "-dd", "-ddd"):
            for optimizer in ([], ["-O"]):
                for expression in DUMP_FILTERS:
                    args = [level, *optimizer, *source, *expression.split()]
                    result = compare_stdout(args, " ".join(args))
                    check(result.stdout, f"{args}: no program printed")
                    compared += 1
    # -d stops: nothing else is printed, whatever the source
    check(b"Flags" not in tcpscope("-d", "-r", capture).stdout, "-d printed packets")
    # tcpdump's netmask 0 also when reading: 'ip broadcast' is a valid filter on a file
    compare_printing(capture, "-nn", "ip", "broadcast", "or", "tcp")
    expect_one_error_line(tcpscope("-d", "-r", capture, "tcp", "port"), 2, "bad filter expression")
    print(f"{compared} programs (-d/-dd/-ddd, with and without -O, Ethernet, file, lo) as tcpdump's")


FILTER_CASES = [
    ("geneve.pcap", "src host 20.0.0.1"),
    ("geneve.pcap", "tcp"),  # the TCP is inside Geneve: BPF's "tcp" selects nothing
    ("babel_update_oobr.pcap", "tcp"),
    ("mptcp-v0.pcap", "tcp[tcpflags] & tcp-syn != 0"),
    ("bgp-4byte-asn.pcap", "tcp port 179 and greater 100"),
    ("of13_ericsson.pcapng", "tcp and src port 6633"),
    ("tcp-handshake-nano.pcap", "tcp[13] & 2 != 0"),
]


def case_filter_selection():
    selective = 0
    for name, expression in FILTER_CASES:
        capture = corpus_file(name)
        ours = tcpscope("-#", "-n", "-r", capture, *expression.split())
        theirs = tcpdump("-#", "-n", "-r", capture, *expression.split())
        check(ours.returncode == 0, f"{name} '{expression}': exit status {ours.returncode}: {ours.stderr!r}")
        numbers = packet_numbers(ours.stdout)
        check(numbers == packet_numbers(theirs.stdout), f"{name} '{expression}': packet count differs from tcpdump")
        total = len(packet_numbers(tcpdump("-#", "-n", "-r", capture).stdout))
        if 0 < len(numbers) < total:
            selective += 1
        with TempDir() as tmp:
            a, b = os.path.join(tmp, "a.pcap"), os.path.join(tmp, "b.pcap")
            check(tcpscope("-r", capture, "-w", a, expression).returncode == 0, "tcpscope -w with a filter")
            check(tcpdump("-r", capture, "-w", b, expression).returncode == 0, "tcpdump -w with a filter")
            check(read(a) == read(b), f"{name} '{expression}': a different selection of packets than tcpdump's")
    check(selective >= 5, "the filters should select strict, non-empty subsets")


# ---- live capture -----------------------------------------------------------

def case_no_such_interface():
    require_root("opening an interface")
    result = tcpscope("-i", "nosuch0", "-c", "1")
    expect_one_error_line(result, 1, "nosuch0", "no such capture interface")
    expect_one_error_line(tcpscope("-i", "99999", "-c", "1"), 1, "interface number 99999 does not exist")


def unprivileged_prefix():
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        raise Skip("setpriv (util-linux) is needed to run tcpscope without privileges")
    nobody = pwd.getpwnam("nobody")
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all"]


def case_no_capture_permission():
    result = run([*unprivileged_prefix(), BINARY, "-i", "lo", "-c", "1"])
    expect_one_error_line(result, 1, "lo", "root or the CAP_NET_RAW capability")


def case_privilege_drop():
    require_root("-Z")
    capture = corpus_file("geneve.pcap")
    nobody = pwd.getpwnam("nobody")
    with TempDir() as tmp:
        os.chmod(tmp, 0o777)
        out = os.path.join(tmp, "out.pcap")
        result = tcpscope("-Z", "nobody", "-r", capture, "-w", out)
        check(result.returncode == 0, f"exit status {result.returncode}: {result.stderr!r}")
        check(os.stat(out).st_uid == nobody.pw_uid, "the -w file is handed to 'nobody'")
        expect_one_error_line(tcpscope("-Z", "no-such-user-xyz", "-r", capture), 1, "couldn't find user")


class LoopbackServer:
    """A ping/pong server on 127.0.0.1: reads 'ping', answers 'pong', and closes only
    after the client has closed, so the exchange has at least 8 segments whatever the
    kernel merges: SYN, SYN-ACK, ACK, ping, pong, client FIN, server FIN, last ACK."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(TIMEOUT)
        self.port = self.sock.getsockname()[1]

    def exchange(self):
        def serve():
            conn, _ = self.sock.accept()
            conn.recv(100)
            conn.sendall(b"pong")
            while conn.recv(100):  # until the client's FIN
                pass
            conn.close()

        server = threading.Thread(target=serve)
        server.start()
        client = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        client.sendall(b"ping")
        client.recv(100)
        client.close()
        server.join(TIMEOUT)

    def close(self):
        self.sock.close()


def wait_for_listening(proc):
    """Reads tcpscope's stderr until its 'listening on' line (the capture is open)."""
    seen = []
    while True:
        line = proc.stderr.readline().decode(errors="replace")
        if not line:
            raise Failure(f"tcpscope exited before capturing: {seen!r}")
        seen.append(line.rstrip("\n"))
        if "listening on lo" in line:
            return seen


def start_capture(args):
    proc = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    watchdog = threading.Timer(TIMEOUT, proc.kill)  # a hang becomes a failure, not a stuck test
    watchdog.start()
    return proc, watchdog


def finish_capture(proc):
    """Reads both pipes to the end through their buffered readers (communicate() would
    bypass what readline() already buffered) and waits; the watchdog bounds it all."""
    out = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait()
    return out, err


def capture_exchange(server, args, interrupt_after=None):
    """Runs `tcpscope args` while `server` has its exchange, then (when `interrupt_after`
    seconds are given) interrupts it; returns (process, stdout, stderr lines with the banner).
    Always stops the watchdog and closes the server."""
    proc, watchdog = start_capture(args)
    try:
        banner = wait_for_listening(proc)
        server.exchange()
        if interrupt_after is not None:
            time.sleep(interrupt_after)
            proc.send_signal(signal.SIGINT)
        out, err = finish_capture(proc)
    finally:
        watchdog.cancel()
        server.close()
    return proc, out, banner + err.decode(errors="replace").splitlines()


STATS_RE = [r"^(\d+) packets? captured$", r"^(\d+) packets? received by filter$", r"^(\d+) packets? dropped by kernel$"]


def check_statistics(lines, captured):
    tail = [l for l in lines if re.match(r"^\d+ packets? ", l)]
    check(len(tail) >= 3, f"tcpdump's three statistics lines are missing: {lines!r}")
    for pattern, line in zip(STATS_RE, tail):
        check(re.match(pattern, line), f"statistics line {line!r} does not match {pattern!r}")
    check(int(re.match(STATS_RE[0], tail[0]).group(1)) == captured, f"'{tail[0]}' but {captured} expected")


PRINT_OPTION_SETS = [["-n"], ["-nn", "-S"], ["-n", "-v"], ["-n", "-vv"], ["-nn", "-S", "-vvv"], ["-n", "-tttt"],
                     ["-n", "-q"], ["-nn", "-S", "-vvv", "-x"], ["-nn", "--nano", "-tt"]]


def case_live_loopback_exchange():
    require_root("live capture on lo")
    require_tcpdump()
    server = LoopbackServer()
    with TempDir() as tmp:
        out = os.path.join(tmp, "live.pcap")
        count = 8  # the exchange's minimum (see LoopbackServer)
        proc, _, lines = capture_exchange(server, ["-i", "lo", "--immediate-mode", "-c", str(count), "-w", out,
                                                   "tcp", "port", str(server.port)])
        check(proc.returncode == 0, f"exit status {proc.returncode}: {lines!r}")
        check_statistics(lines, count)
        reread = tcpdump("-#", "-nn", "-r", out)
        check(reread.returncode == 0, f"tcpdump cannot read the capture: {reread.stderr!r}")
        check(packet_numbers(reread.stdout) == list(range(1, count + 1)), f"the file should hold {count} packets")
        check(b"Flags [S]" in reread.stdout and b"Flags [S.]" in reread.stdout, "the handshake was captured")
        for options in PRINT_OPTION_SETS:
            compare_printing(out, *options)


def case_capture_direction():
    """-Q on lo, where Linux shows each packet once, as received: -Q in captures the whole
    exchange, -Q out none of it (tcpdump behaves the same on lo)."""
    require_root("live capture on lo")
    for direction, expect_packets in (("in", True), ("out", False)):
        server = LoopbackServer()
        # interrupted 0.5 s after the exchange: what -Q lets through has been printed by then
        proc, out, lines = capture_exchange(server, ["-Q", direction, "-i", "lo", "--immediate-mode", "-l", "-#",
                                                     "-nn", "tcp", "port", str(server.port)], interrupt_after=0.5)
        check(proc.returncode == 0, f"-Q {direction}: exit status {proc.returncode}: {lines!r}")
        printed = packet_numbers(out)
        check_statistics(lines, len(printed))
        if expect_packets:
            check(len(printed) >= 8, f"-Q in: {len(printed)} packets of the exchange, at least 8 expected")
        else:
            check(printed == [], f"-Q out on lo: {len(printed)} packets, tcpdump captures none")
        print(f"-Q {direction}: {len(printed)} packets")


def case_signal_during_write():
    require_root("live capture on lo")
    require_tcpdump()
    # lo by its number in the -D list, as tcpdump allows (-i 3).
    listing = tcpscope("-D").stdout.decode().splitlines()
    lo_number = next((l.split(".", 1)[0] for l in listing if l.split(".", 1)[1].split(" ")[0] == "lo"), None)
    check(lo_number is not None, f"lo is not in the -D list {listing!r}")
    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        server = LoopbackServer()
        with TempDir() as tmp:
            out = os.path.join(tmp, "interrupted.pcap")
            # --print -l: each packet line reaches the pipe at once, so the test knows when
            # packets have been captured; the -w file itself is not flushed per packet.
            proc, watchdog = start_capture(["-i", lo_number, "--immediate-mode", "-w", out, "--print", "-l", "-#",
                                            "-n", "tcp", "port", str(server.port)])
            try:
                banner = wait_for_listening(proc)
                server.exchange()
                first = proc.stdout.readline()
                check(re.match(rb"^ *1  ", first), f"no packet printed before the signal: {first!r}")
                proc.send_signal(signo)
                rest, err = finish_capture(proc)
            finally:
                watchdog.cancel()
                server.close()
            name = signal.Signals(signo).name
            lines = banner + err.decode(errors="replace").splitlines()
            check(proc.returncode == 0, f"{name}: exit status {proc.returncode}: {lines!r}")
            printed = packet_numbers(first + rest)
            check((first + rest).endswith(b"\n\n"), f"{name}: tcpdump ends the output with an empty line")
            check_statistics(lines, len(printed))
            reread = tcpdump("-#", "-n", "-r", out)
            check(reread.returncode == 0, f"{name}: tcpdump cannot read the file: {reread.stderr!r}")
            check(error_lines(reread) == [], f"{name}: tcpdump complains: {error_lines(reread)!r}")
            check(packet_numbers(reread.stdout) == printed,
                  f"{name}: the file holds {len(packet_numbers(reread.stdout))} packets, {len(printed)} were printed")
            print(f"{name}: {len(printed)} packets written and complete")


def main():
    if len(sys.argv) != 2 or f"case_{sys.argv[1]}" not in globals():
        cases = sorted(n[5:] for n in globals() if n.startswith("case_"))
        print(f"usage: {sys.argv[0]} CASE\ncases: {' '.join(cases)}", file=sys.stderr)
        return 2
    if not os.access(BINARY, os.X_OK):
        print(f"FAIL: {BINARY} is not an executable", file=sys.stderr)
        return 1
    try:
        globals()[f"case_{sys.argv[1]}"]()
    except Skip as skip:
        print(f"SKIP: {skip}")
        return SKIP
    except Failure as failure:
        print(f"FAIL: {failure}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
