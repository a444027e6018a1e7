#!/usr/bin/env python3
"""Checks examples/article.pcap, the article's capture rebuilt by tools/make_article_pcap.

Modes (one ctest each, see article.cmake):
  generator  the generator reproduces the committed examples/article.pcap byte for byte,
             and reports that all 11 printed checksums differ from the recomputed ones
             by 0x442f in the one's-complement sum
  tcpdump    `TZ=UTC tcpdump -S -nn -vvv -r examples/article.pcap` prints the article's
             22 lines (tests/golden/article.expected, copied from the article) exactly,
             except the checksum values, which must all be "(correct)"
  tcpscope   `TZ=UTC tcpscope -S -nn -vvv -r examples/article.pcap` prints exactly what
             tcpdump prints, checksums included, and exits 0
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

CKSUM = re.compile(r"cksum 0x[0-9a-f]{4} \((correct|incorrect -> 0x[0-9a-f]{4})\)")
ARTICLE_OPTIONS = ["-S", "-nn", "-vvv"]


def fail(message, expected=None, actual=None, labels=("expected", "actual")):
    print(f"FAIL: {message}")
    if expected is not None:
        sys.stdout.writelines(
            difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), *labels))
    return 1


def run(argv):
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)


def mask_checksums(text):
    return CKSUM.sub(lambda m: "cksum 0x____ (" + m.group(1).split(" ")[0] + ")", text)


def check_generator(args, pcap):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "article.pcap")
        result = run([args.generator, out])
        if result.returncode != 0:
            return fail(f"make_article_pcap exited {result.returncode}: {result.stderr.strip()}")
        with open(out, "rb") as f:
            regenerated = f.read()
    with open(pcap, "rb") as f:
        committed = f.read()
    if regenerated != committed:
        return fail("examples/article.pcap differs from what tools/make_article_pcap writes "
                    "(rebuild it with build/tools/make_article_pcap examples/article.pcap)")
    offsets = re.findall(r"^\s+\d+\s+0x[0-9a-f]{4}\s+0x[0-9a-f]{4}\s+(0x[0-9a-f]{4})$", result.stdout, re.M)
    if offsets != ["0x442f"] * 11:
        return fail(f"expected 11 checksum offsets of 0x442f, generator reported {offsets}")
    print(f"ok: examples/article.pcap ({len(committed)} bytes) is reproducible; "
          "all 11 article checksums are off by 0x442f")
    return 0


def check_tcpdump(args, pcap):
    with open(args.expected) as f:
        expected = f.read()
    result = run(["tcpdump", *ARTICLE_OPTIONS, "-r", pcap])
    if result.returncode != 0:
        return fail(f"tcpdump exited {result.returncode}: {result.stderr.strip()}")
    if "incorrect" in result.stdout or result.stdout.count("(correct)") != 11:
        return fail("tcpdump does not find 11 correct TCP checksums", expected, result.stdout)
    if mask_checksums(result.stdout) != mask_checksums(expected):
        return fail("tcpdump's text differs from the article's (checksum values masked)",
                    mask_checksums(expected), mask_checksums(result.stdout),
                    ("article", "tcpdump -S -nn -vvv"))
    print("ok: tcpdump prints the article's 22 lines (checksum values aside)")
    return 0


def check_tcpscope(args, pcap):
    reference = run(["tcpdump", *ARTICLE_OPTIONS, "-r", pcap])
    if reference.returncode != 0:
        return fail(f"tcpdump exited {reference.returncode}: {reference.stderr.strip()}")
    result = run([args.tcpscope, *ARTICLE_OPTIONS, "-r", pcap])
    if result.returncode != 0:
        return fail(f"tcpscope exited {result.returncode}: {result.stderr.strip()}",
                    reference.stdout, result.stdout, ("tcpdump", "tcpscope"))
    if result.stdout != reference.stdout:
        return fail("tcpscope -S -nn -vvv differs from tcpdump on examples/article.pcap",
                    reference.stdout, result.stdout, ("tcpdump", "tcpscope"))
    print("ok: tcpscope -S -nn -vvv prints examples/article.pcap exactly as tcpdump does")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["generator", "tcpdump", "tcpscope"])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--expected")
    parser.add_argument("--generator")
    parser.add_argument("--tcpscope")
    args = parser.parse_args()
    pcap = os.path.join(args.source_dir, "examples", "article.pcap")
    checks = {"generator": check_generator, "tcpdump": check_tcpdump, "tcpscope": check_tcpscope}
    return checks[args.mode](args, pcap)


if __name__ == "__main__":
    sys.exit(main())
