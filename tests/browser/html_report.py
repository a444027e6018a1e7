#!/usr/bin/env python3
"""Browser test of `tcpscope diagram --format html`: the report of a capture with many
connections (written here: 2,000 connections on 127.0.0.x, each a handshake, "ping"/"pong"
and a four-way teardown, every 10th reset instead) and the SVG of the article's capture are
opened in headless Chromium (Debian's `chromium`, installed by scripts/install-deps.sh).

Checks: no console errors; the list shows the expected number of connections (the first
page of 200, and "N of 2000 connections"); selecting connection 7 through "#conn=7" draws
its 10 arrows; the screenshot (saved as build/Testing/artifacts/html_report.png) is not blank.
Without chromium the test prints SKIP (exit 77), except under CI=true, where it fails.
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP_RC = 77


def pcap_with_connections(path, n):
    def seg(ts, src, dst, sport, dport, flags, seq, ack, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        ip_len = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
        eth = b"\x00\x00\x00\x00\x00\x02" + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00"
        frame = eth + ip + tcp + payload
        sec, usec = divmod(ts, 1_000_000)
        return struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame

    FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        t = 1_700_000_000_000_000
        for i in range(n):
            c, s = [127, 0, 0, 1], [127, 0, 1 + i // 60000, 2]
            cp, sp = 10000 + i % 50000, 8080
            ci, si = 1000 + i * 7, 5000 + i * 11
            rows = [(c, s, cp, sp, SYN, ci, 0), (s, c, sp, cp, SYN | ACK, si, ci + 1),
                    (c, s, cp, sp, ACK, ci + 1, si + 1), (c, s, cp, sp, PSH | ACK, ci + 1, si + 1, b"ping"),
                    (s, c, sp, cp, ACK, si + 1, ci + 5), (s, c, sp, cp, PSH | ACK, si + 1, ci + 5, b"pong")]
            if i % 10 == 9:
                rows.append((c, s, cp, sp, RST | ACK, ci + 5, si + 5))
            else:
                rows += [(c, s, cp, sp, ACK, ci + 5, si + 5), (c, s, cp, sp, FIN | ACK, ci + 5, si + 5),
                         (s, c, sp, cp, ACK, si + 5, ci + 6), (s, c, sp, cp, FIN | ACK, si + 5, ci + 6),
                         (c, s, cp, sp, ACK, ci + 6, si + 6)]
            for r in rows:
                t += 50
                f.write(seg(t, *r))


def png_distinct_rows(path):
    """Number of distinct scanlines of an 8-bit RGB(A) PNG: 1 for a blank page."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 4
    while pos < len(data):
        length, kind = struct.unpack("!I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack("!IIBB", body[:10])
            bpp = {2: 3, 6: 4}.get(colour, 4)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp + 1
    rows = set()
    prev = bytearray(width * bpp)
    for y in range(height):
        ftype, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for x in range(len(line)):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.add(bytes(line))
        prev = line
    return len(rows)


def chromium(args, user_dir):
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           f"--user-data-dir={user_dir}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def console_errors(stderr):
    return [l for l in stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--tcpscope", required=True)
    ap.add_argument("--artifacts", required=True)
    a = ap.parse_args()
    if shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            print("FAIL: chromium is not installed (CI=true); run scripts/install-deps.sh")
            return 1
        print("SKIP: chromium is not installed (scripts/install-deps.sh installs it)")
        return SKIP_RC
    os.makedirs(a.artifacts, exist_ok=True)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "many.pcap")
        pcap_with_connections(pcap, 2000)
        report = os.path.join(tmp, "report.html")
        p = subprocess.run([a.tcpscope, "diagram", "--format", "html", "-r", pcap, "-o", report],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            print(f"FAIL: diagram exited {p.returncode}: {p.stderr}")
            return 1
        url = "file://" + report + "#conn=7"
        dom = chromium(["--dump-dom", url], os.path.join(tmp, "profile1"))
        errors = console_errors(dom.stderr)
        if errors:
            failures.append(f"console errors: {errors[:5]}")
        html = dom.stdout
        listed = len(re.findall(r'<li data-id="\d+"', html))
        if listed != 200:
            failures.append(f"{listed} connections listed on the first page, 200 expected")
        if "2000 of 2000 connections" not in html:
            failures.append("the count line does not say 2000 of 2000 connections")
        ladder = re.search(r'<div id="ladder">(.*?)</div>', html, re.S)
        arrows = len(re.findall(r'class="arrow"', ladder.group(1))) if ladder else 0
        if arrows != 11:
            failures.append(f"connection 7 drew {arrows} arrows, 11 expected")
        if "Connection 7:" not in html:
            failures.append("connection 7 is not selected")
        shot = os.path.join(a.artifacts, "html_report.png")
        s = chromium([f"--screenshot={shot}", "--window-size=1200,900", url], os.path.join(tmp, "profile2"))
        if not os.path.exists(shot):
            failures.append(f"no screenshot: {s.stderr[-500:]}")
        elif png_distinct_rows(shot) < 20:
            failures.append("the screenshot is blank")
        # The article's SVG, rendered by Chromium too.
        svg_path = os.path.join(tmp, "article.svg")
        subprocess.run([a.tcpscope, "diagram", "--format", "svg", "-r",
                        os.path.join(a.source_dir, "examples", "article.pcap"), "-o", svg_path],
                       check=True, capture_output=True, timeout=60)
        svg_shot = os.path.join(a.artifacts, "article_svg.png")
        s = chromium([f"--screenshot={svg_shot}", "--window-size=1000,900", "file://" + svg_path],
                     os.path.join(tmp, "profile3"))
        if not os.path.exists(svg_shot) or png_distinct_rows(svg_shot) < 20:
            failures.append("the article's SVG did not render")
    for f in failures:
        print("FAIL:", f)
    print("ok: html report in chromium" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
