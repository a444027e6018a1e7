#!/usr/bin/env python3
"""`tcpscope explain` on close kinds recorded by this test itself on loopback.

Recording: `tcpdump -i lo -U -w FILE` (the reference recorder; tcpscope's own live
capture is tested elsewhere) while python3 sockets on 127.0.0.1 play one scenario per
port; then `tcpscope explain` (text and JSON) reads the file. Sequence numbers, ports
and times differ on every run, so the checks are the facts that must not: the close
kind, the per-side state summaries, the phases, and the explanations that must appear.

Scenarios:
  client_first  ping/pong, the client closes first, the server 200 ms later: four-way, client first
  server_first  ping/pong, the server closes first, the client 200 ms later: four-way, server first
  half_close    the client sends and half-closes (shutdown SHUT_WR); the server answers after the FIN
  reset         the client closes with SO_LINGER {1, 0}: RST instead of FIN
  unread        the server closes without reading the client's data: the kernel sends RST
  refused       connect to a bound port that does not listen: SYN answered by RST
  mid_stream    client_first's exchange read through the filter `not tcp[tcpflags] & tcp-syn != 0`:
                the explanation must say the capture starts mid-connection
On loopback the kernel never fills in TCP checksums, so tcpdump shows them as incorrect:
the explanation must say it is offload, not damage.
Needs root to capture: otherwise a visible SKIP (exit 77), and a failure under CI=true.
"""
import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402

SKIP_RC = 77
# Below the kernel's ephemeral range (32768-60999), so with the SYNs filtered out the
# port heuristic deterministically names the listener the server.
BASE_PORT = 27310


def serve(port, behaviour, ready):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    ready.set()
    conn, _ = srv.accept()
    behaviour(conn)
    srv.close()


def read_to_eof(conn):
    while conn.recv(4096):
        pass


def client_first_server(conn):
    conn.recv(4)
    conn.sendall(b"pong")
    read_to_eof(conn)
    time.sleep(0.2)
    conn.close()


def client_first_client(c):
    c.sendall(b"ping")
    c.recv(4)
    time.sleep(0.05)
    c.close()


def server_first_server(conn):
    conn.recv(4)
    conn.sendall(b"pong")
    time.sleep(0.05)
    conn.close()


def server_first_client(c):
    c.sendall(b"ping")
    c.recv(4)
    read_to_eof(c)
    time.sleep(0.2)
    c.close()


def half_close_server(conn):
    read_to_eof(conn)
    time.sleep(0.05)
    conn.sendall(b"pong")
    time.sleep(0.05)
    conn.close()


def half_close_client(c):
    c.sendall(b"ping")
    c.shutdown(socket.SHUT_WR)
    read_to_eof(c)
    time.sleep(0.1)
    c.close()


def reset_server(conn):
    conn.recv(4)
    conn.sendall(b"pong")
    read_to_eof_or_reset(conn)
    conn.close()


def read_to_eof_or_reset(conn):
    try:
        read_to_eof(conn)
    except ConnectionResetError:
        pass


def reset_client(c):
    c.sendall(b"ping")
    c.recv(4)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def unread_server(conn):
    time.sleep(0.1)  # the client's data arrives, unread
    conn.close()


def unread_client(c):
    c.sendall(b"ping")
    read_to_eof_or_reset(c)
    c.close()


SCENARIOS = [  # name, server behaviour, client behaviour
    ("client_first", client_first_server, client_first_client),
    ("server_first", server_first_server, server_first_client),
    ("half_close", half_close_server, half_close_client),
    ("reset", reset_server, reset_client),
    ("unread", unread_server, unread_client),
]
REFUSED_PORT = BASE_PORT + len(SCENARIOS)


def play():
    for i, (_, server, client) in enumerate(SCENARIOS):
        ready = threading.Event()
        t = threading.Thread(target=serve, args=(BASE_PORT + i, server, ready))
        t.start()
        ready.wait(5)
        c = socket.socket()
        c.settimeout(5)
        if i == 0:
            # Above the ephemeral range and the server's port: when mid_stream hides the SYNs,
            # the port heuristic (the lower port is the server) must find the same roles.
            c.bind(("127.0.0.1", random.randrange(61000, 65000)))
        c.connect(("127.0.0.1", BASE_PORT + i))
        client(c)
        t.join(10)
    bound = socket.socket()
    bound.bind(("127.0.0.1", REFUSED_PORT))  # bound, not listening: the kernel answers RST
    try:
        socket.create_connection(("127.0.0.1", REFUSED_PORT), timeout=2)
    except OSError:
        pass
    bound.close()


