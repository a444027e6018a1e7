#!/usr/bin/env python3
"""`tcpscope lab` never touches network objects it did not create.

Usage: lab_safety.py TCPSCOPE_BINARY

Before the lab runs, the test makes decoys that look like a lab's but are not: a
network namespace `robust-decoy-ns`, one named `tslabdecoy` (the lab prefix without
its dash), a veth pair `tsdecoy0`/`tsdecoy1` in the root namespace, an nftables
table `inet robust_decoy`, and two files in /tmp: the temporary capture of a lab that
still runs (named with this test's own pid) and a `.pcap` that only starts like one. Then it runs `lab article`, kills a second run with SIGKILL
mid-run, runs `lab --cleanup`, and checks that the lab's own objects are gone
(`tslab-*` namespaces, `tslc*`/`tsls*` links, `tslab` nft tables, trace instances and
the killed lab's temporary capture)
while every decoy is still there, unchanged. Needs root (skip otherwise; CI=true
makes that a failure). The decoys are removed at the end whatever happens.
"""
import os
import re
import signal
import subprocess
import sys
import time

DECOY_NS = ["robust-decoy-ns", "tslabdecoy"]
DECOY_LINKS = ["tsdecoy0", "tsdecoy1"]
DECOY_TABLE = "robust_decoy"
# /tmp/tcpscope-lab-<tag>-<pid>-XXXXXX.pcap of a lab whose pid is alive (this test), and a name
# without a pid
DECOY_FILES = [f"/tmp/tcpscope-lab-decoy-{os.getpid()}-Xy12Zw.pcap", "/tmp/tcpscope-lab-notes.pcap"]


def sh(*argv, check=True):
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=check)


def lab_objects():
    out = [f"netns {l.split()[0]}" for l in sh("ip", "netns", "list").stdout.splitlines() if l.startswith("tslab-")]
    out += [f"link {m}" for m in re.findall(r"^\d+: (tsl[cs][0-9a-f]+)", sh("ip", "-o", "link").stdout, re.M)]
    out += [f"nft {l}" for l in sh("nft", "list", "tables").stdout.splitlines() if "tslab" in l]
    inst = "/sys/kernel/tracing/instances"
    if os.path.isdir(inst):
        out += [f"trace instance {n}" for n in os.listdir(inst) if n.startswith("tslab_")]
    out += [f"file /tmp/{n}" for n in os.listdir("/tmp")
            if n.startswith("tcpscope-lab-") and n.endswith(".pcap") and f"/tmp/{n}" not in DECOY_FILES]
    return out


def decoys_present():
    ns = {l.split()[0] for l in sh("ip", "netns", "list").stdout.splitlines() if l.strip()}
    links = set(re.findall(r"^\d+: ([^:@]+)", sh("ip", "-o", "link").stdout, re.M))
    tables = sh("nft", "list", "tables").stdout
    missing = [f"netns {n}" for n in DECOY_NS if n not in ns]
    missing += [f"link {l}" for l in DECOY_LINKS if l not in links]
    if f"table inet {DECOY_TABLE}" not in tables:
        missing.append(f"nft table inet {DECOY_TABLE}")
    missing += [f"file {f}" for f in DECOY_FILES if not os.path.exists(f)]
    return missing


def make_decoys():
    for n in DECOY_NS:
        sh("ip", "netns", "add", n)
    sh("ip", "link", "add", DECOY_LINKS[0], "type", "veth", "peer", "name", DECOY_LINKS[1])
    sh("nft", "add", "table", "inet", DECOY_TABLE)
    for f in DECOY_FILES:
        with open(f, "wb"):
            pass


def remove_decoys():
    for n in DECOY_NS:
        sh("ip", "netns", "del", n, check=False)
    sh("ip", "link", "del", DECOY_LINKS[0], check=False)
    sh("nft", "delete", "table", "inet", DECOY_TABLE, check=False)
    for f in DECOY_FILES:
        if os.path.exists(f):
            os.unlink(f)


def fail(message):
    print(f"FAIL: {message}")
    return 1


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = sys.argv[1]
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            return fail("the lab safety test needs root (CI=true)")
        print("SKIP: the lab safety test needs root")
        return 77
    if lab_objects():
        return fail(f"lab objects exist before the test (another lab running?): {lab_objects()}")
    try:
        make_decoys()
        env = dict(os.environ, TZ="UTC")
        r = subprocess.run([binary, "lab", "-q", "article"], capture_output=True, text=True, timeout=120, env=env)
        if r.returncode != 0:
            return fail(f"lab article exited {r.returncode}: {r.stderr[-2000:]}")
        if lab_objects():
            return fail(f"lab article left {lab_objects()}")
        if decoys_present():
            return fail(f"lab article removed objects it did not create: {decoys_present()}")
        p = subprocess.Popen([binary, "lab", "article"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(x.startswith("netns") for x in lab_objects()):
            if p.poll() is not None:
                return fail(f"the second lab ended (exit {p.returncode}) before it could be killed")
            time.sleep(0.05)
        time.sleep(0.3)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)
        left = lab_objects()
        if not left:
            return fail("nothing left after SIGKILL: the test did not kill a running lab")
        if not any(x.startswith("file ") for x in left):
            return fail(f"SIGKILL left no temporary capture: {left}")
        r = subprocess.run([binary, "lab", "--cleanup"], capture_output=True, text=True, timeout=60, env=env)
        if r.returncode != 0:
            return fail(f"lab --cleanup exited {r.returncode}: {r.stderr}")
        if lab_objects():
            return fail(f"lab --cleanup left {lab_objects()}")
        if decoys_present():
            return fail(f"lab --cleanup removed objects it did not create: {decoys_present()}")
        print(f"SIGKILL left {left}; --cleanup removed them; decoys {DECOY_NS + DECOY_LINKS + DECOY_FILES} and "
              f"table inet {DECOY_TABLE} untouched")
    finally:
        remove_decoys()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
