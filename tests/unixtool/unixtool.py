#!/usr/bin/env python3
"""tcpscope as a Unix tool (issue 8): the installed layout, the man page, the
shell completions, the Debian package and the exit-status/stderr conventions.

Usage: unixtool.py CASE --source-dir DIR --build-dir DIR
Cases: install man completions package exit_codes. Exit 77 = skipped (stated why)."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(args, **kwargs):
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    kwargs.setdefault("timeout", 300)
    return subprocess.run(args, **kwargs)


def project_version(source_dir):
    text = open(os.path.join(source_dir, "CMakeLists.txt")).read()
    return re.search(r"project\(tcpscope VERSION ([0-9.]+)", text).group(1)


def subcommands(tcpscope):
    """The subcommands `tcpscope --help` lists (generated from the registered CLI11 app), print first."""
    usage = run([tcpscope, "--help"]).stdout.decode()
    names = ["print"] + re.findall(r"^\s+tcpscope (\w+) ", usage, re.M)
    check(len(names) > 1, f"tcpscope --help lists no subcommand:\n{usage}")
    return names, usage


# ---- install -----------------------------------------------------------------

def case_install(a):
    version = project_version(a.source_dir)
    with tempfile.TemporaryDirectory(prefix="tcpscope-install-") as prefix:
        result = run(["cmake", "--install", a.build_dir, "--prefix", prefix])
        check(result.returncode == 0, f"cmake --install failed: {result.stderr.decode()}")
        expected = ["bin/tcpscope", "share/man/man1/tcpscope.1",
                    "share/bash-completion/completions/tcpscope", "share/zsh/vendor-completions/_tcpscope",
                    "share/tcpscope/examples/article.pcap"]
        for path in expected:
            check(os.path.isfile(os.path.join(prefix, path)), f"{path} is not installed")
        check(os.access(os.path.join(prefix, "bin/tcpscope"), os.X_OK), "bin/tcpscope is not executable")
        result = run([os.path.join(prefix, "bin/tcpscope"), "--version"])
        lines = result.stdout.decode().splitlines()
        check(result.returncode == 0 and lines[:1] == [f"tcpscope version {version}"],
              f"installed --version: {result.stdout!r}")
        check(len(lines) == 2 and lines[1].startswith("libpcap version "), f"no libpcap version: {lines}")
        result = run(["man", "-M", os.path.join(prefix, "share/man"), "-w", "tcpscope"])
        check(result.returncode == 0 and result.stdout.decode().strip() ==
              os.path.join(prefix, "share/man/man1/tcpscope.1"), f"man -w: {result.stdout!r} {result.stderr!r}")
        installed = sorted(os.path.relpath(os.path.join(d, f), prefix)
                           for d, _, files in os.walk(prefix) for f in files)
        check(installed == sorted(expected), f"unexpected installed files: {installed}")
        print(f"PASS: installed {', '.join(installed)}; --version {lines[0]!r}; man -w finds the page")


# ---- man ---------------------------------------------------------------------

def case_man(a):
    page = os.path.join(a.source_dir, "doc/tcpscope.1")
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    result = run(["man", "--warnings", "-l", page], env=env)
    check(result.returncode == 0, f"man -l failed: {result.stderr.decode()}")
    check(result.stderr == b"", f"man --warnings reports:\n{result.stderr.decode()}")
    text = result.stdout.decode()
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "SUBCOMMANDS", "PROGRESS", "EXIT STATUS", "EXAMPLES",
                    "SEE ALSO"):
        check(re.search(rf"^{section}$", text, re.M), f"the man page has no {section} section")
    version = project_version(a.source_dir)
    check(f'"tcpscope {version}"' in open(page).read(), f"the man page's .TH does not say version {version}")
    tcpscope = os.path.join(a.build_dir, "tcpscope")
    names, _ = subcommands(tcpscope)
    for name in names:
        check(re.search(rf"^   tcpscope {name}\b", text, re.M), f"no section for the {name} subcommand")
    # The examples are real runs: re-run the ones on examples/article.pcap and compare.
    examples = text[text.index("\nEXAMPLES"):text.index("\nENVIRONMENT")]
    shown = re.findall(r"^\s+\$ (tcpscope [^|\n]*examples/article\.pcap)\n((?:[ ]+[^$ \n].*\n)+)", examples, re.M)
    compared = 0
    for command, output in shown:
        argv = command.split()[1:]
        result = run([tcpscope] + argv, cwd=a.source_dir, env=dict(os.environ, TZ="UTC"))
        produced = (result.stderr + result.stdout).decode().splitlines()
        for line in (l.strip() for l in output.splitlines()):
            if line and not line.startswith(("jq", "server:")):
                check(line in [p.strip() for p in produced], f"`{command}` no longer prints {line!r}")
        compared += 1
    check(compared >= 1, "no example on examples/article.pcap found in the man page")
    print(f"PASS: man --warnings silent, sections present, {len(names)} subcommands, {compared} example(s) re-run")


# ---- completions -------------------------------------------------------------

def bash_complete(script, words, path_dir, with_bash_completion):
    """Completes `words` (the last one is the word being completed) with the bash script."""
    loader = ""
    if with_bash_completion:
        loader = "source /usr/share/bash-completion/bash_completion\n"
    line = " ".join(words)
    program = f"""{loader}source {script}
