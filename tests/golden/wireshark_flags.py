#!/usr/bin/env python3
"""Compare tcpscope's per-segment TCP analysis flags with tshark 4.0.17's.

For every capture under <corpus>/tcpdump/pcaps and <corpus>/zeek/traces
(recursively), for crafted captures written here (one scenario per analysis
flag, deterministic), and for a loopback recording made in a private network
namespace when running as root, this runs

  tshark -n -r F -T fields -e frame.number -e tcp.stream -e tcp.analysis.<flag>...

with default preferences (an empty configuration directory) in one pass, and
the analysis_dump helper, then compares the set of flags of every TCP segment.
It fails when fewer than --min-identical percent of all segments (over all
captures together) have identical sets. Every difference is printed, with the
reason given in the known-differences file when it is listed there.

Nothing is cached between runs. Without the corpus the corpus part is skipped
with a visible message, except under CI=true where that is a failure.
"""
import argparse
import concurrent.futures
import os
import shutil
import struct
import subprocess
import sys
import tempfile

FLAG_IDS = [
    "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
    "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window", "zero_window_probe",
    "zero_window_probe_ack", "window_full", "window_update", "keep_alive", "keep_alive_ack",
    "reused_ports",
]
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".trace", ".dmp")
IN_CI = os.environ.get("CI", "").lower() == "true"


# ----------------------------------------------------------------------------- running the tools

