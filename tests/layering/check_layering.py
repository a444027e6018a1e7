#!/usr/bin/env python3
"""Rejects #include lines that point up or sideways in the layering of ARCHITECTURE.md.

core <- decode <- {print, track} <- render <- cli; capture (core) and lab (core, capture)
at the edges. Header-only code would slip past the linker, so this reads the sources.
"""
import pathlib
import re
import sys

ALLOWED = {
    "core": {"core"},
    "decode": {"core", "decode"},
    "capture": {"core", "capture"},
    "print": {"core", "decode", "print"},
    "track": {"core", "decode", "track"},
    "render": {"core", "decode", "track", "render"},
    "lab": {"core", "capture", "lab"},
    "cli": {"core", "decode", "capture", "print", "track", "render", "lab", "cli"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def main() -> int:
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")
    bad = []
    checked = 0
    for path in sorted(src.rglob("*")):
        if path.suffix not in {".hpp", ".cpp", ".h"}:
            continue
        folder = path.relative_to(src).parts[0]
        allowed = ALLOWED.get(folder)
        if allowed is None:
            bad.append(f"{path}: folder '{folder}' has no layering rule")
            continue
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) in ALLOWED and m.group(1) not in allowed:
                bad.append(f"{path}:{lineno}: {folder}/ may not include {m.group(1)}/ ({line.strip()})")
        checked += 1
    for b in bad:
        print(b)
    print(f"layering: {checked} files checked, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