COMP_WORDS=({' '.join("'" + w + "'" for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
_tcpscope tcpscope '{words[-1]}' '{words[-2]}'
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    env = dict(os.environ, PATH=path_dir + os.pathsep + os.environ.get("PATH", ""))
    result = run(["bash", "-c", program], env=env)
    check(result.returncode == 0, f"bash completion of {words} failed: {result.stderr.decode()}")
    return set(result.stdout.decode().split())


def case_completions(a):
    bash_file = os.path.join(a.source_dir, "completions/tcpscope.bash")
    result = run(["bash", "-c", f"source {bash_file}; complete -p tcpscope"])
    check(result.returncode == 0 and result.stdout.decode().strip() == "complete -F _tcpscope tcpscope",
          f"complete -p tcpscope: {result.stdout!r} {result.stderr!r}")
    tcpscope = os.path.join(a.build_dir, "tcpscope")
    names, _ = subcommands(tcpscope)
    interfaces = set(os.listdir("/sys/class/net")) if os.path.isdir("/sys/class/net") else {"lo"}
    loaders = [False] + ([True] if os.path.exists("/usr/share/bash-completion/bash_completion") else [])
    for loaded in loaders:
        got = bash_complete(bash_file, ["tcpscope", ""], a.build_dir, loaded)
        check(set(names) <= got, f"subcommands completed: {got}, expected {names}")
        got = bash_complete(bash_file, ["tcpscope", "co"], a.build_dir, loaded)
        check(got == {n for n in names if n.startswith("co")}, f"'co' completes to {got}")
        got = bash_complete(bash_file, ["tcpscope", "conns", "--for"], a.build_dir, loaded)
        check(got == {"--format"}, f"'conns --for' completes to {got}")
        got = bash_complete(bash_file, ["tcpscope", "conns", "--format", ""], a.build_dir, loaded)
        check(got == {"table", "json", "ndjson", "zeek"}, f"conns --format values: {got}")
        if "diagram" in names:
            got = bash_complete(bash_file, ["tcpscope", "diagram", "--format", ""], a.build_dir, loaded)
            check(got == {"text", "svg", "html", "mermaid", "json"}, f"diagram --format values: {got}")
            got = bash_complete(bash_file, ["tcpscope", "diagram", "--re"], a.build_dir, loaded)
            check(got == {"--read", "--relative", "--relinquish-privileges"}, f"'diagram --re' completes to {got}")
        got = bash_complete(bash_file, ["tcpscope", "-nn", "--time-stamp-precision", ""], a.build_dir, loaded)
        check(got == {"micro", "nano"}, f"--time-stamp-precision values: {got}")
        got = bash_complete(bash_file, ["tcpscope", "-i", ""], a.build_dir, loaded)
        check(interfaces & got and "any" in got, f"-i completes to {got}, interfaces are {interfaces}")
        got = bash_complete(bash_file, ["tcpscope", "-S", "--vers"], a.build_dir, loaded)
        check(got == {"--version"}, f"'--vers' completes to {got}")
        if "lab" in names:
            listing = run([tcpscope, "lab", "--list"]).stdout.decode()
            first = re.findall(r"^  (\S+)", listing, re.M)
            got = bash_complete(bash_file, ["tcpscope", "lab", ""], a.build_dir, loaded)
            check(first and set(first) <= got, f"lab scenarios completed: {got}, expected {first}")
    zsh_file = os.path.join(a.source_dir, "completions/_tcpscope")
    check(open(zsh_file).readline().strip() == "#compdef tcpscope", "_tcpscope does not start with #compdef")
    zsh = shutil.which("zsh")
    if zsh is None:
        if os.environ.get("CI") == "true":
            fail("zsh is not installed (scripts/install-deps.sh installs it)")
        print("SKIP (zsh part): zsh is not installed")
    else:
        result = run([zsh, "-n", zsh_file])
        check(result.returncode == 0, f"zsh -n _tcpscope: {result.stderr.decode()}")
        # Load it through compinit from a fresh fpath and ask which function completes tcpscope.
        with tempfile.TemporaryDirectory(prefix="tcpscope-zsh-") as home:
            program = (f"fpath=({os.path.dirname(zsh_file)} $fpath); autoload -Uz compinit; "
                       f"compinit -u -d {home}/zcompdump; print -r -- $_comps[tcpscope]")
            result = run([zsh, "-f", "-c", program], env=dict(os.environ, HOME=home))
            check(result.returncode == 0 and result.stdout.decode().strip() == "_tcpscope",
                  f"zsh compinit does not bind _tcpscope: {result.stdout!r} {result.stderr!r}")
    print(f"PASS: bash (plain{' and with bash-completion' if len(loaders) > 1 else ''}) completes "
          f"subcommands, options, values, interfaces; zsh {'loads _tcpscope' if zsh else 'skipped'}")


# ---- package -----------------------------------------------------------------

def case_package(a):
    version = project_version(a.source_dir)
    with tempfile.TemporaryDirectory(prefix="tcpscope-deb-") as tmp:
        result = run(["cpack", "-G", "DEB", "--config", os.path.join(a.build_dir, "CPackConfig.cmake"),
                      "-B", tmp], cwd=tmp, timeout=600)
        check(result.returncode == 0, f"cpack failed:\n{result.stdout.decode()}\n{result.stderr.decode()}")
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        check(debs == [f"tcpscope_{version}_amd64.deb"], f"cpack made {debs}")
        deb = os.path.join(tmp, debs[0])
        info = run(["dpkg-deb", "-I", deb]).stdout.decode()
        fields = dict(re.findall(r"^ (\w[\w-]*): (.*)$", info, re.M))
        check(fields.get("Package") == "tcpscope" and fields.get("Version") == version
              and fields.get("Architecture") == "amd64", f"control fields: {fields}")
        depends = [d.strip().split()[0] for d in fields.get("Depends", "").split(",") if d.strip()]
        for needed in ("libpcap0.8", "libfmt9", "libc6", "libstdc++6"):
            check(needed in depends, f"Depends lacks {needed}: {fields.get('Depends')}")
        for dep in depends:  # every dependency is satisfiable here
            status = run(["dpkg-query", "-W", "-f=${Status}", dep]).stdout.decode()
            check("install ok installed" in status, f"dependency {dep} is not installed on this machine")
        contents = run(["dpkg-deb", "-c", deb]).stdout.decode()
        for path in ("./usr/bin/tcpscope", "./usr/share/man/man1/tcpscope.1",
                     "./usr/share/bash-completion/completions/tcpscope",
                     "./usr/share/zsh/vendor-completions/_tcpscope"):
            check(re.search(rf" {re.escape(path)}(\.gz)?$", contents, re.M), f"the package lacks {path}")
        # Install into a throw-away root (its own dpkg database), run it, read its man page, remove it.
        root = os.path.join(tmp, "root")
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
            os.makedirs(os.path.join(root, d))
        open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
        dpkg = ["dpkg", f"--root={root}", "--force-depends", "--force-not-root", "--force-script-chrootless",
                f"--log={os.path.join(tmp, 'dpkg.log')}"]
        result = run(dpkg + ["-i", deb])
        check(result.returncode == 0, f"dpkg -i failed: {result.stderr.decode()}")
        status = run(["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f=${Status} ${Version}",
                      "tcpscope"]).stdout.decode()
        check(status == f"install ok installed {version}", f"dpkg status after -i: {status!r}")
        result = run([os.path.join(root, "usr/bin/tcpscope"), "--version"])
        check(result.returncode == 0 and result.stdout.decode().startswith(f"tcpscope version {version}\nlibpcap"),
              f"installed tcpscope --version: {result.stdout!r}")
        result = run(["man", "-M", os.path.join(root, "usr/share/man"), "-w", "tcpscope"])
        check(result.returncode == 0 and root in result.stdout.decode(), f"man -w: {result.stdout!r}")
        result = run(dpkg + ["-r", "tcpscope"])
        check(result.returncode == 0, f"dpkg -r failed: {result.stderr.decode()}")
        check(not os.path.exists(os.path.join(root, "usr/bin/tcpscope")), "dpkg -r left usr/bin/tcpscope")
        print(f"PASS: {debs[0]} Depends: {fields.get('Depends')}; installed in a throw-away root, "
              "--version and man -w work, removed")


# ---- exit codes --------------------------------------------------------------

def stderr_lines_ok(stderr):
    """Every stderr line is a tcpscope message or tcpdump's banner."""
    for line in stderr.decode(errors="replace").splitlines():
        if line and not line.startswith(("tcpscope: ", "reading from file ")):
            return line
    return None


def case_exit_codes(a):
    tcpscope = os.path.join(a.build_dir, "tcpscope")
    article = os.path.join(a.source_dir, "examples/article.pcap")
    names, usage = subcommands(tcpscope)
    with tempfile.TemporaryDirectory(prefix="tcpscope-exit-") as tmp:
        damaged = os.path.join(tmp, "damaged.pcap")
        open(damaged, "wb").write(open(article, "rb").read()[:-20])
        not_pcap = os.path.join(tmp, "notes.txt")
        open(not_pcap, "w").write("this is not a capture file\n")
        checked = 0
        for name in names:
            prefix = [] if name == "print" else [name]
            reads_files = name == "print" or re.search(rf"^\s+tcpscope {name} (?:.*\n\s{{20,}})*.*\[-r ", usage, re.M)
            cases = [
                ("--help", ["--help"], 0),
                ("unknown option", ["--no-such-option"], 2),
            ]
            if reads_files:
                cases += [
                    ("missing file", ["-r", os.path.join(tmp, "missing.pcap")], 1),
                    ("not a capture", ["-r", not_pcap], 1),
                    ("damaged file", ["-r", damaged], 1),
                    ("bad filter", ["-r", article, "tcp", "port"], 2),
                    ("success", ["-r", article], 0),
                ]
            for label, args, expected in cases:
                result = run([tcpscope] + prefix + args, cwd=tmp)
                what = f"tcpscope {' '.join(prefix + args)} ({label})"
                check(result.returncode == expected, f"{what}: exit status {result.returncode}, expected {expected}; "
                      f"stderr {result.stderr[-300:]!r}")
                bad = stderr_lines_ok(result.stderr)
                check(bad is None, f"{what}: stderr line not prefixed 'tcpscope: ': {bad!r}")
                if expected != 0 and label != "damaged file":  # a damaged file keeps what came before
                    check(result.stdout == b"", f"{what}: an error run wrote to stdout: {result.stdout[:200]!r}")
                if expected != 0:
                    check(b"tcpscope: " in result.stderr, f"{what}: no 'tcpscope: ' error message")
                if label == "--help":
                    check(result.stdout != b"" and result.stderr == b"", f"{what}: help must go to stdout only")
                checked += 1
        # Results only on stdout: JSON parses, the Zeek log is all #-lines and rows.
        if "conns" in names:
            result = run([tcpscope, "conns", "--format", "json", "-r", article])
            json.loads(result.stdout)
            result = run([tcpscope, "conns", "--format", "ndjson", "-r", article])
            for line in result.stdout.decode().splitlines():
                json.loads(line)
            result = run([tcpscope, "conns", "--format", "zeek", "-r", article])
            fields = None
            for line in result.stdout.decode().splitlines():
                if line.startswith("#fields"):
                    fields = line.split("\t")[1:]
                elif not line.startswith("#"):
                    check(fields and len(line.split("\t")) == len(fields), f"zeek row shape: {line!r}")
            result = run([tcpscope, "conns", "--format", "bogus", "-r", article])
            check(result.returncode == 2 and result.stdout == b"", f"--format bogus: {result.returncode}")
        result = run([tcpscope, "-r", article, "-c", "zero"])
        check(result.returncode == 2, f"-c zero: exit status {result.returncode}")
        print(f"PASS: {checked} runs over {', '.join(names)}: exit status 0/1/2, messages prefixed, "
              "stdout clean")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    a = parser.parse_args()
    cases = {"install": case_install, "man": case_man, "completions": case_completions,
             "package": case_package, "exit_codes": case_exit_codes}
    cases[a.case](a)


if __name__ == "__main__":
    main()
