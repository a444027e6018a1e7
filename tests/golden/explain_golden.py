#!/usr/bin/env python3
"""Golden and behaviour tests of `tcpscope explain` and `tcpscope diagram`.

Modes (one ctest each, see explain.cmake):
  golden NAME   runs the TESTLIST row NAME (TZ=UTC, LC_ALL=C.UTF-8, stderr dropped) and diffs
                stdout against explain/baseline/NAME.out; exit status must be 0.
                `--update` rewrites the baseline instead (only via tests/tools/update-golden-explain).
  article       the article's own analysis, asserted line by line on the en and zh texts: the three
                phases in order, the article's simplified seq/ack tables exactly, the per-side state
                summaries, the flag meanings, "ack = seq + 1", the payloads "ping"/"pong".
  json          `explain --format json` parses, has one object per connection, stable ids only
                (flags, phases, states, notes, analysis), and states that only move along RFC edges
                that the rules name.
  svg           `diagram --format svg` is well-formed XML with one arrow per segment.
  mermaid       `diagram --format mermaid` has sequenceDiagram shape: participants, one message per segment.
  html          `diagram --format html` is one self-contained file: no external fetches, the
                connection data embedded as JSON that parses, one entry per connection.
  conn-range    `--conn N` out of range: exit status 2 and an error naming the valid range.
  bad-input     hand-built captures: 3000 retransmissions of one segment (each flagged and named,
                the text explains the last one), binary payloads of every byte value (hex
                previews, no control bytes in the text, JSON previews).
Corpus captures live in ../shared/corpus; when it is missing the corpus rows print a visible
SKIP, except under CI=true, where a missing corpus fails.
"""
import argparse
import difflib
import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TESTLIST = os.path.join(HERE, "explain", "TESTLIST")
BASELINE = os.path.join(HERE, "explain", "baseline")
SKIP_RC = 77


def rows():
    out = {}
    with open(TESTLIST, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, capture, *args = line.split()
            out[name] = (capture, args)
    return out


def capture_path(source_dir, capture):
    if capture.startswith("corpus/"):
        return os.path.join(source_dir, "..", "shared", capture)
    return os.path.join(source_dir, capture)


def missing_corpus(path):
    if os.path.exists(path):
        return None
    if os.environ.get("CI") == "true":
        print(f"FAIL: corpus capture {path} is missing (CI=true)")
        return 1
    print(f"SKIP: corpus capture {path} is missing")
    return SKIP_RC


def run(tcpscope, args, check=True):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    p = subprocess.run([tcpscope, *args], env=env, capture_output=True, timeout=120)
    if check and p.returncode != 0:
        raise SystemExit(f"FAIL: tcpscope {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p


def golden(a):
    capture, args = rows()[a.name]
    path = capture_path(a.source_dir, capture)
    if (rc := missing_corpus(path)) is not None:
        return rc
    sub, *rest = args
    out = run(a.tcpscope, [sub, "-r", path, *rest]).stdout.decode()
    baseline = os.path.join(BASELINE, a.name + ".out")
    if a.update:
        os.makedirs(BASELINE, exist_ok=True)
        with open(baseline, "w", encoding="utf-8") as f:
            f.write(out)
        print(f"updated {baseline}")
        return 0
    with open(baseline, encoding="utf-8") as f:
        expected = f.read()
    if out != expected:
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), out.splitlines(True),
                                                   "baseline", "actual"))
        print(f"FAIL: {a.name} differs from {baseline}")
        return 1
    print(f"ok: {a.name}")
    return 0


# The article's "过程简化如下" tables, exactly (client lines at column 0, server lines at column 38).
ARTICLE_TABLES = [
    ["seq = 2099912037",
     " " * 38 + "seq = 2547375254 ack = 2099912038",
     "seq = 2099912038 ack = 2547375255"],
    ["seq = 2099912038 ack = 2547375255",
     " " * 38 + "seq = 2547375255 ack = 2099912042",
     " " * 38 + "seq = 2547375255 ack = 2099912042",
     "seq = 2099912042 ack = 2547375259"],
    ["seq = 2099912042 ack = 2547375259",
     " " * 38 + "seq = 2547375259 ack = 2099912043",
     " " * 38 + "seq = 2547375259 ack = 2099912043",
     "seq = 2099912043 ack = 2547375260"],
]


