#!/usr/bin/env python3
"""The fast reading paths give exactly what the plain libpcap path gives.

Runs `tcpscope` twice on each capture: once with the defaults (classic pcap files
read through the record reader (pread into a ring), reading and decoding on a second thread when there
are two cores) and once with TCPSCOPE_READER=libpcap TCPSCOPE_THREADS=1 (libpcap's
pcap_next_ex, one thread), and compares stdout, stderr and the exit status byte
for byte. Inputs: every capture of the reference corpus, and hand-damaged files
made in a temporary directory from a corpus capture: cut at many offsets (inside
a record header, inside record data, right after the file header), a record whose
caplen exceeds the snaplen (libpcap cuts it) or 262144 (libpcap rejects it),
a header claiming a huge snaplen with a 262,145-byte record,
records whose wire length is below the caplen, byte-swapped and nanosecond
files, time stamps with the sign bit set, a file header of another version.
Also a generated 45 MB capture in which a filter keeps one record in 75: the frames
the reading thread hands over lie tens of MiB apart in the file, further than the
record reader keeps a record (a filtered read must not use them in place).

usage: reader_equivalence.py TCPSCOPE CORPUS_DIR
Exit status 0 pass, 1 fail, 77 skip (a visible SKIP line says why); under CI=true
a missing corpus is a failure.
"""
import os
import struct
import subprocess
import sys
import tempfile

OPTION_SETS = [["-nn"], ["-S", "-nn", "-vvv"], ["-nn", "-e", "-x", "tcp"], ["-#", "-tttt", "-nn", "-c", "5"]]


def run(tool, path, options, fast):
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env.pop("TCPSCOPE_READER", None)
    env.pop("TCPSCOPE_THREADS", None)
    if not fast:
        env["TCPSCOPE_READER"] = "libpcap"
        env["TCPSCOPE_THREADS"] = "1"
    if options and options[0] in ("conns", "explain"):  # a subcommand comes first
        argv = [tool, options[0], "-r", path] + options[1:]
    else:
        argv = [tool, "-r", path] + options
    r = subprocess.run(argv, env=env, capture_output=True, timeout=300)
    return r.returncode, r.stdout, r.stderr


def compare(tool, path, options_sets, failures):
    for options in options_sets:
        fast = run(tool, path, options, True)
        slow = run(tool, path, options, False)
        if fast != slow:
            what = [name for name, a, b in zip(("exit", "stdout", "stderr"), fast, slow) if a != b]
            detail = ""
            if fast[2] != slow[2]:
                detail = f"\n    fast stderr: {fast[2][-300:]!r}\n    libpcap stderr: {slow[2][-300:]!r}"
            failures.append(f"{os.path.basename(path)} {' '.join(options)}: {', '.join(what)} differ{detail}")


def records(data):
    """(offset, caplen) of each record of a little-endian microsecond pcap file."""
    out = []
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        out.append((pos, caplen))
        pos += 16 + caplen
    return out


def swap_file(data, nano):
    """The same little-endian file written big-endian (optionally with the ns magic)."""
    magic, vmaj, vmin, zone, sigfigs, snap, link = struct.unpack_from("<IHHiIII", data, 0)
    if nano:
        magic = 0xA1B23C4D
    out = bytearray(struct.pack(">IHHiIII", magic, vmaj, vmin, zone, sigfigs, snap, link))
    for pos, caplen in records(data):
        sec, sub, cap, wire = struct.unpack_from("<IIII", data, pos)
        if nano:
            sub *= 1000
        out += struct.pack(">IIII", sec, sub, cap, wire)
        out += data[pos + 16 : pos + 16 + caplen]
    return bytes(out)


