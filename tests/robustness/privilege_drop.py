#!/usr/bin/env python3
"""Dropping root (issue 7, point 5), side by side with Debian's tcpdump 4.99.3.

Usage: privilege_drop.py TCPSCOPE_BINARY CORPUS_DIR CASE

Each case runs tcpdump and tcpscope with the same arguments, as root, and compares
what can be observed: the process's identity and capabilities once the capture is
running (/proc/PID/status: Uid, Gid, Groups, CapInh/Prm/Eff/Bnd/Amb, read when the
banner is out), the owner, group and mode of the -w file, and the exit status.

Cases:
  default_live      -i lo -w DIR/x.pcap, DIR root's 0755: both become the user
                    'tcpdump' with no capability left, and the file (created in a
                    directory that user may not write) belongs to tcpdump:tcpdump;
                    tcpdump reads tcpscope's file back after SIGINT.
  default_read      -r - (a capture on a pipe held open) -w DIR/x.pcap: reading a file
                    drops root too, in both tools.
  default_no_write  -i lo without -w: dropped all the same.
  z_root            -Z root -i lo -w: stays root with every capability; file root's.
  z_nobody          -Z nobody -i lo -w into root's 0755 directory: nobody, file nobody's.
  no_such_user      -Z no-such-user -w: exit 1, one 'couldn't find user' line, and no
                    file (tcpdump leaves an empty root-owned one: a deliberate difference).
  unwritable        -w into a read-only tmpfs (root cannot write there either): exit 1
                    and tcpdump's error text ('...: Read-only file system'), no file.
  conns             tcpscope conns -i lo (no banner: its uid is polled), without -Z and with
                    -Z nobody: the same identity and capabilities as tcpdump -i lo; and
                    conns -Z no-such-user: exit 1, one line, no output.
  no_default_user   /etc/passwd without 'tcpdump' (bind-mounted in a private mount
                    namespace): tcpscope keeps root silently (exit 0, the file root's)
                    where Debian's tcpdump stops with "Couldn't find user 'tcpdump'".
Exit status: 0 pass, 1 fail, 77 skip (a visible SKIP line says why: not root, no
tcpdump, no 'tcpdump' user, no unshare; under CI=true a missing corpus is a failure).
"""
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib  # noqa: E402
from testlib import Skip, check  # noqa: E402

