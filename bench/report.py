#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into the Markdown the README shows.

Usage: report.py RESULTS.tsv FACTS.tsv SCALE.tsv

RESULTS.tsv: key, capture, packets read, packets it stands for, TZ, run, wall s, user s,
sys s, peak RSS KiB, exit status (one line per timed run). FACTS.tsv and SCALE.tsv:
key<TAB>value lines. Medians over the runs; a time measured on a cut is multiplied by
(packets it stands for / packets read) and marked "extrapolated".

A time ratio is also computed round by round (the commands alternate within a round),
and the targets table shows its spread: a target is "met" only when every round meets
it, so one lucky round (or one loaded one) does not decide a verdict.
"""
import statistics
import sys

LABELS = {
    "floor_mmap": "floor: mmap record walk (bench/pcap_floor mmap)",
    "floor_pcap": "floor: libpcap pcap_next_ex loop (bench/pcap_floor pcap_next_ex)",
    "tcpscope_vvv": "tcpscope -S -nn -vvv",
    "tcpdump_vvv": "tcpdump -S -nn -vvv",
    "tcpscope_nn": "tcpscope -nn",
    "tcpdump_nn": "tcpdump -nn",
    "tcpscope_vvv_notz": "tcpscope -S -nn -vvv",
    "tcpdump_vvv_notz": "tcpdump -S -nn -vvv",
    "tcpscope_nn_notz": "tcpscope -nn",
    "tcpdump_nn_notz": "tcpdump -nn",
    "conns": "tcpscope conns --format ndjson",
    "explain": "tcpscope explain",
    "tcptrace": "tcptrace -n",
    "tshark": "tshark -q -z conv,tcp",
}


def read_kv(path):
    kv = {}
    try:
        with open(path) as f:
            for line in f:
                if "\t" in line:
                    k, v = line.rstrip("\n").split("\t", 1)
                    kv[k] = v
    except FileNotFoundError:
        pass
    return kv


class Row:
    def __init__(self, key, capture, count, stands_for, tz):
        self.key, self.capture, self.tz = key, capture, tz
        self.count, self.stands_for = int(count), int(stands_for)
        self.rss, self.failed = [], 0
        self.by_round = {}  # run number -> {"wall": s, "cpu": s}, successful runs only

    @property
    def wall(self):
        return [times["wall"] for times in self.by_round.values()]

    @property
    def cpu(self):
        return [times["cpu"] for times in self.by_round.values()]

    @property
    def scale(self):
        return self.stands_for / self.count if self.count else 1.0

    @property
    def extrapolated(self):
        return self.stands_for != self.count

    def median(self, metric):
        values = self.wall if metric == "wall" else self.cpu
        return statistics.median(values) * self.scale if values else None

    def in_round(self, run, metric):
        times = self.by_round.get(run)
        return times[metric] * self.scale if times else None

    @property
    def peak_rss_mib(self):
        return max(self.rss) / 1024 if self.rss else None


def read_results(path):
    rows = {}
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 11:
                continue
            key, capture, count, stands_for, tz, run, wall, user, sys_, rss, status = fields[:11]
            row = rows.setdefault((key, capture), Row(key, capture, count, stands_for, tz))
            if status == "0":
                row.by_round[run] = {"wall": float(wall), "cpu": float(user) + float(sys_)}
                row.rss.append(int(rss))
            else:
                row.failed += 1
    return rows


def fmt_int(v):
    return f"{int(v):,}" if v not in (None, "", "?") else "?"


def main():
    results, facts_path, scale_path = sys.argv[1:4]
    rows = read_results(results)
    facts, scale = read_kv(facts_path), read_kv(scale_path)
    metric = facts.get("metric", "wall")
    metric_name = "wall time" if metric == "wall" else "user+sys CPU time"
    cut = facts.get("tshark_cut", "?")

    def rss(key, capture="big"):
        r = rows.get((key, capture))
        return r.peak_rss_mib if r else None

    mib = lambda b: int(b) / 2**20 if b not in (None, "") else 0
    print(f"Run of {facts.get('date', '?')} at {facts.get('commit', '?')} on {facts.get('machine', '?')}; "
          f"load average at the start {facts.get('load', '?')}. {facts.get('versions', '')}.\n")
    print(f"Captures (real loopback HTTP, nginx + wrk, recorded with `tcpscope -i lo -B 131072 -w`):\n")
    print(f"- **big**: {fmt_int(facts.get('big_packets'))} packets, {mib(facts.get('big_bytes')):,.0f} MiB, "
          f"{fmt_int(facts.get('big_conns'))} connections ({fmt_int(facts.get('big_syns'))} with a SYN; "
          f"tcptrace reports {fmt_int(facts.get('big_tcptrace_conns'))}); "
          f"recorder dropped {facts.get('big_recorder_drops', '?')}")
    print(f"- **many**: {fmt_int(facts.get('many_packets'))} packets, {mib(facts.get('many_bytes')):,.0f} MiB, "
          f"{fmt_int(facts.get('many_conns'))} connections ({fmt_int(facts.get('many_syns'))} with a SYN; "
          f"tcptrace reports {fmt_int(facts.get('many_tcptrace_conns'))}); "
          f"recorder dropped {facts.get('many_recorder_drops', '?')}\n")
    print(f"Median of {facts.get('runs', '?')} rounds, the commands alternating within each round, files in the "
          f"page cache, stdout to /dev/null, `TZ=UTC` unless the row says otherwise. Ratios use the {metric_name}"
          f" (`METRIC`)." + (f" tshark read the first 1/{cut} of each capture: its time is extrapolated to the"
                              f" whole file by packet count, its memory is the cut's." if cut not in ("1", "?") else
                              " tshark read each whole capture.") + "\n")
    print("| command | capture | TZ | median wall (s) | median user+sys (s) | packets/s | peak RSS (MiB) |")
    print("|---|---|---|---:|---:|---:|---:|")
    for (key, capture), r in rows.items():
        label = LABELS.get(key, key)
        if not r.wall:
            print(f"| `{label}` | {capture} | {r.tz} | failed | | | |")
            continue
        wall, cpu = r.median("wall"), r.median("cpu")
        pps = r.stands_for / r.median(metric) if r.median(metric) else 0
        note = f" (cut 1/{cut}, extrapolated)" if r.extrapolated else ""
        failed = f" ({r.failed} failed)" if r.failed else ""
        print(f"| `{label}`{note} | {capture} | {r.tz} | {wall:.2f}{failed} | {cpu:.2f} | {pps:,.0f} | "
              f"{r.peak_rss_mib:,.1f} |")
    print("\nThe mmap walk's RSS counts the file's pages it maps (page cache), not heap.\n")

    targets = []

    def meets(value, goal, higher_is_better):
        return value >= goal if higher_is_better else value <= goal

    def ratio_row(what, num, den, goal, higher_is_better=True):
        if num is None or den is None or den == 0:
            targets.append((what, "not measured", "?"))
            return
        value = num / den
        targets.append((what, f"{value:.1f}x", "met" if meets(value, goal, higher_is_better) else "**not met**"))

    def time_ratio_row(what, num_key, den_key, capture, goal, higher_is_better=True):
        """The ratio of two commands' median times, with its range over the rounds."""
        num, den = rows.get((num_key, capture)), rows.get((den_key, capture))
        value = num.median(metric) / den.median(metric) if num and den and num.wall and den.wall else None
        if value is None or value == 0:
            targets.append((what, "not measured", "?"))
            return
        per_round = []
        for run in num.by_round:
            a, b = num.in_round(run, metric), den.in_round(run, metric)
            if a is not None and b:
                per_round.append(a / b)
        shown = f"{value:.1f}x"
        if len(per_round) > 1:
            shown += f" ({min(per_round):.1f}-{max(per_round):.1f}x)"
        missed = sum(not meets(r, goal, higher_is_better) for r in per_round)
        if not meets(value, goal, higher_is_better):
            verdict = "**not met**"
        elif missed:
            verdict = f"**not met** in {missed} of {len(per_round)} rounds"
        else:
            verdict = "met"
        targets.append((what, shown, verdict))

    for tz, suffix in (("TZ=UTC", ""), ("TZ unset", "_notz")):
        time_ratio_row(f"`-S -nn -vvv` >= 10x tcpdump's packets/s ({tz})", "tcpdump_vvv" + suffix,
                       "tcpscope_vvv" + suffix, "big", 10)
        time_ratio_row(f"`-nn` >= 10x tcpdump's packets/s ({tz})", "tcpdump_nn" + suffix, "tcpscope_nn" + suffix,
                       "big", 10)
    for capture in ("big", "many"):
        time_ratio_row(f"{capture}: `conns` within 2x of the libpcap-loop floor (conns / floor time)", "conns",
                       "floor_pcap", capture, 2, higher_is_better=False)
        time_ratio_row(f"{capture}: `conns` >= 10x tcptrace's speed", "tcptrace", "conns", capture, 10)
        ratio_row(f"{capture}: `conns` <= 1/10 of tcptrace's memory (tcptrace / conns peak RSS)",
                  rss("tcptrace", capture), rss("conns", capture), 10)
        time_ratio_row(f"{capture}: `conns` >= 50x tshark's conversation table"
                       + (" (tshark extrapolated)" if cut not in ("1", "?") else ""), "tshark", "conns", capture, 50)
        time_ratio_row(f"{capture}: `explain` within 3x of `conns` (explain / conns time)", "explain", "conns",
                       capture, 3, higher_is_better=False)

    per_conn = None
    if "concurrent1000000_conns_rss_kib" in scale and "concurrent100000_conns_rss_kib" in scale:
        per_conn = (int(scale["concurrent1000000_conns_rss_kib"]) - int(scale["concurrent100000_conns_rss_kib"])) * 1024 / 900000
        targets.append(("<= 256 bytes per tracked connection (`conns`, 1 M concurrent)", f"{per_conn:,.0f} B",
                        "met" if per_conn <= 256 else "**not met**"))
    if "steady_conns_rss_kib" in scale and "single_conns_rss_kib" in scale:
        if "steady_tcpdump_rss_kib" in scale and "single_tcpdump_rss_kib" in scale:
            targets.append(("(for comparison: `tcpdump -nn`'s peak RSS, 10 GB vs big)",
                            f"{int(scale['steady_tcpdump_rss_kib']) / 1024:,.1f} vs "
                            f"{int(scale['single_tcpdump_rss_kib']) / 1024:,.1f} MiB", ""))
        for what, label in (("conns", "`conns`"), ("print", "`-nn`"), ("print_absolute", "`-S -nn`")):
            if f"steady_{what}_rss_kib" not in scale:
                continue
            steady, single = int(scale[f"steady_{what}_rss_kib"]), int(scale[f"single_{what}_rss_kib"])
            ok = steady <= single * 1.2 + 4096
            size = f"{int(scale.get('steady_bytes', 0)) / 1e9:.1f} GB"
            targets.append((f"{label}: peak RSS does not grow with the file ({size} vs big; met: within 20% + 4 MiB)",
                            f"{steady / 1024:,.1f} vs {single / 1024:,.1f} MiB", "met" if ok else "**not met**"))
    elif "steady_skipped" in scale:
        targets.append(("peak RSS does not grow with the file (10 GB)", scale["steady_skipped"], "?"))
    if "live_tcpscope_dropped" in scale:
        a, b = scale["live_tcpscope_dropped"], scale["live_tcpdump_dropped"]
        ok = a.isdigit() and b.isdigit() and int(a) <= int(b)
        targets.append(("live: tcpscope's kernel drops <= tcpdump's on the same load",
                        f"{a} vs {b} dropped (of {fmt_int(scale.get('live_tcpscope_received'))} / "
                        f"{fmt_int(scale.get('live_tcpdump_received'))} received)", "met" if ok else "**not met**"))
    for opts in ("-S -nn -vvv", "-nn"):
        verdict = facts.get(f"same_output {opts}")
        if verdict:
            targets.append((f"`{opts}` output byte for byte tcpdump's on big (TZ=UTC)", verdict,
                            "met" if verdict == "identical" else "**not met**"))

    print("Each time ratio is the ratio of the medians, with its range over the rounds in brackets; it is met"
          " only when every round meets it.\n")
    print("| target (issue 6) | measured | |")
    print("|---|---:|---|")
    for what, value, verdict in targets:
        print(f"| {what} | {value} | {verdict} |")

    if scale:
        print("\nScale:\n")
        if per_conn is not None:
            print("| concurrent connections | `conns` peak RSS (MiB) | peak tracked | `tcpscope -nn` peak RSS (MiB) |")
            print("|---:|---:|---:|---:|")
            for n in ("100000", "1000000"):
                g = lambda k: int(scale.get(f"concurrent{n}_{k}", 0)) / 1024
                print(f"| {int(n):,} | {g('conns_rss_kib'):,.1f} | {fmt_int(scale.get(f'concurrent{n}_conns_peak_tracked'))}"
                      f" | {g('print_rss_kib'):,.1f} |")
            def slope(k):
                hi, lo = scale.get(f"concurrent1000000_{k}"), scale.get(f"concurrent100000_{k}")
                return (int(hi) - int(lo)) * 1024 / 900000 if hi and lo else 0
            print(f"| bytes per connection (the 900,000 more) | {slope('conns_rss_kib'):,.0f} | | "
                  f"{slope('print_rss_kib'):,.0f} |")
        if "steady_bytes" in scale:
            print(f"\nLarge file: {scale['steady_copies']} shifted copies of big, {mib(scale['steady_bytes']):,.0f} MiB, "
                  f"{fmt_int(scale['steady_packets'])} packets; `conns` tracked at most "
                  f"{fmt_int(scale.get('steady_conns_peak_tracked'))} connections at once.")
        if "live_tcpscope_dropped" in scale:
            print(f"\nLive ({scale.get('live_seconds')} s in all of wrk keep-alive + one connection per request on lo, "
                  f"both recorders at once, each with its default kernel buffer: tcpscope 8 MiB, tcpdump "
                  f"libpcap's 2 MiB): tcpscope captured "
                  f"{fmt_int(scale.get('live_tcpscope_captured'))}, dropped {scale['live_tcpscope_dropped']}, "
                  f"used {scale.get('live_tcpscope_cpu_s', '?')} s of CPU; "
                  f"tcpdump captured {fmt_int(scale.get('live_tcpdump_captured'))}, dropped "
                  f"{scale['live_tcpdump_dropped']}, used {scale.get('live_tcpdump_cpu_s', '?')} s of CPU.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
