#!/usr/bin/env python3
"""Conformance gate against tcpdump 4.99.3: runs the corpus's compare.py on a
tcpscope binary and fails when the share of identical TCP packets is below the
bars, overall and per link type / tunnel.

Groups: the manifest's linktype column (EN10MB, LINUX_SLL, NULL, PPP, and
RAW/IPV4/IPV6 together as "raw"), plus the tunnels found in the captures
themselves: 802.1Q (a VLAN tag in an Ethernet frame), VXLAN, Geneve and MPLS
(named in tcpdump's expected -n output).

Exit status: 0 pass, 1 below a bar or compare.py failed, 77 skipped (corpus
absent and CI is not "true"; under CI=true a missing corpus is a failure).
"""
import argparse
import os
import re
import struct
import subprocess
import sys

OVERALL_BAR = 98.0
GROUP_BAR = 99.5
GATED_GROUPS = ('EN10MB', 'LINUX_SLL', 'raw', 'NULL', 'PPP', '802.1Q', 'VXLAN', 'Geneve', 'MPLS')
CASE_LINE = re.compile(r'^(ok  |DIFF) (\S+)\s+(\d+)/(\d+)(.*)$')


def read_tsv(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    head = lines[0].split('\t')
    return [dict(zip(head, l.split('\t'))) for l in lines[1:] if l]


def packets(path):
    """Yield (linktype, bytes) for each record of a pcap or pcapng file."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            yield linktype, data[off + 16:off + 16 + incl]
            off += 16 + incl
    elif magic == b'\x0a\x0d\x0d\x0a':
        e = '<' if data[8:12] == b'\x4d\x3c\x2b\x1a' else '>'
        links = []
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + 'II', data[off:off + 8])
            if blen < 12:
                break
            body = data[off + 8:off + blen - 4]
            if btype == 0x0a0d0d0a:
                links = []
            elif btype == 1:
                links.append(struct.unpack(e + 'H', body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, cap = struct.unpack(e + 'IIII', body[:16])
                yield (links[iface] if iface < len(links) else -1), body[20:20 + cap]
            elif btype == 3 and len(body) >= 4:
                yield (links[0] if links else -1), body[4:]
            off += blen


def has_vlan_tag(path):
    try:
        for linktype, pkt in packets(path):
            if linktype == 1 and len(pkt) >= 14 and pkt[12:14] in (b'\x81\x00', b'\x88\xa8', b'\x91\x00'):
                return True
    except (OSError, struct.error):
        pass
    return False


def capture_groups(corpus, row):
    groups = []
    lt = row['linktype']
    groups.append('raw' if lt in ('RAW', 'IPV4', 'IPV6') else lt)
    pcap = os.path.join(corpus, row['pcap'])
    if lt == 'EN10MB' and has_vlan_tag(pcap):
        groups.append('802.1Q')
    name = os.path.basename(row['pcap']).rsplit('.', 1)[0]
    try:
        with open(os.path.join(corpus, 'expected', name + '__n.out'), encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        text = ''
    if 'VXLAN, ' in text:
        groups.append('VXLAN')
    if 'Geneve, ' in text:
        groups.append('Geneve')
    if 'MPLS (label ' in text:
        groups.append('MPLS')
    return groups


def load_known_differences(path):
    known = {}
    if path and os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            for line in f:
                line = line.rstrip('\n')
                if not line or line.startswith('#'):
                    continue
                case, _, reason = line.partition('\t')
                known[case.strip()] = reason.strip()
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--binary', required=True)
    ap.add_argument('--corpus', required=True, help='the tcpdump corpus folder (shared/corpus/tcpdump)')
    ap.add_argument('--known-differences', default=None)
    ap.add_argument('--jobs', default='2')
    args = ap.parse_args()

    compare = os.path.join(args.corpus, 'compare.py')
    if not os.path.exists(compare):
        if os.environ.get('CI') == 'true':
            print('FAIL: conformance corpus not found at %s (required under CI=true)' % args.corpus)
            return 1
        print('SKIP: conformance corpus not found at %s' % args.corpus)
        return 77
    if not os.access(args.binary, os.X_OK):
        print('FAIL: tcpscope binary not found: %s' % args.binary)
        return 1

    rows = {r['case']: r for r in read_tsv(os.path.join(args.corpus, 'manifest.tsv'))}
    groups_of_pcap = {}
    for r in rows.values():
        if r['pcap'] not in groups_of_pcap:
            groups_of_pcap[r['pcap']] = capture_groups(args.corpus, r)

    proc = subprocess.run([sys.executable, compare, '--tool', args.binary, '--jobs', args.jobs],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors='replace')
    if proc.returncode != 0:
        print(proc.stdout)
        print(proc.stderr)
        print('FAIL: compare.py exited with status %d' % proc.returncode)
        return 1

    total_m = total_n = 0
    per_group = {}
    differing = {}
    for line in proc.stdout.splitlines():
        m = CASE_LINE.match(line)
        if not m:
            continue
        case, same, n = m.group(2), int(m.group(3)), int(m.group(4))
        total_m += same
        total_n += n
        if same != n:
            differing[case] = (same, n, m.group(5).strip())
        for g in groups_of_pcap.get(rows[case]['pcap'], []):
            gm, gn = per_group.get(g, (0, 0))
            per_group[g] = (gm + same, gn + n)
    if total_n == 0:
        print(proc.stdout)
        print('FAIL: compare.py reported no case')
        return 1

    failed = False
    overall = 100.0 * total_m / total_n
    print('overall: %d/%d TCP packets identical (%.2f%%, bar %.1f%%)' % (total_m, total_n, overall, OVERALL_BAR))
    if overall < OVERALL_BAR:
        failed = True
    for g in sorted(per_group):
        gm, gn = per_group[g]
        pct = 100.0 * gm / gn if gn else 100.0
        gated = g in GATED_GROUPS
        mark = ''
        if gated and pct < GROUP_BAR:
            mark = '  BELOW BAR'
            failed = True
        print('  %-12s %5d/%-5d %6.2f%%%s%s' % (g, gm, gn, pct, ' (bar %.1f%%)' % GROUP_BAR if gated else '', mark))

    known = load_known_differences(args.known_differences)
    unlisted = [c for c in sorted(differing) if c not in known]
    if differing:
        print('differing cases: %d (%d listed in known-differences)' % (len(differing), len(differing) - len(unlisted)))
    for c in unlisted:
        same, n, note = differing[c]
        print('  not in known-differences: %s %d/%d %s' % (c, same, n, note))
    fixed = [c for c in sorted(known) if c in rows and c not in differing]
    for c in fixed:
        print('  listed but now identical (remove from known-differences): %s' % c)

    print('FAIL: below the conformance bar' if failed else 'PASS')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