def tables(text):
    """The simplified tables of an explain text, de-indented, one list of lines each."""
    out, cur = [], None
    for line in text.splitlines():
        if line.strip() == "Client                                Server":
            cur = []
            out.append(cur)
            continue
        if cur is not None:
            if not line.strip():
                cur = None
                continue
            cur.append(line[4:].rstrip())
    return out


def article(a):
    path = os.path.join(a.source_dir, "examples", "article.pcap")
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    for lang, phases, client, server, terms in [
        ("en", ["Three-way handshake", "Data transfer", "Four-way teardown"], "Client: ", "Server: ",
         ["[S] means SYN", "[S.] means SYN+ACK", "[.] means ACK", "[P.] means PSH+ACK", "[F.] means FIN+ACK",
          'payload 4 B: "ping"', 'payload 4 B: "pong"',
          "ack 2099912038 = 2099912037 + 1: a SYN occupies one sequence number",
          "ack 2099912043 = 2099912042 + 1: a FIN occupies one sequence number",
          "MSS: client 1412, server 1460", "four_way_client_first", "Zeek: conn_state SF"]),
        ("zh", ["三次握手", "数据传输", "四次挥手"], "客户端：", "服务端：",
         ["[S] 代表 SYN", "[S.] 代表 SYN+ACK", "[.] 代表 ACK", "报文段", "序列号", "确认号",
          "数据 4 字节：“ping”", "数据 4 字节：“pong”", "过程简化如下"]),
    ]:
        text = run(a.tcpscope, ["explain", "-r", path, "--lang", lang]).stdout.decode()
        headers = [l for l in text.splitlines() if re.match(r"^\d+[.、] ?", l)]
        expect(len(headers) == 3, f"{lang}: three phases, got {headers}")
        for h, p in zip(headers, phases):
            expect(p in h, f"{lang}: phase '{p}' in '{h}'")
        expect(tables(text) == ARTICLE_TABLES, f"{lang}: the article's seq/ack tables, got {tables(text)}")
        expect(f"  {client}ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT" in text.splitlines(),
               f"{lang}: client teardown summary")
        expect(f"  {server}ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED" in text.splitlines(),
               f"{lang}: server teardown summary")
        expect(f"  {client}CLOSED → SYN-SENT → ESTABLISHED" in text.splitlines(), f"{lang}: client handshake summary")
        expect(f"  {server}LISTEN → SYN-RECEIVED → ESTABLISHED" in text.splitlines(), f"{lang}: server handshake summary")
        for t in terms:
            expect(t in text, f"{lang}: '{t}'")
        expect("\x1b[" not in text, f"{lang}: no colour when piped")
        # Each segment in tcpdump's -S -nn -vvv form (two lines), as tcpdump prints it.
        tcpdump = subprocess.run(["tcpdump", "-S", "-nn", "-vvv", "-r", path], capture_output=True, text=True,
                                 env=dict(os.environ, TZ="UTC")).stdout.splitlines()
        for line in tcpdump:
            expect(line.strip() in text, f"{lang}: tcpdump line '{line.strip()[:60]}...'")
    coloured = run(a.tcpscope, ["explain", "-r", path, "--color", "always"]).stdout.decode()
    expect("\x1b[1m" in coloured, "--color always colours")
    relative = run(a.tcpscope, ["explain", "-r", path, "--relative"]).stdout.decode()
    expect(tables(relative)[0] == ["seq = 0", " " * 38 + "seq = 0 ack = 1", "seq = 1 ack = 1"],
           f"--relative handshake table, got {tables(relative)[0]}")
    for f in failures:
        print("FAIL:", f)
    print("ok: article" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


RFC_STATES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
              "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
PHASES = {"before_capture", "handshake", "data_transfer", "teardown", "reset"}


def json_mode(a):
    captures = [os.path.join(a.source_dir, "examples", "article.pcap")]
    corpus = os.path.join(a.source_dir, "..", "shared", "corpus", "zeek", "traces", "tcp")
    if (rc := missing_corpus(corpus)) is None:
        captures += [os.path.join(corpus, f) for f in ("syn-then-rst.pcap", "missing-syn.pcap",
                                                        "retransmit-fast009.pcap", "single-rst.pcap")]
    elif rc == 1:
        return 1
    failures = []
    for path in captures:
        data = json.loads(run(a.tcpscope, ["explain", "--format", "json", "-r", path]).stdout)
        conns = json.loads(run(a.tcpscope, ["conns", "--format", "json", "-r", path]).stdout)
        if len(data) != len(conns):
            failures.append(f"{path}: {len(data)} explained, {len(conns)} connections")
        for c in data:
            if len(c["segments"]) != c["segments_count"]["client"] + c["segments_count"]["server"]:
                failures.append(f"{path}: conn {c['id']} segment count")
            for s in c["segments"]:
                if s["phase"] not in PHASES:
                    failures.append(f"phase id {s['phase']}")
                for side in ("client", "server"):
                    if s[side]["state"] not in RFC_STATES:
                        failures.append(f"state {s[side]['state']}")
                for r in s["rules"]:
                    if not re.fullmatch(r"[a-z0-9_]+", r["rule"]) or not re.fullmatch(r"3\.\d+(\.\d+)*", r["rfc9293"]):
                        failures.append(f"rule id {r}")
                for n in s["notes"] + s["analysis"]:
                    if not re.fullmatch(r"[a-z0-9_]+", n):
                        failures.append(f"note id {n}")
    # The article's segments, field by field.
    art = json.loads(run(a.tcpscope, ["explain", "--format", "json", "-r", captures[0]]).stdout)[0]
    got = [(s["flags"], s["seq"], s["ack"], s["len"], s["client"]["state"], s["server"]["state"], s["phase"])
           for s in art["segments"]]
    want = [("S", 2099912037, 0, 0, "SYN-SENT", "LISTEN", "handshake"),
            ("S.", 2547375254, 2099912038, 0, "ESTABLISHED", "SYN-RECEIVED", "handshake"),
            (".", 2099912038, 2547375255, 0, "ESTABLISHED", "ESTABLISHED", "handshake"),
            ("P.", 2099912038, 2547375255, 4, "ESTABLISHED", "ESTABLISHED", "data_transfer"),
            (".", 2547375255, 2099912042, 0, "ESTABLISHED", "ESTABLISHED", "data_transfer"),
            ("P.", 2547375255, 2099912042, 4, "ESTABLISHED", "ESTABLISHED", "data_transfer"),
            (".", 2099912042, 2547375259, 0, "ESTABLISHED", "ESTABLISHED", "data_transfer"),
            ("F.", 2099912042, 2547375259, 0, "FIN-WAIT-1", "CLOSE-WAIT", "teardown"),
            (".", 2547375259, 2099912043, 0, "FIN-WAIT-2", "CLOSE-WAIT", "teardown"),
            ("F.", 2547375259, 2099912043, 0, "TIME-WAIT", "LAST-ACK", "teardown"),
            (".", 2099912043, 2547375260, 0, "TIME-WAIT", "CLOSED", "teardown")]
    if got != want:
        failures.append(f"article segments: {got}")
    if art["close_kind"] != "four_way_client_first" or art["segments"][3]["preview"] != "ping":
        failures.append("article close kind / preview")
    for f in failures:
        print("FAIL:", f)
    print("ok: json" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


def svg(a):
    path = os.path.join(a.source_dir, "examples", "article.pcap")
    out = run(a.tcpscope, ["diagram", "--format", "svg", "-r", path]).stdout
    root = ET.fromstring(out)  # raises on malformed XML
    ns = "{http://www.w3.org/2000/svg}"
    arrows = root.findall(f".//{ns}line[@class='arrow']")
    states = [t.text for t in root.iter(f"{ns}text") if t.text in RFC_STATES]
    bands = root.findall(f".//{ns}rect[@class='band']")
    ok = len(arrows) == 11 and len(bands) == 3 and "TIME-WAIT" in states and "LAST-ACK" in states
    print(f"{'ok' if ok else 'FAIL'}: svg arrows={len(arrows)} bands={len(bands)} states={states}")
    return 0 if ok else 1


def mermaid(a):
    path = os.path.join(a.source_dir, "examples", "article.pcap")
    lines = run(a.tcpscope, ["diagram", "--format", "mermaid", "-r", path]).stdout.decode().splitlines()
    messages = [l for l in lines if re.match(r"^    [CS]->>[SC]: \(\d+\) ", l)]
    ok = (lines[1] == "sequenceDiagram" and lines[2].startswith("    participant C as Client ")
          and lines[3].startswith("    participant S as Server ") and len(messages) == 11
          and messages[0] == "    C->>S: (1) SYN seq=2099912037"
          and messages[1] == "    S->>C: (2) SYN+ACK seq=2547375254 ack=2099912038"
          and "    Note left of C: TIME-WAIT" in lines and "    Note right of S: CLOSED" in lines
          and not any(";" in l for l in lines))
    print(f"{'ok' if ok else 'FAIL'}: mermaid ({len(messages)} messages)")
    return 0 if ok else 1


def html(a):
    corpus = os.path.join(a.source_dir, "..", "shared", "corpus", "zeek", "traces", "tcp", "retransmit-fast009.pcap")
    paths = [os.path.join(a.source_dir, "examples", "article.pcap")]
    if os.path.exists(corpus):
        paths.append(corpus)
    failures = []
    for path in paths:
        page = run(a.tcpscope, ["diagram", "--format", "html", "-r", path]).stdout.decode()
        fetches = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) + re.findall(r"@import|fetch\(", page)
        if fetches:
            failures.append(f"{path}: external fetches {fetches}")
        m = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
        conns = json.loads(m.group(1)) if m else []
        expected = len(json.loads(run(a.tcpscope, ["conns", "--format", "json", "-r", path]).stdout))
        if len(conns) != expected:
            failures.append(f"{path}: {len(conns)} connections in the page, {expected} expected")
        for c in conns:
            ET.fromstring(c["svg"])
            if len(c["segments"]) != c["n"]:
                failures.append(f"{path}: segments of {c['id']}")
    for f in failures:
        print("FAIL:", f)
    print("ok: html" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


def conn_range(a):
    path = os.path.join(a.source_dir, "examples", "article.pcap")
    failures = []
    for sub in (["explain"], ["diagram", "--format", "text"]):
        p = run(a.tcpscope, [*sub, "-r", path, "--conn", "5"], check=False)
        err = p.stderr.decode()
        if p.returncode != 2 or "--conn 5 is out of range: valid connections are 1 to 1" not in err:
            failures.append(f"{sub[0]}: rc={p.returncode} stderr={err!r}")
        p = run(a.tcpscope, [*sub, "-r", path, "--conn", "1"], check=False)
        if p.returncode != 0 or not p.stdout:
            failures.append(f"{sub[0]} --conn 1: rc={p.returncode}")
    for f in failures:
        print("FAIL:", f)
    print("ok: conn-range" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0

# ------------------------------------------------------------------ bad input (issue #4)
def tcp_frame(src_port, dst_port, seq, ack, flags, payload=b""):
    """Ethernet + IPv4 + TCP with correct checksums (a hand-built segment, no options); the client
    10.0.0.1 uses port 40000, the server 10.0.0.2 port 80."""
    src, dst = ("10.0.0.1", "10.0.0.2") if src_port == 40000 else ("10.0.0.2", "10.0.0.1")
    def csum(data):
        if len(data) % 2:
            data += b"\0"
        total = sum(struct.unpack(f"!{len(data) // 2}H", data))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return ~total & 0xFFFF
    saddr, daddr = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = struct.pack("!HHIIBBHHH", src_port, dst_port, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                      65535, 0, 0) + payload
    tcp = tcp[:16] + struct.pack("!H", csum(saddr + daddr + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1_700_000_000 + i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
            f.write(frame)


SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def handshake(c_isn=1000, s_isn=5000):
    return [tcp_frame(40000, 80, c_isn, 0, SYN), tcp_frame(80, 40000, s_isn, c_isn + 1, SYN | ACK),
            tcp_frame(40000, 80, c_isn + 1, s_isn + 1, ACK)]


def bad_input(a):
    """Thousands of retransmissions of one segment, and binary payloads: explained honestly, no crash."""
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        # 3000 copies of one data segment that is never acknowledged, then a RST.
        retx = os.path.join(tmp, "retransmissions.pcap")
        copies = 3000
        write_pcap(retx, handshake() + [tcp_frame(40000, 80, 1001, 5001, PSH | ACK, b"hello")] * copies
                   + [tcp_frame(80, 40000, 5001, 0, RST)])
        data = json.loads(run(a.tcpscope, ["explain", "--format", "json", "-r", retx]).stdout)
        segs = data[0]["segments"] if len(data) == 1 else []
        expect(len(segs) == 3 + copies + 1, f"retransmissions: {len(segs)} segments")
        retransmitted = [s for s in segs if "retransmission" in s["analysis"]]
        expect(len(retransmitted) == copies - 1, f"retransmissions: {len(retransmitted)} flagged of {copies - 1}")
        expect(all("retransmits" in s for s in retransmitted), "retransmissions: each names an earlier segment")
        expect(data and data[0]["close_kind"] == "reset_by_server", f"retransmissions: {data and data[0]['close_kind']}")
        text = run(a.tcpscope, ["explain", "--compact", "-r", retx]).stdout.decode()
        expect(f"segment {3 + copies} retransmits segment " in text, "retransmissions: the last one explained")
        expect(text.count("(retransmission)") == copies - 1, "retransmissions: one note each")
        # Binary payloads: every byte value, in both directions; the explanation previews hex.
        binary = os.path.join(tmp, "binary.pcap")
        blob = bytes(range(256))
        write_pcap(binary, handshake() + [tcp_frame(40000, 80, 1001, 5001, PSH | ACK, blob),
                                          tcp_frame(80, 40000, 5001, 1257, PSH | ACK, blob[::-1]),
                                          tcp_frame(40000, 80, 1257, 5257, FIN | ACK),
                                          tcp_frame(80, 40000, 5257, 1258, FIN | ACK),
                                          tcp_frame(40000, 80, 1258, 5258, ACK)])
        text = run(a.tcpscope, ["explain", "-r", binary]).stdout.decode()
        expect("payload 256 B, binary: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f…" in text,
               "binary: client payload previewed in hex")
        expect("payload 256 B, binary: ff fe fd fc fb fa f9 f8 f7 f6 f5 f4 f3 f2 f1 f0…" in text,
               "binary: server payload previewed in hex")
        expect(not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), "binary: no control bytes in the text")
        zh = run(a.tcpscope, ["explain", "--lang", "zh", "-r", binary]).stdout.decode()
        expect(not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", zh), "binary: no control bytes in the zh text")
        data = json.loads(run(a.tcpscope, ["explain", "--format", "json", "-r", binary]).stdout)
        previews = [s["preview"] for s in data[0]["segments"] if s["len"]] if data else []
        expect(previews == ["hex:" + blob[:24].hex(), "hex:" + blob[::-1][:24].hex()], f"binary: JSON previews {previews}")
        expect(data and data[0]["close_kind"] == "three_segment", "binary: the server's FIN+ACK acks the client's FIN")
    for f in failures:
        print("FAIL:", f)
    print("ok: bad-input" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["golden", "article", "json", "svg", "mermaid", "html", "conn-range", "bad-input"])
    ap.add_argument("name", nargs="?")
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--tcpscope", required=True)
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    return {"golden": golden, "article": article, "json": json_mode, "svg": svg, "mermaid": mermaid,
            "html": html, "conn-range": conn_range, "bad-input": bad_input}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
