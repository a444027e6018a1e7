#!/usr/bin/env python3
"""Writes large synthetic captures for the resource-bound tests (Ethernet, IPv4, TCP).

Usage: gen_capture.py syn-flood N OUT.pcap     N SYNs, each from its own 4-tuple
       gen_capture.py retransmissions N OUT.pcap   one connection: handshake, then the
                                                   same 100-byte segment sent N times
       gen_capture.py concurrent N OUT.pcap    N connections open at once: all N SYNs,
                                                   then all SYN-ACKs, then each client's
                                                   ACK with a 100-byte request, then each
                                                   server's 300-byte answer (4 N packets;
                                                   none ends: memory per tracked connection)
Time stamps advance 1 µs per packet (no Zeek timer fires within the capture).
"""
import struct
import sys


def ip_checksum(header):
    s = sum(struct.unpack("!10H", header))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return b"\x00\x00\x5e\x00\x53\x01\x00\x00\x5e\x00\x53\x02\x08\x00" + ip + tcp


def write(path, frames):
    with open(path, "wb", buffering=1 << 22) as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, f in enumerate(frames):
            out.write(struct.pack("<IIII", 1700000000 + i // 1000000, i % 1000000, len(f), len(f)))
            out.write(f)


def syn_flood(n):
    server = bytes([192, 0, 2, 1])
    for i in range(n):
        # 10.x.y.z with 16 client ports each: 4-tuples all distinct
        src = bytes([10, (i >> 20) & 0xFF, (i >> 12) & 0xFF, (i >> 4) & 0xFF])
        yield frame(src, server, 20000 + (i & 15), 80, (i * 7919) & 0xFFFFFFFF, 0, 0x02)


def retransmissions(n):
    c, s = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    yield frame(c, s, 40000, 80, 1000, 0, 0x02)
    yield frame(s, c, 80, 40000, 5000, 1001, 0x12)
    yield frame(c, s, 40000, 80, 1001, 5001, 0x10)
    data = frame(c, s, 40000, 80, 1001, 5001, 0x18, b"x" * 100)
    for _ in range(n):
        yield data


def concurrent(n):
    server = bytes([192, 0, 2, 1])
    request, answer = b"q" * 100, b"r" * 300

    def client(i):
        return bytes([10, (i >> 20) & 0xFF, (i >> 12) & 0xFF, (i >> 4) & 0xFF]), 20000 + (i & 15)

    def isn(i):
        return (i * 7919) & 0xFFFFFFFF, (i * 104729 + 17) & 0xFFFFFFFF

    for i in range(n):
        (c, port), (cs, _) = client(i), isn(i)
        yield frame(c, server, port, 80, cs, 0, 0x02)
    for i in range(n):
        (c, port), (cs, ss) = client(i), isn(i)
        yield frame(server, c, 80, port, ss, (cs + 1) & 0xFFFFFFFF, 0x12)
    for i in range(n):
        (c, port), (cs, ss) = client(i), isn(i)
        yield frame(c, server, port, 80, (cs + 1) & 0xFFFFFFFF, (ss + 1) & 0xFFFFFFFF, 0x18, request)
    for i in range(n):
        (c, port), (cs, ss) = client(i), isn(i)
        yield frame(server, c, 80, port, (ss + 1) & 0xFFFFFFFF, (cs + 101) & 0xFFFFFFFF, 0x18, answer)


KINDS = {"syn-flood": syn_flood, "retransmissions": retransmissions, "concurrent": concurrent}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in KINDS:
        print(__doc__, file=sys.stderr)
        return 2
    n = int(sys.argv[2])
    write(sys.argv[3], KINDS[sys.argv[1]](n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
