#!/usr/bin/env python3
"""Differential test of the TCP printer against the installed tcpdump 4.99.3 on
random segments: random option lists (known kinds with right and wrong lengths,
MPTCP subtypes, TFO, unknown kinds), flags, header lengths, payloads, bad
checksums, IPv4 and IPv6, cut at random capture lengths, few port pairs (so the
relative-sequence table sees collisions). Each run writes raw-IP captures, prints
them with tcpdump and with tcp_text_driver for six option sets, and compares the
TCP part of every packet (compare.py's rules). Exit status 1 on any difference.

usage: tcp_text_differential.py DRIVER [SEEDS]
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_tcp_text_fixtures as g  # noqa: E402  (segment/pcap builders)

OPTION_SETS = ['-n', '-n -S', '-n -v', '-n -vv', '-nn -S -vvv', '-n -q']
KINDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 19, 20, 28, 29, 30, 34, 253, 254, 99, 200]
MPTCP_FIRST = [0, 1, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31, 0x34, 0x36, 0x40, 0x50, 0x51, 0x60, 0x70, 0x80, 0xf0]


def random_options(rnd, size):
    opts = bytearray()
    while len(opts) < size:
        k = rnd.choice(KINDS)
        if k in (0, 1):
            opts.append(k)
            continue
        if rnd.random() < 0.8:
            length = {2: 4, 3: 3, 4: 2, 5: rnd.choice([10, 18, 26, 34]), 6: 6, 7: 6, 8: 10, 11: 6, 12: 6, 13: 6,
                      19: 18, 20: 4, 28: 4, 29: rnd.randint(2, 12),
                      30: rnd.choice([3, 4, 8, 10, 12, 16, 18, 20, 22, 24, 26, 28, 30]),
                      34: rnd.choice([2, 6, 10, 18, 5]), 254: rnd.choice([2, 3, 4, 6, 8, 12])}.get(k, rnd.randint(2, 10))
        else:
            length = rnd.randint(0, 45)
        data = bytearray(rnd.getrandbits(8) for _ in range(max(0, length - 2)))
        if k == 30 and data:
            data[0] = rnd.choice(MPTCP_FIRST)
        if k == 254 and len(data) >= 2 and rnd.random() < 0.5:
            data[0:2] = b'\xf9\x89'
        opts += bytes([k, length & 0xff]) + data
    return bytes(opts[:size])


def random_capture(seed, count):
    rnd = random.Random(seed)
    records = []
    for _ in range(count):
        v6 = rnd.random() < 0.3
        a, b = (g.V6_SRC, g.V6_DST) if v6 else (g.V4_SRC, g.V4_DST)
        src, dst = (a, b) if rnd.random() < 0.5 else (b, a)
        seg, src, dst = g.tcp(
            sport=rnd.choice([1000, 2000, 3000]), dport=rnd.choice([1000, 2000, 3000, 4000]),
            seq=rnd.getrandbits(32), ack=rnd.getrandbits(32),
            flags=rnd.choice([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0xff, 0x00, 0x52, 0xc2, 0x30, 0x19]),
            win=rnd.getrandbits(16), urg=rnd.getrandbits(16),
            opts=random_options(rnd, rnd.choice([0, 0, 4, 8, 12, 20, 40])),
            payload=bytes(rnd.getrandbits(8) for _ in range(rnd.choice([0, 0, 0, 1, 5, 31, 60]))),
            doff=None if rnd.random() < 0.93 else rnd.randint(0, 15), v6=v6, bad_cksum=rnd.random() < 0.3,
            src=src, dst=dst)
        pkt = g.ip_packet(seg, src, dst)
        hdr = 40 if v6 else 20
        records.append((pkt, len(pkt) if rnd.random() < 0.7 else rnd.randint(hdr, len(pkt))))
    return g.pcap(records)


def main():
    driver = sys.argv[1]
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    tcpdump = shutil.which('tcpdump') or ('/usr/sbin/tcpdump' if os.path.exists('/usr/sbin/tcpdump') else None)
    if tcpdump is None:
        print('SKIP: tcpdump is not installed (the reference for this test)')
        return 1 if os.environ.get('CI') == 'true' else 0
    import tcp_text_compare as t  # compare.py's extraction rules
    total = differing = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            path = os.path.join(tmp, 'random%d.pcap' % seed)
            with open(path, 'wb') as f:
                f.write(random_capture(seed, 2000))
            for opts in OPTION_SETS:
                env = dict(os.environ, TZ='UTC', LC_ALL='C')
                exp = subprocess.run([tcpdump, '-#', '-r', path] + opts.split(), capture_output=True, env=env)
                act = subprocess.run([driver, path] + opts.split(), capture_output=True)
                expected = t.compare.split_packets(exp.stdout.decode('latin-1'))
                actual = t.compare.split_packets(act.stdout.decode('latin-1'))
                for n, text in expected.items():
                    e = t.tcp_part(text)
                    if e is None:
                        continue
                    total += 1
                    a = actual.get(n)
                    a = a.split('  ', 1)[1] if a else None
                    if a is not None:
                        a = t.tcp_part(a) or a
                    if a != e:
                        differing += 1
                        if differing <= 10:
                            print('seed %d %s packet %d\n  - %r\n  + %r' % (seed, opts, n, e, a))
    print('tcp text vs tcpdump on random segments: %d/%d identical' % (total - differing, total))
    return 1 if differing or total == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