def tshark_segments(path, env):
    """frame -> (stream text, set of flag ids, dupack num, dupack frame) for frames with TCP."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-e", "frame.number", "-e", "tcp.stream"]
    for f in FLAG_IDS:
        cmd += ["-e", "tcp.analysis." + f]
    cmd += ["-e", "tcp.analysis.duplicate_ack_num", "-e", "tcp.analysis.duplicate_ack_frame",
            "-e", "tcp.seq", "-e", "tcp.ack", "-e", "tcp.analysis.initial_rtt"]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) < 2 + len(FLAG_IDS) + 5 or not cols[1]:
            continue
        flags = set(f for f, v in zip(FLAG_IDS, cols[2:2 + len(FLAG_IDS)]) if v)
        # tshark adds the expert item tcp.analysis.retransmission to fast and spurious
        # retransmissions as well (tcp-semantics.md §2.6); the analysis sets one flag.
        if "fast_retransmission" in flags or "spurious_retransmission" in flags:
            flags.discard("retransmission")
        flags = frozenset(flags)
        out[int(cols[0])] = (cols[1], flags, cols[-5], cols[-4], cols[-3], cols[-2], cols[-1])
    return out


def dump_segments(dump, path):
    proc = subprocess.run([dump, "--extra", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{dump} {path} exited with {proc.returncode}: {proc.stderr.strip()}")
    out = {}
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        flags = frozenset(x for x in cols[2].split(",") if x)
        out[int(cols[0])] = (cols[1], flags, cols[3], cols[4], cols[5], cols[6], cols[7])
    return out


# ----------------------------------------------------------------------------- crafted captures

def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Crafter:
    """Writes a raw-IPv4 pcap of one client/server exchange, segment by segment."""
    SYN, FIN, RST, PSH, ACK = 2, 1, 4, 8, 16

    def __init__(self, client_port=40000):
        self.t_us = 1_700_000_000 * 1_000_000
        self.packets = []
        self.client = (bytes([10, 0, 0, 1]), client_port)
        self.server = (bytes([10, 0, 0, 2]), 80)

    def send(self, from_client, flags, seq, ack, length=0, win=1000, wscale=None, gap_us=1000):
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        opts = b""
        if wscale is not None:
            opts = bytes([1, 3, 3, wscale])
        hlen = 20 + len(opts)
        tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, (hlen // 4) << 4,
                          flags, win, 0, 0) + opts + b"x" * length
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src[0], dst[0])
        ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
        self.t_us += gap_us
        self.packets.append((self.t_us, ip + tcp))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
            for t, p in self.packets:
                f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(p), len(p)))
                f.write(p)


C_ISN, S_ISN = 1000, 5000


def _handshake(c, client_ws=None, server_ws=None):
    c.send(True, c.SYN, C_ISN, 0, wscale=client_ws, gap_us=0)
    c.send(False, c.SYN | c.ACK, S_ISN, C_ISN + 1, wscale=server_ws, gap_us=5000)
    c.send(True, c.ACK, C_ISN + 1, S_ISN + 1, gap_us=5000)


def _data(c, rel, length, gap_us=1000):
    c.send(True, c.ACK | c.PSH, C_ISN + rel, S_ISN + 1, length, gap_us=gap_us)


def _sack(c, rel, win=1000, gap_us=1000):
    c.send(False, c.ACK, S_ISN + 1, C_ISN + rel, win=win, gap_us=gap_us)


def crafted_scenarios():
    """name -> Crafter; the same exchanges as tests/unit/track/wireshark_analysis_test.cpp."""
    s = {}

    c = Crafter(); _handshake(c); _data(c, 1, 100); _data(c, 1, 100, 200_000)
    s["retransmission"] = c
    c = Crafter(); _handshake(c); _data(c, 101, 100); _data(c, 1, 100, 2000)
    s["out_of_order"] = c
    c = Crafter(); _handshake(c)
    _data(c, 1, 100); _data(c, 101, 100); _data(c, 201, 100)
    _sack(c, 101); _sack(c, 101); _sack(c, 101); _data(c, 101, 100, 15_000)
    s["fast_retransmission"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101); _data(c, 1, 100, 300_000)
    s["spurious_retransmission"] = c
    c = Crafter()
    c.send(True, c.SYN, C_ISN, 0, gap_us=0); c.send(True, c.SYN, C_ISN, 0, gap_us=1_000_000)
    c.send(False, c.SYN | c.ACK, S_ISN, C_ISN + 1); c.send(False, c.SYN | c.ACK, S_ISN, C_ISN + 1, gap_us=1_000_000)
    s["syn_retransmission"] = c
    c = Crafter(); _handshake(c)
    c.send(True, c.FIN | c.ACK, C_ISN + 1, S_ISN + 1); c.send(True, c.FIN | c.ACK, C_ISN + 1, S_ISN + 1, gap_us=300_000)
    s["fin_retransmission"] = c
    c = Crafter(); _handshake(c); _data(c, 501, 10); c.send(True, c.RST | c.ACK, C_ISN + 9000, S_ISN + 1)
    s["lost_segment"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 301); _sack(c, 401)
    s["ack_lost_segment"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _data(c, 201, 100); _sack(c, 301); _sack(c, 401); _sack(c, 501)
    s["ack_lost_segment_gap"] = c
    c = Crafter(); _handshake(c)
    c.send(False, c.ACK | c.PSH, S_ISN + 1, C_ISN + 1, 50)
    c.send(True, c.ACK | c.PSH, C_ISN + 1, S_ISN + 51, 10)
    c.send(True, c.ACK, C_ISN + 11, S_ISN + 51)
    c.send(True, c.ACK | c.PSH, C_ISN + 11, S_ISN + 51, 10)
    c.send(True, c.ACK, C_ISN + 21, S_ISN + 51)
    c.send(True, c.ACK, C_ISN + 21, S_ISN + 51, win=2000)
    c.send(True, c.ACK, C_ISN + 21, S_ISN + 51, win=2000)
    s["duplicate_ack"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101, 0); _data(c, 101, 1, 200_000); _sack(c, 101, 0)
    _data(c, 101, 1, 400_000); _sack(c, 101, 1000); _data(c, 101, 100)
    s["zero_window_probe"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101, 0)
    c.send(True, c.ACK, C_ISN + 101, S_ISN + 1, 1, win=0)
    s["zero_window_probe_zero_window"] = c
    c = Crafter(); _handshake(c, 2, 1); _sack(c, 1, 100); _data(c, 1, 150); _data(c, 151, 50)
    s["window_full_scaled"] = c
    c = Crafter(); _handshake(c, 2, 1); _data(c, 1, 1000)
    s["window_full_first_ack"] = c
    c = Crafter(); _handshake(c, 7, None); _sack(c, 1, 100); _data(c, 1, 100)
    s["window_scale_off"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101, 1000); _sack(c, 101, 3000); _sack(c, 101, 3000)
    s["window_update"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101)
    c.send(True, c.ACK, C_ISN + 100, S_ISN + 1, gap_us=1_000_000); _sack(c, 101)
    c.send(True, c.ACK, C_ISN + 100, S_ISN + 1, 1, gap_us=1_000_000); _sack(c, 101)
    _data(c, 100, 2, 1_000_000)
    s["keep_alive"] = c
    c = Crafter(); _handshake(c)
    c.send(True, c.FIN | c.ACK, C_ISN + 1, S_ISN + 1)
    c.send(False, c.FIN | c.ACK, S_ISN + 1, C_ISN + 2)
    c.send(True, c.ACK, C_ISN + 2, S_ISN + 2)
    c.send(True, c.SYN, C_ISN, 0, gap_us=1_000_000)
    c.send(True, c.SYN, 9000, 0, gap_us=1_000_000)
    c.send(False, c.SYN | c.ACK, 7000, 9001)
    c.send(False, c.SYN | c.ACK, 8000, 9001)
    s["reused_ports"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _data(c, 201, 100)
    c.send(True, c.SYN, C_ISN, 0, gap_us=1_000_000); _data(c, 101, 100, 1_000_000)
    s["same_isn_syn"] = c
    c = Crafter(); _handshake(c); c.send(True, c.ACK, C_ISN + 501, S_ISN + 1, 10, win=0)
    s["lost_and_zero_window"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); c.send(True, c.ACK, C_ISN + 201, S_ISN + 1); _data(c, 101, 100, 2000)
    s["exact_resend_within_irtt"] = c
    c = Crafter(); c.send(True, c.SYN, C_ISN, 0, gap_us=0); c.send(True, c.SYN, C_ISN, 0, gap_us=100)
    s["syn_resent_within_3ms"] = c
    c = Crafter(); _handshake(c); _data(c, 1, 100); _sack(c, 101, 1000, 30 * 24 * 3600 * 1_000_000); _sack(c, 101)
    s["clock_jump"] = c
    c = Crafter(); _handshake(c); c.send(False, c.FIN | c.ACK, S_ISN + 1, C_ISN + 1); _data(c, 1, 100)
    c.send(False, c.FIN | c.ACK, S_ISN + 1, C_ISN + 301, gap_us=200)
    s["silenced_dupack_counter"] = c
    return s


# ----------------------------------------------------------------------------- loopback recording

RECORD_CHILD = r'''
import os, socket, subprocess, sys, threading, time
out = sys.argv[1]
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
dump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-s", "160", "-B", "16384", "-w", out, "tcp"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
dump.stderr.readline()  # "listening on lo ..."
time.sleep(0.2)

def nft(*args):
    return subprocess.run(["nft"] + list(args), check=True, stdout=subprocess.PIPE, text=True).stdout
nft("add table inet tcpscope_test")
nft("add chain inet tcpscope_test input { type filter hook input priority 0 ; }")

def listener(port, rcvbuf=None):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(("127.0.0.1", port)); s.listen(4)
    return s

def drop_rule(expr):
    nft("add rule inet tcpscope_test input " + expr + " drop")
def clear_rules():
    nft("flush chain inet tcpscope_test input")

# 1. lost first SYN, lost first data segment: retransmissions.
srv = listener(5001)
drop_rule("tcp dport 5001 tcp flags syn")
threading.Timer(0.3, clear_rules).start()
cli = socket.create_connection(("127.0.0.1", 5001), timeout=10)
conn, _ = srv.accept()
drop_rule("tcp dport 5001 ip length > 120")
cli.sendall(b"p" * 200)
time.sleep(0.5)
clear_rules()
got = b""
while len(got) < 200:
    got += conn.recv(4096)
conn.sendall(b"pong")
cli.recv(16)
cli.close(); conn.close(); srv.close()

# 2. a receiver that stops reading: zero window, probes, then window updates.
srv = listener(5002, rcvbuf=4096)
cli = socket.create_connection(("127.0.0.1", 5002), timeout=10)
conn, _ = srv.accept()
cli.setblocking(False)
sent = 0
try:
    while sent < 1 << 20:
        sent += cli.send(b"z" * 65536)
except BlockingIOError:
    pass
time.sleep(1.5)
cli.setblocking(True)
conn.settimeout(5)
got = 0
while got < sent:
    got += len(conn.recv(65536))
cli.close(); conn.close(); srv.close()

# 3. keep-alives on an idle connection.
srv = listener(5003)
cli = socket.socket()
cli.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
cli.connect(("127.0.0.1", 5003))
conn, _ = srv.accept()
cli.sendall(b"ping"); conn.recv(16); conn.sendall(b"pong"); cli.recv(16)
time.sleep(2.6)
cli.close(); conn.close(); srv.close()

# 4. the same client port twice: a new ISN on the same 4-tuple.
srv = listener(5004)
for _ in range(2):
    cli = socket.socket()
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    cli.bind(("127.0.0.1", 45004))
    try:
        cli.connect(("127.0.0.1", 5004))
        conn, _ = srv.accept()
        conn.sendall(b"bye"); conn.close()  # the server closes first and keeps TIME-WAIT
        cli.recv(16); time.sleep(0.05); cli.close()
    except OSError:
        cli.close()
    time.sleep(0.1)
srv.close()

time.sleep(1.0)  # let tcpdump drain its buffer before it stops
nft("delete table inet tcpscope_test")
dump.terminate(); dump.wait()
print(dump.stderr.read().replace("\n", "; "))
'''


def record_loopback(workdir):
    """Returns the path of the recording, or None with a printed reason."""
    if os.geteuid() != 0:
        print("SKIP loopback recording: needs root (network namespace, tcpdump, nftables)")
        return None
    for tool in ("unshare", "tcpdump", "nft", "ip"):
        if shutil.which(tool) is None:
            print(f"SKIP loopback recording: {tool} not found")
            return None
    out = os.path.join(workdir, "loopback.pcap")
    script = os.path.join(workdir, "record_child.py")
    with open(script, "w") as f:
        f.write(RECORD_CHILD)
    proc = subprocess.run(["unshare", "--net", sys.executable, script, out], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=120)
    print("loopback recording: " + proc.stdout.strip())
    if proc.returncode != 0 or not os.path.exists(out):
        print(f"SKIP loopback recording failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
        return None
    return out


# ----------------------------------------------------------------------------- comparison

def load_known(path):
    """(capture, frame) -> reason, from lines 'capture<TAB>frame<TAB>tshark<TAB>tcpscope<TAB>reason'."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                known[(cols[0], cols[1])] = cols[4]
    return known