ENV = dict(os.environ, TZ="UTC", LC_ALL="C")
CAPTURE = "zeek/traces/wikipedia.pcap"
STATUS_FIELDS = ("Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
BANNERS = ("listening on ", "reading from file ")
WAIT_SECONDS = 120  # how long to wait for a banner before calling the run stuck (not a timing assertion)


def proc_status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in STATUS_FIELDS:
                fields[name] = " ".join(value.split())
    return fields


def file_facts(path):
    st = os.stat(path)
    return {"owner": st.st_uid, "group": st.st_gid, "mode": oct(stat.S_IMODE(st.st_mode))}


def error_lines(text):
    return [l for l in text.splitlines() if l and not l.startswith(BANNERS) and "verbose output suppressed" not in l
            and "packets " not in l and "packet " not in l]


class Running:
    """One tool started with stderr in a file; waits for its banner, which both tools print
    after the drop, then reads /proc/PID/status. stdin is an open pipe when `feed` is given."""

    def __init__(self, argv, workdir, tag, feed=None):
        self.err_path = os.path.join(workdir, f"{tag}.stderr")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err, env=ENV)
        if feed is not None:
            self.proc.stdin.write(feed)
            self.proc.stdin.flush()  # and kept open: the reader waits for more packets

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def status_after_banner(self, what):
        deadline = time.monotonic() + WAIT_SECONDS
        while not any(b in self.stderr() for b in BANNERS):
            if self.proc.poll() is not None:
                raise AssertionError(f"{what} exited with {self.proc.returncode} before its banner: {self.stderr()!r}")
            check(time.monotonic() < deadline, f"{what} printed no banner: {self.stderr()!r}")
            time.sleep(0.05)
        return proc_status(self.proc.pid)

    def status_once_uid_is(self, what, uid):
        """For a command with no banner (conns): waits until the process runs as `uid`,
        polling without a pause, so the SIGINT that follows comes as early as a script
        can send it (a stop signal caught only after the drop killed conns here)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"{what} exited with {self.proc.returncode}: {self.stderr()!r}")
            status = proc_status(self.proc.pid)
            if status["Uid"].split() == [str(uid)] * 4:
                return status
            check(time.monotonic() < deadline, f"{what} still runs as {status['Uid']}, expected {uid}")

    def stop(self):
        if self.proc.stdin:
            self.proc.stdin.close()  # end of the capture on the pipe
        else:
            self.proc.send_signal(signal.SIGINT)
        rc = self.proc.wait(timeout=WAIT_SECONDS)
        self.err.close()
        return rc


def run_both(binary, args, out_dir, feed=None, dump_uid=None):
    """Runs tcpdump then tcpscope with `args` (OUT stands for DIR/<tool>.pcap); returns
    {tool: {"status": ..., "file": ..., "rc": ..., "stderr": ...}}. tcpdump reading a
    file prints its banner before it drops root (28 of 30 samples taken right after the
    banner still showed uid 0): with `dump_uid`, tcpdump's identity is read once it runs
    as that uid (tcpscope's is still read right after its banner: it drops first)."""
    facts = {}
    for tool, argv0 in (("tcpdump", "tcpdump"), ("tcpscope", binary)):
        out = os.path.join(out_dir, f"{tool}.pcap")
        argv = [argv0] + [out if a == "OUT" else a for a in args]
        running = Running(argv, os.path.dirname(out_dir), tool, feed)
        try:
            status = running.status_after_banner(tool)
            if tool == "tcpdump" and dump_uid is not None:
                status = running.status_once_uid_is(tool, dump_uid)
        finally:
            rc = running.stop()
        facts[tool] = {"status": status, "rc": rc, "stderr": running.stderr(),
                       "file": file_facts(out) if os.path.exists(out) else None}
    return facts


def compare(facts, expected_uid, expected_owner):
    dump, scope = facts["tcpdump"], facts["tcpscope"]
    check(scope["rc"] == 0 and dump["rc"] == 0,
          f"exit status tcpscope {scope['rc']}, tcpdump {dump['rc']}: {scope['stderr']!r} / {dump['stderr']!r}")
    check(scope["status"] == dump["status"],
          f"identity while capturing differs:\n  tcpscope {scope['status']}\n  tcpdump  {dump['status']}")
    uids = set(scope["status"]["Uid"].split())
    check(uids == {str(expected_uid)}, f"tcpscope runs as uids {uids}, expected {expected_uid}")
    if expected_uid != 0:
        for cap in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
            check(int(scope["status"][cap], 16) == 0, f"{cap} is {scope['status'][cap]} after the drop")
    if expected_owner is not None:
        check(scope["file"] == dump["file"], f"-w file: tcpscope {scope['file']}, tcpdump {dump['file']}")
        check(scope["file"]["owner"] == expected_owner, f"the -w file belongs to {scope['file']['owner']}")
    print(f"tcpscope and tcpdump: {scope['status']['Uid']} / groups '{scope['status']['Groups']}' / "
          f"CapEff {scope['status']['CapEff']}; -w file {scope['file']}")


def root_dir(tmp, mode=0o755):
    path = os.path.join(tmp, "out")
    os.mkdir(path)
    os.chmod(path, mode)  # root's: the user 'tcpdump' may not create files here
    return path


def tcpdump_user():
    try:
        return pwd.getpwnam("tcpdump")
    except KeyError:
        raise Skip("there is no 'tcpdump' user (Debian's tcpdump package creates it)")


def case_default_live(binary, capture):
    user = tcpdump_user()
    with tempfile.TemporaryDirectory() as tmp:
        out = root_dir(tmp)
        facts = run_both(binary, ["-i", "lo", "-w", "OUT"], out, dump_uid=user.pw_uid)
        compare(facts, user.pw_uid, user.pw_uid)
        check(facts["tcpscope"]["file"]["group"] == user.pw_gid, "the -w file's group is not tcpdump's")
        reread = subprocess.run(["tcpdump", "-r", os.path.join(out, "tcpscope.pcap")], capture_output=True, env=ENV)
        check(reread.returncode == 0 and error_lines(reread.stderr.decode()) == [],
              f"tcpdump cannot read tcpscope's file: {reread.stderr!r}")


def case_default_read(binary, capture):
    user = tcpdump_user()
    with open(capture, "rb") as f:
        feed = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        out = root_dir(tmp)
        facts = run_both(binary, ["-r", "-", "-w", "OUT"], out, feed=feed, dump_uid=user.pw_uid)
        compare(facts, user.pw_uid, user.pw_uid)


def case_default_no_write(binary, capture):
    user = tcpdump_user()
    with tempfile.TemporaryDirectory() as tmp:
        facts = run_both(binary, ["-n", "-i", "lo"], root_dir(tmp), dump_uid=user.pw_uid)
        compare(facts, user.pw_uid, None)


def case_z_root(binary, capture):
    with tempfile.TemporaryDirectory() as tmp:
        facts = run_both(binary, ["-Z", "root", "-i", "lo", "-w", "OUT"], root_dir(tmp))
        compare(facts, 0, 0)
        check(int(facts["tcpscope"]["status"]["CapEff"], 16) != 0, "-Z root lost root's capabilities")


def case_z_nobody(binary, capture):
    nobody = pwd.getpwnam("nobody")
    with tempfile.TemporaryDirectory() as tmp:
        facts = run_both(binary, ["-Z", "nobody", "-i", "lo", "-w", "OUT"], root_dir(tmp), dump_uid=nobody.pw_uid)
        compare(facts, nobody.pw_uid, nobody.pw_uid)


def case_no_such_user(binary, capture):
    with tempfile.TemporaryDirectory() as tmp:
        out = root_dir(tmp)
        for args in (["-r", capture], ["-i", "lo"]):
            r = subprocess.run([binary, "-Z", "no-such-user-xyz", *args, "-w", os.path.join(out, "x.pcap")],
                               capture_output=True, env=ENV, timeout=WAIT_SECONDS)
            lines = error_lines(r.stderr.decode(errors="replace"))
            check(r.returncode == 1, f"{args}: exit status {r.returncode}: {lines!r}")
            check(lines == ["tcpscope: couldn't find user 'no-such-user-xyz'"], f"{args}: {lines!r}")
            check(os.listdir(out) == [], f"{args}: files were left behind: {os.listdir(out)!r}")


def case_conns(binary, capture):
    user = tcpdump_user()
    nobody = pwd.getpwnam("nobody")
    with tempfile.TemporaryDirectory() as tmp:
        for z, uid in (([], user.pw_uid), (["-Z", "nobody"], nobody.pw_uid)):
            statuses = {}
            dump = Running(["tcpdump", "-n", "-i", "lo", *z], tmp, "tcpdump")
            try:
                statuses["tcpdump"] = dump.status_after_banner("tcpdump")
            finally:
                dump.stop()
            scope = Running([binary, "conns", "-i", "lo", *z], tmp, "conns")
            try:
                statuses["conns"] = scope.status_once_uid_is("tcpscope conns", uid)
            finally:
                rc = scope.stop()
            check(rc == 0, f"conns {z}: exit status {rc}: {scope.stderr()!r}")
            check(statuses["conns"] == statuses["tcpdump"], f"conns {z}: {statuses!r}")
            check(int(statuses["conns"]["CapEff"], 16) == 0, f"conns {z}: capabilities left: {statuses!r}")
        r = subprocess.run([binary, "conns", "-Z", "no-such-user-xyz", "-r", capture], capture_output=True, env=ENV,
                           timeout=WAIT_SECONDS)
        check(r.returncode == 1 and r.stdout == b"" and
              r.stderr.decode() == "tcpscope: conns: couldn't find user 'no-such-user-xyz'\n", f"{r!r}")
    print(f"conns -i lo: uid {user.pw_uid} by default, {nobody.pw_uid} with -Z nobody, as tcpdump; CapEff 0")


def in_mount_namespace(script):
    if shutil.which("unshare") is None:
        raise Skip("unshare (util-linux) is missing")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, env=ENV, timeout=WAIT_SECONDS)
    if r.returncode == 99:
        raise Skip(f"cannot mount here: {r.stderr!r}")
    return r