def record(pcap):
    testlib.record_loopback(pcap, f"tcp and host 127.0.0.1 and portrange {BASE_PORT}-{REFUSED_PORT}", play)


def explain(tcpscope, pcap, extra=()):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    text = subprocess.run([tcpscope, "explain", "-r", pcap, *extra], env=env, capture_output=True, timeout=60,
                          check=True).stdout.decode()
    data = json.loads(subprocess.run([tcpscope, "explain", "--format", "json", "-r", pcap, *extra], env=env,
                                     capture_output=True, timeout=60, check=True).stdout)
    return text, data


def by_port(data):
    return {c["server"]["port"]: c for c in data}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tcpscope", required=True)
    a = ap.parse_args()
    if os.geteuid() != 0 or shutil.which("tcpdump") is None:
        why = "needs root and tcpdump to capture on lo"
        if os.environ.get("CI") == "true":
            print(f"FAIL: explain_scenarios {why} (CI=true)")
            return 1
        print(f"SKIP: explain_scenarios {why}")
        return SKIP_RC
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "scenarios.pcap")
        record(pcap)
        text, data = explain(a.tcpscope, pcap)
        conns = by_port(data)
        kinds = {name: conns.get(BASE_PORT + i, {}).get("close_kind") for i, (name, _, _) in enumerate(SCENARIOS)}
        kinds["refused"] = conns.get(REFUSED_PORT, {}).get("close_kind")
        print("close kinds:", kinds)
        expect(kinds["client_first"] == "four_way_client_first", "client_first")
        expect(kinds["server_first"] == "four_way_server_first", "server_first")
        expect(kinds["half_close"] == "half_close_then_close", "half_close")
        expect(kinds["reset"] == "reset_by_client", "reset")
        expect(kinds["unread"] in ("reset_by_server", "reset_by_server_after_fin"), "unread")
        expect(kinds["refused"] == "refused", "refused")
        blocks = {c.split("\n", 1)[0].rsplit(":", 1)[-1].split(" ")[0]: c for c in text.split("\nConnection ")}
        client_first = blocks.get(str(BASE_PORT), "")
        expect("Client: ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT" in client_first, "client_first: client")
        expect("Server: ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED" in client_first, "client_first: server")
        server_first = blocks.get(str(BASE_PORT + 1), "")
        expect("Server: ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT" in server_first, "server_first: server")
        expect("Client: ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED" in server_first, "server_first: client")
        expect("unread data" in blocks.get(str(BASE_PORT + 4), ""), "unread: RST with unread data explained")
        expect("Refused: the server answered the SYN with RST" in blocks.get(str(REFUSED_PORT), ""),
               "refused: phase title")
        bad = [s for c in data for s in c["segments"] if s["checksum"] == "bad"]
        if bad:
            expect("offloads checksums (loopback" in text, "loopback checksum offload explained")
            expect(all(s["loopback"] for s in bad), "bad checksums marked loopback")
        print(f"{len(bad)} segments with loopback-offloaded checksums")
        # The same capture without its SYNs: a capture that starts mid-connection.
        text, data = explain(a.tcpscope, pcap, ["--conn", "1", f"tcp port {BASE_PORT} and tcp[tcpflags] & tcp-syn == 0"])
        expect(len(data) == 1 and "started_mid_stream" in data[0]["segments"][0]["notes"], "mid_stream: note")
        expect(len(data) == 1 and data[0]["initial"]["client"]["confidence"] == "assumed", "mid_stream: assumed")
        expect("the capture starts mid-connection" in text, "mid_stream: explained")
        expect(len(data) == 1 and data[0]["role_reason"] == "port_heuristic", "mid_stream: roles from the ports")
        expect(len(data) == 1 and data[0]["close_kind"] == "four_way_client_first",
               f"mid_stream: close kind {data[0]['close_kind'] if data else None}")
    for f in failures:
        print("FAIL:", f)
    print("ok: explain scenarios" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
