#!/usr/bin/env python3
"""The article's connection (examples/article.pcap, rebuilt from the 11 segments
the article prints) explained as the article explains it by hand: three
handshake segments, four data-transfer segments, a four-way teardown of four
segments started by the client, and the RFC 9293 states of its figures:
client CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT,
server LISTEN -> SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import collapse  # noqa: E402

EXPECTED_PHASES = ["handshake"] * 3 + ["data_transfer"] * 4 + ["teardown"] * 4
EXPECTED_CLIENT = ["CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"]
EXPECTED_SERVER = ["LISTEN", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"]


def main():
    dump, pcap = sys.argv[1], sys.argv[2]
    out = subprocess.run([dump, pcap], capture_output=True, text=True, timeout=30, check=True).stdout
    phases, client, server, kind = [], [], [], None
    for line in out.splitlines():
        p = line.split()
        if p[0] == "begin":
            client.append(p[2].split("/")[0])
            server.append(p[3].split("/")[0])
        elif p[0] == "seg":
            client.append(p[5].split("/")[0])
            server.append(p[6].split("/")[0])
            phases.append(p[7])
        elif p[0] == "end":
            kind = p[4]
    checks = [
        ("phases", phases, EXPECTED_PHASES),
        ("client states", collapse(client), EXPECTED_CLIENT),
        ("server states", collapse(server), EXPECTED_SERVER),
        ("close kind", kind, "kind=four_way_client_first"),
    ]
    failed = False
    for name, got, want in checks:
        ok = got == want
        failed |= not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {got}" + ("" if ok else f"\n     expected {want}"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
