"""Shared fixtures: the project on sys.path, a fixed "today", the mirror, an in-memory store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Tests never touch the network: no proxy may redirect the mirror's 127.0.0.1 traffic.
for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
    os.environ.pop(var, None)

from sotevahti.demo import mirror_sites  # noqa: E402
from sotevahti.mirror.liferay_site import LiferaySite  # noqa: E402
from sotevahti.mirror.server import Mirror  # noqa: E402
from sotevahti.sources import load_config  # noqa: E402
from sotevahti.store import Store  # noqa: E402

TODAY = date(2026, 11, 24)
# The crawls' "now": midday of TODAY in Helsinki, so no test reads the real clock (promise 6).
CRAWL_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
TOMORROW = (CRAWL_NOW + timedelta(days=1)).isoformat()
SEEDS = ROOT.parent / "shared" / "seeds"
FAKE_CLOCK_DIR = ROOT / "tests" / "fakeclock"

# Commands the tests run read "now" from here unless given --now (sotevahti.clock.current_time).
os.environ["SOTEVAHTI_NOW"] = CRAWL_NOW.isoformat()


def fake_clock_env(moment: str) -> dict[str, str]:
    """The environment for a subprocess that lives at ``moment`` (ISO 8601), its clock stopped
    there, via time-machine in ``tests/fakeclock/sitecustomize.py``: what it does cannot depend
    on the real date or hour. ``$SOTEVAHTI_NOW`` is left out."""
    env = {k: v for k, v in os.environ.items() if k != "SOTEVAHTI_NOW"}
    env["SOTEVAHTI_FAKE_NOW"] = moment
    env["SOTEVAHTI_FAKE_TICK"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(FAKE_CLOCK_DIR), env.get("PYTHONPATH")) if p)
    return env


def pytest_configure(config):
    """``SOTEVAHTI_FAKE_NOW=2031-01-10T08:00+02:00 python -m pytest``: the whole run, and every
    process it starts, at a fake date (CI runs the suite so at two dates years apart)."""
    moment = os.environ.get("SOTEVAHTI_FAKE_NOW")
    if moment:
        import time_machine

        time_machine.travel(moment, tick=True).start()
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(FAKE_CLOCK_DIR), os.environ.get("PYTHONPATH"))
                                                   if p)


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT / "sources.toml")


@pytest.fixture(scope="session")
def site(config):
    return LiferaySite(config, today=TODAY)


@pytest.fixture
def mirror(site, config):
    """Every mirrored site (Liferay, watched pages, lausuntopalvelu, counties) on 127.0.0.1."""
    others = [s for s in mirror_sites(config, today=TODAY) if not isinstance(s, LiferaySite)]
    with Mirror([site, *others]) as m:
        yield m


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """An empty ``$SOTEVAHTI_CACHE_DIR`` of this test's own (the lemma index, memo, patterns)."""
    path = tmp_path / "cache"
    monkeypatch.setenv("SOTEVAHTI_CACHE_DIR", str(path))
    return path


@pytest.fixture
def unwritable_cache_dir(tmp_path, monkeypatch):
    """``$SOTEVAHTI_CACHE_DIR`` naming a directory that cannot be made (it would lie under a file)."""
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("SOTEVAHTI_CACHE_DIR", str(blocker / "sub"))
    return blocker / "sub"


@pytest.fixture
def store():
    s = Store(memory=True)
    yield s
    s.close()


def with_now(args: tuple[str, ...]) -> tuple[str, ...]:
    """``args`` with ``--now CRAWL_NOW`` unless the test fixes a time of its own."""
    return args if "--now" in args else (*args, "--now", CRAWL_NOW.isoformat())


def run_monitor(*args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    """Run ``monitor.py`` as a user would, in a subprocess."""
    return subprocess.run([sys.executable, str(ROOT / "monitor.py"), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