def damaged_files(source, tmp):
    data = open(source, "rb").read()
    assert struct.unpack_from("<I", data, 0)[0] == 0xA1B2C3D4, "damage source must be a LE us pcap"
    recs = records(data)
    files = {}
    # Cuts: right after the file header, inside a record header, inside record data, at the end.
    cuts = {24, 30, len(data) - 1, len(data) - 10}
    for pos, caplen in recs[:: max(1, len(recs) // 6)]:
        cuts.update({pos + 3, pos + 15, pos + 16, pos + 16 + caplen // 2})
    for cut in sorted(c for c in cuts if 0 < c < len(data)):
        files[f"cut_{cut}.pcap"] = data[:cut]
    # One record claims more than the snaplen (libpcap cuts it to the snaplen and skips
    # the rest), or more than 262144 (an error), or a huge value.
    snap = struct.unpack_from("<I", data, 16)[0]
    pos, caplen = recs[len(recs) // 2]
    for name, value in (("over_snaplen", snap + 100), ("over_max", 262145), ("huge", 0xFFFFFFF0)):
        d = bytearray(data)
        struct.pack_into("<I", d, 16, min(snap, 200))  # a small snaplen, so that caplen > snaplen is reachable
        if name == "over_snaplen":
            struct.pack_into("<I", d, pos + 8, min(snap, 200) + 50)
        else:
            struct.pack_into("<I", d, pos + 8, value)
        files[f"{name}.pcap"] = bytes(d)
    # A small snaplen with every record longer (all cut by libpcap), then damage after them.
    d = bytearray(data)
    struct.pack_into("<I", d, 16, 60)
    files["all_over_snaplen_then_cut.pcap"] = bytes(d[: recs[-2][0] + 20])
    # Wire length below caplen; time stamps with the sign bit; sub-second values out of range.
    d = bytearray(data)
    for i, (pos, caplen) in enumerate(recs[:8]):
        if i % 3 == 0:
            struct.pack_into("<I", d, pos + 12, max(0, caplen - 4))
        if i % 3 == 1:
            struct.pack_into("<I", d, pos, 0x80000001)
        if i % 3 == 2:
            struct.pack_into("<I", d, pos + 4, 0xFFFFFFF0)
    files["odd_headers.pcap"] = bytes(d)
    # A zero-length record and a record of exactly the snaplen.
    d = bytearray(data[: recs[0][0]])
    d += struct.pack("<IIII", 1, 2, 0, 0)
    d += data[recs[0][0] :]
    files["zero_caplen.pcap"] = bytes(d)
    # Other byte order and precision; another version; a snaplen of 0 (libpcap picks its maximum).
    files["big_endian.pcap"] = swap_file(data, nano=False)
    files["big_endian_nano.pcap"] = swap_file(data, nano=True)
    files["big_endian_cut.pcap"] = swap_file(data, nano=False)[: recs[len(recs) // 2][0] + 7]
    d = bytearray(data)
    struct.pack_into("<I", d, 0, 0xA1B23C4D)
    files["nano_magic.pcap"] = bytes(d)
    d = bytearray(data)
    struct.pack_into("<HH", d, 4, 2, 2)
    files["version_2_2.pcap"] = bytes(d)
    d = bytearray(data)
    struct.pack_into("<I", d, 16, 0)
    files["snaplen_0.pcap"] = bytes(d)
    # A header claiming a huge snaplen (no reader may size a buffer from it), with a record
    # of 262,145 bytes in the middle: within that snaplen, but libpcap rejects it.
    d = bytearray(data[: recs[len(recs) // 2][0]])
    struct.pack_into("<I", d, 16, 0x7FFFFFFF)
    d += struct.pack("<IIII", 1, 2, 262145, 262145) + bytes(262145)
    d += data[recs[len(recs) // 2][0] :]
    files["huge_snaplen_long_record.pcap"] = bytes(d)
    paths = []
    for name, content in files.items():
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(content)
        paths.append(path)
    return paths


def sparse_match_file(tmp):
    """A 45 MB Ethernet/IPv4/TCP capture: 30,000 segments of 1,448 bytes between two
    hosts, one SYN (with a distinct port) every 75th record. Returns its path."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    payload = bytes(1448)
    for i in range(30000):
        syn = i % 75 == 0
        body = b"" if syn else payload
        sport = 40000 + (i // 75) % 20000 if syn else 40000
        tcp = struct.pack(">HHIIBBHHH", sport, 80, i * 1448 & 0xFFFFFFFF, 0, 5 << 4, 0x02 if syn else 0x10,
                          65535, 0, 0)
        total = 20 + len(tcp) + len(body)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, i & 0xFFFF, 0x4000, 64, 6, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip + tcp + body
        out.append(struct.pack("<IIII", 1700000000 + i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
        out.append(frame)
    path = os.path.join(tmp, "sparse_syns.pcap")
    with open(path, "wb") as f:
        f.write(b"".join(out))
    return path


def main():
    tool, corpus = sys.argv[1], sys.argv[2]
    ci = os.environ.get("CI", "").lower() == "true"
    if not os.path.isdir(corpus):
        if ci:
            print(f"FAIL: reference corpus missing at {corpus} (CI=true)")
            return 1
        print(f"SKIP: reference corpus missing at {corpus}")
        return 77
    captures = sorted(
        os.path.join(d, f)
        for d, _, names in os.walk(corpus)
        for f in names
        if f.endswith((".pcap", ".pcapng", ".cap"))
    )
    failures = []
    for path in captures:
        compare(tool, path, OPTION_SETS[:2], failures)
    damage_source = next((p for p in captures if p.endswith("/mptcp-v0.pcap")), None)
    if damage_source is None:
        print("FAIL: mptcp-v0.pcap (the source of the damaged files) is missing from the corpus")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        damaged = damaged_files(damage_source, tmp)
        for path in damaged:
            compare(tool, path, OPTION_SETS, failures)
        sparse = sparse_match_file(tmp)
        syns = "tcp[tcpflags] & tcp-syn != 0"
        compare(tool, sparse, [["-nn", syns], ["-S", "-nn", "-vvv", syns], ["conns", "--format", "ndjson", syns]],
                failures)
    print(f"{len(captures)} corpus captures, {len(damaged)} damaged files and a sparsely filtered 45 MB file, "
          "fast vs libpcap path")
    for f in failures:
        print("DIFF:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
