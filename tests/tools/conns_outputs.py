#!/usr/bin/env python3
"""Checks `tcpscope conns` output formats against each other and against tshark.

1. The four formats describe the same connections: the json array, the ndjson
   lines, the conn.log rows (with Zeek's #fields/#types header) and the table
   rows have the same count, and conn_state/history/ids agree between json and
   conn.log.
2. iRTT equals tshark's tcp.analysis.initial_rtt for every conversation whose
   4-tuple appears once in both tools (tcp-semantics.md §2.8), and every ACK-RTT
   summary (samples, min, max per direction) is drawn from tshark's
   tcp.analysis.ack_rtt values of the ACKs the other side sent.

Usage: conns_outputs.py TCPSCOPE CORPUS_DIR
Exit 0 pass, 1 fail, 77 skipped (corpus or tshark missing, CI not "true").
"""
import glob
import json
import os
import shutil
import subprocess
import sys


def skip_or_fail(msg):
    if os.environ.get("CI") == "true":
        print(f"FAIL: {msg} (CI=true)")
        return 1
    print(f"SKIP: {msg}")
    return 77


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=dict(os.environ, TZ="UTC"))


def main():
    binary, corpus = sys.argv[1:3]
    traces = sorted(glob.glob(os.path.join(corpus, "zeek", "traces", "**", "*.pcap*"), recursive=True))
    if not traces:
        return skip_or_fail(f"no captures under {corpus}/zeek/traces")
    tshark = shutil.which("tshark")
    failures = []
    irtt_checked = 0
    rtt_checked = 0
    rows_total = 0
    for trace in traces:
        name = os.path.relpath(trace, corpus)
        outs = {}
        for fmt in ("json", "ndjson", "zeek", "table"):
            r = run([binary, "conns", "-r", trace, "--format", fmt])
            if r.returncode != 0:
                failures.append(f"{name}: --format {fmt} exited {r.returncode}: {r.stderr.strip()}")
            outs[fmt] = r.stdout
        try:
            arr = json.loads(outs["json"])
            nd = [json.loads(line) for line in outs["ndjson"].splitlines() if line.strip()]
        except ValueError as err:
            failures.append(f"{name}: invalid JSON: {err}")
            continue
        lines = outs["zeek"].splitlines()
        fields = next((l.split("\t")[1:] for l in lines if l.startswith("#fields")), None)
        types = next((l.split("\t")[1:] for l in lines if l.startswith("#types")), None)
        if not lines or lines[0] != "#separator \\x09" or not fields or not types or len(fields) != len(types):
            failures.append(f"{name}: conn.log header is not Zeek's")
            continue
        rows = [dict(zip(fields, l.split("\t"))) for l in lines if l and not l.startswith("#")]
        table_rows = [l for l in outs["table"].splitlines()[1:] if l.strip()]
        counts = {"json": len(arr), "ndjson": len(nd), "zeek": len(rows), "table": len(table_rows)}
        if len(set(counts.values())) != 1:
            failures.append(f"{name}: formats disagree on the number of connections: {counts}")
            continue
        if arr != nd:
            failures.append(f"{name}: json and ndjson objects differ")
        for obj, row in zip(arr, rows):
            z = obj["zeek"]
            for key, col in (("uid", "uid"), ("orig_h", "id.orig_h"), ("orig_p", "id.orig_p"),
                             ("conn_state", "conn_state"), ("history", "history"), ("orig_pkts", "orig_pkts")):
                got = str(z[key]) if z[key] != "" else "-"
                if got != row[col]:
                    failures.append(f"{name}: conn {obj['conn']}: json zeek.{key}={got!r} vs conn.log {col}={row[col]!r}")
        rows_total += len(arr)

        if not tshark:
            continue
        r = run([tshark, "-r", trace, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream", "-e", "ip.src", "-e",
                 "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e",
                 "tcp.analysis.initial_rtt", "-e", "tcp.analysis.ack_rtt"])
        streams = {}
        for line in r.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) < 8:
                continue
            stream, s4, s6, sp, d4, d6, dp, irtt = parts[:8]
            ack_rtt = parts[8] if len(parts) > 8 else ""
            key = frozenset([(s4 or s6, int(sp)), (d4 or d6, int(dp))])
            entry = streams.setdefault(stream, {"key": key, "irtt": None, "ack_rtt": {}})
            if irtt:
                entry["irtt"] = float(irtt)
            if ack_rtt:  # an ACK sent by (src) answers the data of (dst)
                entry["ack_rtt"].setdefault((d4 or d6, int(dp)), []).append(float(ack_rtt))
        per_key = {}
        for entry in streams.values():
            per_key.setdefault(entry["key"], []).append(entry["irtt"])
        ours = {}
        for obj in arr:
            key = frozenset([(obj["client"]["addr"], obj["client"]["port"]),
                             (obj["server"]["addr"], obj["server"]["port"])])
            ours.setdefault(key, []).append(obj["irtt"])
        theirs_rtt = {}
        for entry in streams.values():
            theirs_rtt.setdefault(entry["key"], []).append(entry["ack_rtt"])
        for obj in arr:
            key = frozenset([(obj["client"]["addr"], obj["client"]["port"]),
                             (obj["server"]["addr"], obj["server"]["port"])])
            if len(ours.get(key, [])) != 1 or len(theirs_rtt.get(key, [])) != 1:
                continue
            for direction, sender in (("client_to_server", "client"), ("server_to_client", "server")):
                mine_rtt = obj[direction]["ack_rtt"]
                values = theirs_rtt[key][0].get((obj[sender]["addr"], obj[sender]["port"]), [])
                if mine_rtt["samples"] == 0:
                    continue
                rtt_checked += 1
                lo, hi = (min(values), max(values)) if values else (None, None)
                if (not values or mine_rtt["samples"] > len(values) or mine_rtt["min"] < lo - 1.5e-6
                        or mine_rtt["max"] > hi + 1.5e-6):
                    failures.append(f"{name}: conn {obj['conn']} {direction}: ack_rtt {mine_rtt} not within "
                                    f"tshark's {len(values)} samples [{lo}, {hi}]")
        for key, theirs in per_key.items():
            if len(theirs) != 1 or len(ours.get(key, [])) != 1:
                continue  # reused or split tuples: streams are not comparable one to one
            mine = ours[key][0]
            if (theirs[0] is None) != (mine is None) or (mine is not None and abs(mine - theirs[0]) > 1.5e-6):
                failures.append(f"{name}: {sorted(key)}: irtt {mine} vs tshark {theirs[0]}")
            irtt_checked += 1

    print(f"conns outputs: {len(traces)} captures, {rows_total} connections consistent across formats; "
          f"iRTT compared with tshark on {irtt_checked} conversations, ACK RTT on {rtt_checked} directions")
    for f in failures:
        print("FAIL: " + f)
    if rows_total == 0:
        return skip_or_fail("tcpscope produced no connection at all (is the link/IP decoder in this build?)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
