#!/usr/bin/env python3
"""Seed inputs for the fuzz targets, made at run time from capture files.

Usage: seeds.py TARGET OUT_DIR CAPTURE_OR_DIR...

Reads classic pcap and pcapng files (the corpus of ../shared/corpus and examples/)
and writes, for each of the first frames of each file, one input in the target's
own layout (see the target's .cpp): decode_fuzz [link, 0] + frame; print_fuzz
[link, knobs, knobs, 0, seconds(4)] + frame; tcp_fuzz [knobs, 0] + the TCP segment
of Ethernet/IPv4 frames; tcp_options_fuzz [len] + the TCP options of those. Nothing
is copied into the repository: the seeds live in the build tree.
"""
import hashlib
import os
import struct
import sys

# Must follow kLinkTypes in fuzz_input.hpp.
LINK_TYPES = [0, 1, 9, 12, 14, 50, 101, 108, 113, 129, 178, 228, 229, 242, 276, 147]
FRAMES_PER_FILE = 4
MAX_SEEDS = 3000


def pcap_frames(data):
    """(link type, frame bytes) of a classic pcap or pcapng file; stops at damage."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic[0] in (0xD4, 0x4D) else ">"
        link = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
        off = 24
        while off + 16 <= len(data):
            _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
            off += 16
            if caplen > len(data) - off:
                return
            yield link, data[off:off + caplen]
            off += caplen
    elif magic == b"\x0a\x0d\x0d\x0a":
        off, end, links = 0, "<", []
        while off + 12 <= len(data):
            if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
                end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            btype, blen = struct.unpack(end + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                return
            body = data[off + 8:off + blen - 4]
            if btype == 1 and len(body) >= 2:
                links.append(struct.unpack(end + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, caplen, _ = struct.unpack(end + "IIIII", body[:20])
                if iface < len(links):
                    yield links[iface], body[20:20 + caplen]
            off += blen


def tcp_segment(link, frame):
    """The TCP segment of an Ethernet/IPv4 or raw IPv4 frame, or None."""
    if link == 1 and len(frame) >= 14 and frame[12:14] == b"\x08\x00":
        ip = frame[14:]
    elif link in (12, 101, 228):
        ip = frame
    else:
        return None
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        return None
    return ip[(ip[0] & 15) * 4:]


def seed(target, link, frame, n):
    index = LINK_TYPES.index(link) if link in LINK_TYPES else len(LINK_TYPES) - 1
    if target == "decode_fuzz":
        return bytes([index, 0]) + frame
    if target == "print_fuzz":
        knobs = (n * 0x2F5B) & 0xFFFF
        return bytes([index, knobs >> 8, knobs & 0xFF, 0]) + struct.pack(">I", 1700000000 + n) + frame
    segment = tcp_segment(link, frame)
    if segment is None or len(segment) < 20:
        return None
    if target == "tcp_fuzz":
        return bytes([n & 0x3F, 0]) + segment
    if target == "tcp_options_fuzz":
        header_len = (segment[12] >> 4) * 4
        return bytes([max(header_len - 20, 0)]) + segment[20:header_len] if header_len > 20 else None
    return None


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    target, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for arg in sys.argv[3:]:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".pcap", ".pcapng", ".trace"))]
        elif os.path.isfile(arg):
            files.append(arg)
    written = 0
    for path in sorted(files):
        with open(path, "rb") as f:
            data = f.read()
        for n, (link, frame) in enumerate(pcap_frames(data)):
            if n >= FRAMES_PER_FILE or written >= MAX_SEEDS:
                break
            s = seed(target, link, frame, n)
            if s:
                with open(os.path.join(out_dir, hashlib.sha1(s).hexdigest()), "wb") as out:
                    out.write(s)
                written += 1
    print(f"seeds.py: {written} seeds for {target} from {len(files)} captures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
