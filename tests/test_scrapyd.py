"""Scrapyd deployment: a real local Scrapyd, the project deployed with ``scrapyd-deploy``, and a
spider scheduled there that crawls the mirror into a database.

The deploy runs in a copy of the project (``scrapyd-deploy`` runs ``setup.py clean -a`` and
``bdist_egg`` in the project directory, which would leave ``build/`` and ``*.egg-info`` in the
repository), using the real ``scrapy.cfg`` with its ``[deploy:local]`` URL pointed at the test's
port. Scrapyd runs in its own temporary directory with an environment stripped of ``SOTEVAHTI_*``
and ``PYTHONPATH``, so the job can only import the project from the uploaded egg.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import settings as project_settings
from sotevahti.mirror.liferay_site import expected_items
from sotevahti.store import Store

from .conftest import ROOT

PROJECT = "sotevahti"
SPIDERS = {"liferay", "listing", "lausuntopalvelu", "page"}
# Not copied into the deploy directory: the repository's own state and what the egg doesn't need.
_SKIP_TOP = {".git", ".venv", ".ci", ".pytest_cache", ".ruff_cache", ".scrapy", "demo-output", "tests", "bench",
             "build", "dist", "public", "httpcache"}
_SKIP_ANY = ("__pycache__", "*.pyc", "*.egg-info", "*.egg", "*.db", "*.db-*", "*.httpcache")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env(home: Path) -> dict[str, str]:
    """The test's environment without anything that could let a job bypass the egg or the settings."""
    drop = {"PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "SCRAPY_PYTHON_SHELL"}
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith("SOTEVAHTI_") and not k.lower().endswith("_proxy")}
    env["HOME"] = str(home)  # no ~/.scrapyd.conf may override the test's scrapyd.conf
    return env


def _get(base: str, path: str, **params: str) -> dict[str, Any]:
    url = f"{base}{path}" + (f"?{urllib.parse.urlencode(params)}" if params else "")
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _post(base: str, path: str, data: list[tuple[str, str]]) -> dict[str, Any]:
    req = urllib.request.Request(f"{base}{path}", data=urllib.parse.urlencode(data).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def _tail(path: Path, n: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-n:] if path.exists() else f"(no {path})"


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop Scrapyd, then anything left in its process group (a crawl it launched)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group is the session started for Scrapyd alone
    except (ProcessLookupError, PermissionError):
        pass


def _deploy_copy(dest: Path, url: str) -> Path:
    """The project as ``scrapyd-deploy`` sees it, with the ``local`` target pointed at ``url``."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(shutil.ignore_patterns(*_SKIP_ANY)(folder, names))
        return skipped | (_SKIP_TOP & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    cfg = configparser.ConfigParser()
    cfg.read(dest / "scrapy.cfg", encoding="utf-8")
    assert cfg.get("deploy", "project") == PROJECT and cfg.get("deploy:local", "project") == PROJECT
    assert cfg.get("deploy:local", "url") == "http://localhost:6800/"
    cfg.set("deploy:local", "url", url)
    with (dest / "scrapy.cfg").open("w", encoding="utf-8") as f:
        cfg.write(f)
    return dest


def test_scrapyd_deploys_the_project_and_runs_a_spider_on_the_mirror(mirror, site, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    home = tmp_path / "scrapyd"
    dirs = {name: home / name for name in ("eggs", "logs", "items", "dbs")}
    for d in dirs.values():
        d.mkdir(parents=True)
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {dirs['eggs']}\n"
        f"logs_dir = {dirs['logs']}\n"
        f"items_dir = {dirs['items']}\n"
        f"dbs_dir = {dirs['dbs']}\n"
        "max_proc = 1\n"
        "poll_interval = 0.5\n",
        encoding="utf-8")
    env = _clean_env(home)
    log = home / "scrapyd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, f"scrapyd exited with {proc.returncode}:\n{_tail(log)}"
            try:
                status = _get(base, "daemonstatus.json")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, f"scrapyd did not answer on {base} in 20 s:\n{_tail(log)}"
                time.sleep(0.2)
        assert status["status"] == "ok", status

        # Deploy with scrapyd-deploy from a copy of the project (its build files stay in tmp_path).
        project = _deploy_copy(tmp_path / "project", base)
        deploy = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "local", "--debug"], cwd=project,
                                env={**env, "TMPDIR": str(tmp_path)}, capture_output=True, text=True, timeout=90)
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        answer = json.loads(deploy.stdout.strip().splitlines()[-1])
        assert answer["status"] == "ok" and answer["project"] == PROJECT, answer
        assert answer["spiders"] >= len(SPIDERS), answer
        assert list((dirs["eggs"] / PROJECT).glob("*.egg")), "no egg stored"

        spiders = _get(base, "listspiders.json", project=PROJECT)
        assert spiders["status"] == "ok" and SPIDERS <= set(spiders["spiders"]), spiders

        # Schedule the liferay spider for vm against the mirror; every path is absolute.
        out = tmp_path / "out"
        settings = {
            "SOTEVAHTI_DB": out / "s.db",
            "SOTEVAHTI_SOURCES": ROOT / "sources.toml",  # the egg has no sources.toml
            "SOTEVAHTI_PUBLIC_DIR": out / "pub",
            "SOTEVAHTI_MIRROR": mirror.url,
            # settings.py applies these only when $SOTEVAHTI_MIRROR is set; a job gets them as settings
            **project_settings.MIRROR_OVERRIDES,
            "LOG_LEVEL": "INFO",
        }
        job = _post(base, "schedule.json", [("project", PROJECT), ("spider", "liferay"), ("sources", "vm"),
                                            *(("setting", f"{k}={v}") for k, v in settings.items())])
        assert job["status"] == "ok", job
        jobid = job["jobid"]
        job_log = dirs["logs"] / PROJECT / "liferay" / f"{jobid}.log"
        deadline = time.monotonic() + 90
        while True:
            jobs = _get(base, "listjobs.json", project=PROJECT)
            finished = [j for j in jobs["finished"] if j["id"] == jobid]
            if finished:
                break
            assert proc.poll() is None, f"scrapyd exited with {proc.returncode}:\n{_tail(log)}"
            assert time.monotonic() < deadline, f"job {jobid} not finished in 90 s: {jobs}\n{_tail(job_log)}"
            time.sleep(0.5)

        text = _tail(job_log, 10**7)
        assert "'finish_reason': 'finished'" in text, text[-3000:]
        assert "log_count/ERROR" not in text, text[-3000:]
        assert "Traceback" not in text, text[-3000:]
        assert (dirs["items"] / PROJECT / "liferay" / f"{jobid}.jl").exists()
    finally:
        _stop(proc)

    store = Store(out / "s.db")
    try:
        (run,) = store.runs()
        vm_items = {u for u, a in expected_items(site, 1).items() if urllib.parse.urlsplit(u).hostname == "vm.fi"}
        stored = {r["url"] for r in store.db.query("SELECT url FROM items WHERE source = 'vm'")}
        assert vm_items and stored == vm_items
        assert store.counts_by_source() == {"vm": len(vm_items)}
        assert run["status"] == "ok" and run["items_new"] == len(vm_items), run
    finally:
        store.close()
    assert (out / "pub" / "feed.xml").exists()