def fmt(flags):
    return ",".join(f for f in FLAG_IDS if f in flags) or "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--known", required=True)
    ap.add_argument("--min-identical", type=float, default=99.0)
    ap.add_argument("--no-record", action="store_true", help="skip the loopback recording")
    args = ap.parse_args()

    if shutil.which("tshark") is None:
        print("tshark not found (the Debian package tshark provides it)")
        return 1 if IN_CI else 0

    workdir = tempfile.mkdtemp(prefix="tcpscope-wshark-")
    config_dir = os.path.join(workdir, "wireshark-config")  # empty: default preferences
    os.makedirs(config_dir)
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=config_dir, HOME=workdir, LC_ALL="C", TZ="UTC")

    captures = []  # (label, path)
    corpus = os.path.abspath(args.corpus)
    if os.path.isdir(corpus):
        for sub in ("tcpdump/pcaps", "zeek/traces"):
            base = os.path.join(corpus, sub)
            for root, _, files in os.walk(base):
                for name in sorted(files):
                    if name.endswith(CAPTURE_SUFFIXES):
                        path = os.path.join(root, name)
                        captures.append((os.path.relpath(path, corpus), path))
        captures.sort()
    else:
        print(f"SKIP corpus: not found at {corpus}")
        if IN_CI:
            print("FAIL: the corpus is required under CI=true")
            return 1
    for name, crafter in crafted_scenarios().items():
        path = os.path.join(workdir, f"crafted-{name}.pcap")
        crafter.write(path)
        captures.append((f"crafted:{name}", path))
    if not args.no_record:
        rec = record_loopback(workdir)
        if rec:
            captures.append(("recorded:loopback", rec))

    known = load_known(args.known)
    total = identical = 0
    stream_mismatch = dupack_mismatch = relseq_mismatch = irtt_mismatch = 0
    differences = []
    flag_counts = {f: 0 for f in FLAG_IDS}
    def run_both(capture):
        return tshark_segments(capture[1], env), dump_segments(args.dump, capture[1])

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run_both, captures))
    for (label, path), (ref, ours) in zip(captures, results):
        if label.startswith("recorded:"):
            seen = {}
            for _, flags, *_ in ref.values():
                for f in flags:
                    seen[f] = seen.get(f, 0) + 1
            print(f"{label}: {len(ref)} TCP segments; tshark flags: "
                  + (", ".join(f"{f}={n}" for f, n in sorted(seen.items())) or "none"))
        for frame in sorted(set(ref) | set(ours)):
            total += 1
            r = ref.get(frame)
            o = ours.get(frame)
            r_flags = r[1] if r else None
            o_flags = o[1] if o else None
            if r_flags is not None:
                for f in r_flags:
                    flag_counts[f] += 1
            if r is not None and o is not None and r_flags == o_flags:
                identical += 1
                if r[0] != o[0]:
                    stream_mismatch += 1
                if "duplicate_ack" in r_flags and (r[2], r[3]) != (o[2], o[3]):
                    dupack_mismatch += 1
                if "," not in r[0] and (r[4], r[5]) != (o[4], o[5]):
                    relseq_mismatch += 1
                if r[6] and "," not in r[6] and r[6] != o[6]:
                    irtt_mismatch += 1
                continue
            differences.append((label, str(frame),
                                "absent" if r is None else fmt(r_flags),
                                "absent" if o is None else fmt(o_flags)))
    shutil.rmtree(workdir, ignore_errors=True)

    listed = 0
    for label, frame, r, o in differences:
        reason = known.get((label, frame))
        if reason is not None:
            listed += 1
        print(f"DIFF {label} frame {frame}: tshark={r} tcpscope={o}" + (f"  ({reason})" if reason else "  (unlisted)"))
    diff_keys = {(d[0], d[1]) for d in differences}
    stale = [k for k in known if k not in diff_keys]
    for label, frame in stale:
        print(f"NOTE listed difference no longer differs: {label} frame {frame}")

    pct = 100.0 * identical / total if total else 0.0
    print("flags tshark raised: " + ", ".join(f"{f}={n}" for f, n in flag_counts.items()))
    print(f"captures: {len(captures)}; TCP segments: {total}; identical flag sets: {identical} ({pct:.2f} %); "
          f"different: {len(differences)} ({listed} listed with a reason); "
          f"same flags but other tcp.stream: {stream_mismatch}; other dup-ACK number/frame: {dupack_mismatch}; "
          f"other relative seq/ack: {relseq_mismatch}; other iRTT: {irtt_mismatch}")
    if total == 0:
        print("FAIL: no TCP segments compared")
        return 1
    if pct < args.min_identical:
        print(f"FAIL: {pct:.2f} % < {args.min_identical} %")
        return 1
    print(f"PASS: {pct:.2f} % >= {args.min_identical} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
