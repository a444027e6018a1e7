#!/usr/bin/env python3
"""End-to-end tests of `tcpscope lab`, `server` and `client` (build/tcpscope).

lab_e2e.py CASE, where CASE is one of:
  scenario:NAME      run `tcpscope lab NAME`: exit status, the close kind tcpscope
                     infers, the verdict against the kernel's states ("agree" for the
                     deterministic scenarios), and nothing left behind
  write_capture      `lab -w F` writes a capture that tcpdump reads: same packet count
                     and the same tcpdump -S -nn -vvv text as tcpscope printed
  sigkill_cleanup    SIGKILL a running lab: leftovers exist (its temporary capture among
                     them); `lab --cleanup` removes them
  sigterm            SIGTERM a running lab: it stops, says so, leaves nothing behind
  lock               a second lab while one runs: refused, naming the holder's pid
  closed_output      `lab | head -1`: a closed stdout/stderr (SIGPIPE) still cleans up
  unknown_scenario   exit 2 and the scenario list
  no_root_fallback   without root: says what is missing, explains the bundled capture
  loopback_fallback  without namespace rights but with CAP_NET_RAW: the scenario runs over
                     loopback in the current namespace, announced, no kernel column
  server_client      tcpscope server/client against each other and against python3 peers
                     (IPv4 and IPv6), refused and port-in-use errors

Exit 0 pass, 1 fail, 77 skip (not root); under CI=true a skip is a failure.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
BIN = os.environ.get("TCPSCOPE_BINARY", "build/tcpscope")

# scenario -> close kinds tcpscope may infer (one entry per connection)
EXPECTED_KIND = {
    "article": ["four_way_client_first"],
    "server-first": ["four_way_server_first"],
    "reset": ["reset_by_client"],
    "refused": ["refused"],
    "half-close": ["half_close_then_close"],
    "simultaneous-close": None,  # best effort: simultaneous_close, three_segment or four-way
    "lost-syn": ["four_way_client_first"],
    "lost-data": ["four_way_client_first"],
    "zero-window": ["half_close_then_close"],
    "keepalive": ["four_way_client_first"],
    "port-reuse": ["four_way_server_first", "four_way_server_first"],
    "ipv6": ["four_way_client_first"],
}
EXPECTED_NOTE = {"lost-syn": "retransmitted_syn", "keepalive": "keep_alive"}
NONDETERMINISTIC = {"simultaneous-close"}


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def skip(msg):
    if os.environ.get("CI") == "true":
        fail(f"cannot run under CI=true: {msg}")
    print(f"SKIP: {msg}")
    sys.exit(SKIP)


def need_root():
    if os.geteuid() != 0:
        skip("the lab tests need root (network namespaces, nftables, tracefs)")


LOCK = "/run/tcpscope-lab.lock"
BUSY = "another tcpscope lab is running"


def wait_lab_idle(timeout=90):
    """Waits until no lab holds the lock (labs from other build trees may run meanwhile)."""
    import fcntl
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(LOCK, "a") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
                return
        except BlockingIOError:
            time.sleep(0.2)
        except PermissionError:
            return
    fail("another lab held the lock for 90 s")


def tag_of(stderr):
    m = re.search(r"creating network namespaces tslab-([0-9a-f]+)-", stderr)
    return m.group(1) if m else None


def leftovers(tag=""):
    """What a lab (the one with this tag, or any) left behind, as a list of strings (empty = clean)."""
    return [x for x in all_leftovers() if tag in x]


def all_leftovers():
    out = []
    ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=10).stdout
    out += [f"netns {l.split()[0]}" for l in ns.splitlines() if l.startswith("tslab-")]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, timeout=10).stdout
    out += [f"link {m}" for m in re.findall(r"^\d+: (tsl[cs][0-9a-f]+)", links, re.M)]
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, timeout=10).stdout
    out += [f"nft {l}" for l in tables.splitlines() if "tslab" in l]
    inst = "/sys/kernel/tracing/instances"
    if os.path.isdir(inst):
        out += [f"trace instance {n}" for n in os.listdir(inst) if n.startswith("tslab_")]
    # the temporary capture (no -w): /tmp/tcpscope-lab-<tag>-<pid>-XXXXXX.pcap
    out += [f"capture file /tmp/{n}" for n in os.listdir("/tmp")
            if n.startswith("tcpscope-lab-") and n.endswith(".pcap")]
    return out


def run_lab(args, timeout=60):
    for _ in range(5):  # a lab from another build tree may take the lock between our check and our run
        wait_lab_idle()
        r = subprocess.run([BIN, "lab"] + args, capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, TZ="UTC"))
        if BUSY not in r.stderr:
            return r
    return r


def check_clean(context, tag):
    if not tag:
        fail(f"{context}: no namespace tag in the lab's progress lines")
    left = leftovers(tag)
    if left:
        fail(f"{context}: left behind: {left}")


def case_scenario(name):
    need_root()
    t0 = time.monotonic()
    r = run_lab([name])
    took = time.monotonic() - t0
    out = r.stdout
    check_clean(f"lab {name}", tag_of(r.stderr))
    if "Verdict: no kernel column" in out:
        skip("tracefs event sock/inet_sock_set_state not available")
    if r.returncode not in (0, 4):
        fail(f"lab {name} exited {r.returncode}: {r.stderr}")
    kinds = re.findall(r"^  closed by (\S+):", out, re.M)
    expected = EXPECTED_KIND[name]
    if expected is not None and kinds != expected:
        fail(f"lab {name}: close kinds {kinds}, expected {expected}\n{out}")
    if name in EXPECTED_NOTE and EXPECTED_NOTE[name] not in out:
        fail(f"lab {name}: note {EXPECTED_NOTE[name]} missing\n{out}")
    if "# tcpdump -S -nn -vvv" not in out or "Flags [S]" not in out:
        fail(f"lab {name}: no capture printed\n{out}")
    verdict = re.search(r"^Verdict: (\w+)", out, re.M)
    if not verdict:
        fail(f"lab {name}: no verdict\n{out}")
    if name not in NONDETERMINISTIC:
        if verdict.group(1) != "agree" or r.returncode != 0:
            fail(f"lab {name}: verdict {verdict.group(1)} (exit {r.returncode})\n{out}")
    if name == "simultaneous-close" and not (
            "The FINs crossed" in out or "The FINs did not cross" in out):
        fail("simultaneous-close: does not say whether the FINs crossed")
    if name == "refused" and "connection refused" not in out:
        fail(f"refused: the client's error is not shown\n{out}")
    if name == "ipv6" and not re.search(r"IP6 .*\.1234: Flags \[S\]", out):
        fail(f"ipv6: no IPv6 SYN in the capture\n{out}")
    print(f"ok: lab {name}: kinds {kinds}, verdict {verdict.group(1)}, {took:.1f} s, nothing left behind")


def case_write_capture():
    need_root()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lab.pcap")
        r = run_lab(["server-first", "-w", path])
        if r.returncode != 0:
            fail(f"lab -w exited {r.returncode}: {r.stderr}")
        if not os.path.exists(path):
            fail("-w file missing")
        td = subprocess.run(["tcpdump", "-S", "-nn", "-vvv", "-r", path], capture_output=True, text=True,
                            timeout=30, env=dict(os.environ, TZ="UTC"))
        if td.returncode != 0:
            fail(f"tcpdump cannot read the capture: {td.stderr}")
        lines = td.stdout.splitlines()
        m = re.search(r"# tcpdump .*\n((?:.*\n)*?)\nPrograms:", r.stdout)
        if not m:
            fail("capture section not found")
        ours = m.group(1).splitlines()
        if ours != lines:
            fail("tcpscope's capture text differs from tcpdump -r on the -w file:\n" +
                 "\n".join(ours[:6]) + "\n---\n" + "\n".join(lines[:6]))
        if f"capture written to {path}" not in r.stdout:
            fail("no 'capture written' line")
    check_clean("lab -w", tag_of(r.stderr))
    print(f"ok: -w capture read by tcpdump, {len(lines) // 2} packets, identical text")


def start_lab(name="article"):
    """Starts a lab and returns (process, tag) once its client runs (inside the article's 2 s hold)."""
    wait_lab_idle()
    p = subprocess.Popen([BIN, "lab", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tag = None
    lines = []
    while True:  # bounded: the lab's own steps are bounded, and the test has a ctest TIMEOUT
        line = p.stderr.readline()
        if not line:
            fail(f"lab ended early: {''.join(lines)}")
        lines.append(line)
        tag = tag or tag_of(line)
        if "client connecting" in line:
            time.sleep(0.5)
            return p, tag


def case_sigkill_cleanup():
    need_root()
    p, tag = start_lab()
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)
    left = leftovers(tag)
    if not left:
        fail("nothing left after SIGKILL: the test did not kill a running lab")
    if not any(x.startswith("capture file ") for x in left):
        fail(f"SIGKILL left no temporary capture file (or it is not named after the lab's tag): {left}")
    r = run_lab(["--cleanup"])
    if r.returncode != 0:
        fail(f"--cleanup exited {r.returncode}: {r.stderr}")
    check_clean("after --cleanup", tag)
    print(f"ok: SIGKILL left {left}; --cleanup removed them:\n{r.stdout}")


def case_sigterm():
    need_root()
    p, tag = start_lab()
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the lab did not stop within 15 s of SIGTERM")
    if p.returncode == 0 or "interrupted" not in err:
        fail(f"SIGTERM: exit {p.returncode}, stderr {err!r}")
    check_clean("after SIGTERM", tag)
    print("ok: SIGTERM stopped the lab and everything was removed")


def case_lock():
    need_root()
    p, tag = start_lab()
    r = subprocess.run([BIN, "lab", "-q", "refused"], capture_output=True, text=True, timeout=20)
    p.communicate(timeout=30)
    check_clean("after both", tag)
    if r.returncode == 0 or f"pid {p.pid}" not in r.stderr or "another tcpscope lab is running" not in r.stderr:
        fail(f"second lab: exit {r.returncode}, stderr {r.stderr!r}")
    print(f"ok: second lab refused: {r.stderr.strip()}")


def case_closed_output():
    need_root()
    wait_lab_idle()
    p = subprocess.Popen([BIN, "lab", "refused"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()  # the namespaces are being created: close the pipes in the middle of the run
    p.stdout.close()
    p.stderr.close()
    p.wait(timeout=30)
    if BUSY in line:
        skip("another lab took the lock")
    check_clean("after a lab whose output pipe was closed", tag_of(line))
    print(f"ok: output pipe closed (exit {p.returncode}), nothing left behind")


def case_unknown_scenario():
    r = subprocess.run([BIN, "lab", "no-such-thing"], capture_output=True, text=True, timeout=10)
    if r.returncode != 2 or "unknown scenario 'no-such-thing'" not in r.stderr or "half-close" not in r.stderr:
        fail(f"exit {r.returncode}, stderr {r.stderr!r}")
    r = subprocess.run([BIN, "lab", "--list"], capture_output=True, text=True, timeout=10)
    names = re.findall(r"^  (\S+)\s", r.stdout, re.M)
    if names != list(EXPECTED_KIND):
        fail(f"--list shows {names}")
    print("ok: unknown scenario -> the list; --list has one line per scenario")


def case_no_root_fallback():
    if os.geteuid() != 0:
        cmd = [BIN, "lab"]
    else:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
               "--bounding-set=-all", BIN, "lab"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if "needs root" not in r.stderr or "CAP_NET_ADMIN" not in r.stderr:
        fail(f"no clear message: exit {r.returncode}, stderr {r.stderr!r}")
    if "falling back" in r.stderr:
        if r.returncode != 0 or "117.25.25.144" not in r.stdout or "Connection 1" not in r.stdout:
            fail(f"fallback did not explain the bundled capture: {r.stdout[:500]}")
    print(f"ok: without root: {r.stderr.strip()}")


def case_loopback_fallback():
    need_root()  # to hand out CAP_NET_RAW alone to an unprivileged user
    cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,+net_raw",
           "--ambient-caps=+net_raw", BIN, "lab", "server-first"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=dict(os.environ, TZ="UTC"))
    if r.returncode != 0 or "running the scenario over loopback" not in r.stderr:
        fail(f"loopback fallback: exit {r.returncode}, stderr {r.stderr!r}")
    kinds = re.findall(r"^  closed by (\S+):", r.stdout, re.M)
    if kinds != ["four_way_server_first"] or "127.0.0.1" not in r.stdout or "Verdict: no kernel column" not in r.stdout:
        fail(f"loopback fallback output: kinds {kinds}\n{r.stdout[-1500:]}")
    print("ok: without namespace rights: server-first over loopback, announced, no kernel column")


def free_port(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(host, port, family):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-Htln", f"sport = :{port}"], capture_output=True, text=True).stdout
        if out.strip():
            return
        time.sleep(0.05)
    fail(f"nothing listens on {host} port {port}")


def case_server_client():
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        # tcpscope server <-> tcpscope client
        port = free_port(family)
        srv = subprocess.Popen([BIN, "server", "--bind", host, "--port", str(port), "--hold", "100ms", "--count",
                                "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_listening(host, port, family)
        cl = subprocess.run([BIN, "client", host, "--port", str(port)], capture_output=True, text=True, timeout=15)
        sout, serr = srv.communicate(timeout=15)
        if cl.returncode != 0 or "received from server" not in cl.stdout or ": pong" not in cl.stdout:
            fail(f"client vs server ({host}): {cl.returncode} {cl.stdout!r} {cl.stderr!r}")
        if srv.returncode != 0 or ": ping" not in sout:
            fail(f"server ({host}): {srv.returncode} {sout!r} {serr!r}")
        # tcpscope client -> python3 server
        port = free_port(family)
        ls = socket.socket(family, socket.SOCK_STREAM)
        ls.bind((host, port))
        ls.listen(1)
        got = {}

        def serve():
            c, _ = ls.accept()
            got["data"] = c.recv(1024)
            c.sendall(b"hello")
            got["eof"] = c.recv(1024)
            c.close()

        th = threading.Thread(target=serve)
        th.start()
        cl = subprocess.run([BIN, "client", host, "--port", str(port), "--message", "hi"], capture_output=True,
                            text=True, timeout=15)
        th.join(10)
        ls.close()
        if cl.returncode != 0 or ": hello" not in cl.stdout or got.get("data") != b"hi" or got.get("eof") != b"":
            fail(f"client vs python server ({host}): {cl.stdout!r} {cl.stderr!r} {got}")
        # python3 client -> tcpscope server, with --reply and --close abort (RST)
        port = free_port(family)
        srv = subprocess.Popen([BIN, "server", "--bind", host, "--port", str(port), "--hold", "0s", "--count", "1",
                                "--reply", "PONG", "--close", "abort"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_listening(host, port, family)
        c = socket.create_connection((host, port), timeout=5)
        c.sendall(b"ping")
        reply = c.recv(1024)
        try:
            rest = c.recv(1024)
            reset = False
        except ConnectionResetError:
            rest, reset = b"", True
        c.close()
        sout, _ = srv.communicate(timeout=15)
        if reply != b"PONG" or not reset or ": ping" not in sout:
            fail(f"python client vs server --close abort ({host}): reply {reply!r}, rest {rest!r}, reset {reset}")
    # errors: refused, port in use
    port = free_port()
    cl = subprocess.run([BIN, "client", "127.0.0.1", "--port", str(port)], capture_output=True, text=True,
                        timeout=15)
    if cl.returncode != 1 or "connection refused" not in cl.stderr:
        fail(f"refused: {cl.returncode} {cl.stderr!r}")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    srv = subprocess.run([BIN, "server", "--bind", "127.0.0.1", "--port", str(busy.getsockname()[1])],
                         capture_output=True, text=True, timeout=15)
    busy.close()
    if srv.returncode != 1 or "already in use" not in srv.stderr:
        fail(f"port in use: {srv.returncode} {srv.stderr!r}")
    # timeout: a listener whose backlog is full never completes the handshake
    print("ok: server/client against each other and python3 peers (IPv4, IPv6), refused, port in use")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    case = sys.argv[1]
    if not os.path.exists(BIN):
        fail(f"{BIN} not found")
    if case.startswith("scenario:"):
        case_scenario(case.split(":", 1)[1])
    else:
        globals()[f"case_{case}"]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