def case_unwritable(binary, capture):
    with tempfile.TemporaryDirectory() as tmp:
        mnt = root_dir(tmp)
        results = {}
        for tool, argv0 in (("tcpdump", "tcpdump"), ("tcpscope", binary)):
            r = in_mount_namespace(f'mount -t tmpfs -o ro,size=16k none "{mnt}" || exit 99; '
                                   f'"{argv0}" -r "{capture}" -w "{mnt}/x.pcap"; rc=$?; ls -A "{mnt}"; exit $rc')
            lines = error_lines(r.stderr.decode(errors="replace"))
            check(r.returncode == 1, f"{tool}: exit status {r.returncode}: {lines!r}")
            check(r.stdout.decode().strip() == "", f"{tool} left files: {r.stdout!r}")
            check(len(lines) == 1 and lines[0].startswith(tool + ": "), f"{tool}: {lines!r}")
            results[tool] = lines[0].split(": ", 1)[1]
        check(results["tcpscope"] == results["tcpdump"], f"error text differs: {results!r}")
        check("Read-only file system" in results["tcpscope"], f"{results!r}")
        print(f"both: '{results['tcpscope']}', exit 1, no file")


def case_no_default_user(binary, capture):
    tcpdump_user()
    with tempfile.TemporaryDirectory() as tmp:
        passwd = os.path.join(tmp, "passwd")
        with open("/etc/passwd") as src, open(passwd, "w") as dst:
            dst.writelines(l for l in src if not l.startswith("tcpdump:"))
        out = root_dir(tmp)
        mount = f'mount --bind "{passwd}" /etc/passwd || exit 99; '
        scope = in_mount_namespace(mount + f'"{binary}" -r "{capture}" -w "{out}/x.pcap"')
        check(scope.returncode == 0, f"exit status {scope.returncode}: {scope.stderr!r}")
        check(error_lines(scope.stderr.decode(errors="replace")) == [], f"messages: {scope.stderr!r}")
        check(file_facts(os.path.join(out, "x.pcap"))["owner"] == 0, "the file should be root's (no drop)")
        dump = in_mount_namespace(mount + f'tcpdump -r "{capture}" -w "{out}/t.pcap"')
        check(dump.returncode == 1 and b"Couldn't find user 'tcpdump'" in dump.stderr,
              f"Debian's tcpdump was expected to stop: {dump.returncode} {dump.stderr!r}")


def needs_root():
    if os.geteuid() != 0:
        raise Skip(f"dropping root needs root (uid {os.geteuid()})")


def needs_tcpdump():
    if shutil.which("tcpdump") is None:
        raise Skip("tcpdump, the reference, is not installed")


def main():
    return testlib.run_case_main(__doc__, globals(), sys.argv, CAPTURE, preconditions=(needs_root, needs_tcpdump))


if __name__ == "__main__":
    sys.exit(main())
