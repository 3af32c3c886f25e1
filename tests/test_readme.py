"""Every command the README shows runs as shown.

The commands are the README's ``python monitor.py …`` lines: in ```` ```sh ```` blocks, lines that
start with ``python monitor.py``; in any block, lines that start with a ``$ `` prompt and run
``monitor.py`` (with ``\\`` continuations). They run in README order, in a fresh directory where
``python monitor.py`` is this project's, as a new user would type them after installing, so the
demo's output is what the later examples read. A block right after a line
``<!-- readme-test: skip (why) -->`` is left out: it serves or loops until stopped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT

SKIP_MARKER = "<!-- readme-test: skip"


def readme_commands(text: str) -> tuple[list[str], list[str]]:
    """``(commands to run, commands skipped by the marker)`` in README order, without duplicates."""
    run: list[str] = []
    skipped: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        lang = fence[1]
        skip = i > 0 and lines[i - 1].startswith(SKIP_MARKER)
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            line = lines[i]
            command = line[2:] if line.startswith("$ ") else line if lang == "sh" else ""
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            i += 1
            if "python monitor.py" not in command or not (lang == "sh" or line.startswith("$ ")):
                continue
            command = re.sub(r"\s{2,}#.*$", "", command).strip()   # a trailing "   # comment"
            target = skipped if skip else run
            if command not in target:
                target.append(command)
        i += 1
    return run, skipped


def test_the_extractor_finds_the_readmes_commands():
    run, skipped = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert run[0].startswith("python monitor.py demo")
    names = {c.split("python monitor.py ", 1)[1].split()[0] for c in run}
    assert {"demo", "sources", "extract-deadlines", "status", "search", "deadlines", "history"} <= names
    assert skipped and all(re.search(r"monitor\.py (schedule|mirror|crawl --mirror|serve|probe)", c) for c in skipped)


def test_every_readme_command_runs_as_shown(tmp_path):
    run, _skipped = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    (tmp_path / "monitor.py").symlink_to(ROOT / "monitor.py")
    env = {k: v for k, v in os.environ.items() if k not in ("SOTEVAHTI_NOW", "SOTEVAHTI_DB", "SOTEVAHTI_SOURCES")}
    env["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{env.get('PATH', '')}"
    for command in run:
        proc = subprocess.run(["bash", "-c", "set -o pipefail; " + command], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=240)
        assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
        assert proc.stdout.strip(), f"{command} printed nothing"
