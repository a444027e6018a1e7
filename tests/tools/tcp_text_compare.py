#!/usr/bin/env python3
"""Throw-away comparison of the TCP part only (from the ports to "length N" and
the TCP printer's trailers) between tcp_text_driver and the tcpdump 4.99.3
expected files of ../shared/corpus/tcpdump. Uses compare.py's extraction rules.

usage: tcp_text_compare.py DRIVER [--cases GLOB] [--verbose]
"""
import fnmatch
import importlib.util
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'corpus', 'tcpdump'))
spec = importlib.util.spec_from_file_location('compare', os.path.join(CORPUS, 'compare.py'))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def tcp_part(text):
    part = compare.comparable_part(text)
    m = compare.TCP_SUMMARY_RE.search(part)
    return part[m.start():] if m else None


def main():
    driver = sys.argv[1]
    glob = '*'
    verbose = '--verbose' in sys.argv
    if '--cases' in sys.argv:
        glob = sys.argv[sys.argv.index('--cases') + 1]
    rows = compare.read_tsv(os.path.join(CORPUS, 'manifest.tsv'))
    tcp_numbers = {r['pcap']: compare.parse_ranges(r['packet_numbers'])
                   for r in compare.read_tsv(os.path.join(CORPUS, 'tcp_packets.tsv'))}
    total = same = 0
    for row in rows:
        case = row['case']
        if not fnmatch.fnmatch(case, glob) or case.endswith('_x'):
            continue
        exp = compare.split_packets(compare.read_text(os.path.join(CORPUS, row['expected'])))
        res = subprocess.run([driver, os.path.join(CORPUS, row['pcap'])] + row['options'].split(),
                             capture_output=True)
        act = compare.split_packets(res.stdout.decode('latin-1'))
        diffs = []
        for n in sorted(tcp_numbers.get(row['pcap'], ())):
            e = tcp_part(exp.get(n, ''))
            if e is None:
                continue  # no TCP summary (e.g. IP bad-len): the frame's part
            total += 1
            a = act.get(n)
            a = a.split('  ', 1)[1] if a else None
            if a is not None:
                a = tcp_part(a) or a
            if a == e:
                same += 1
            else:
                diffs.append((n, e, a))
        if diffs:
            print(f'DIFF {case} {len(diffs)}')
            if verbose:
                for n, e, a in diffs[:5]:
                    print(f'  #{n}\n  - {e!r}\n  + {a!r}')
    print(f'tcp part: {same}/{total} identical')


if __name__ == '__main__':
    main()
