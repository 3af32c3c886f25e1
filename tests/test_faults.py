"""The fault suite: every fault of sotevahti.mirror.faults, injected into a real crawl of the mirror.

Three crawls are shared by every case (so the suite costs three crawls, not sixty):

1. a clean crawl at CRAWL_NOW stores the baseline;
2. a month later (so every known article is due for its re-check) each fault is served by its own
   target page;
3. a day after that, the ``once`` faults have healed and the others persist.

For each fault the tests assert what RELIABILITY.md promises: the crawl ends in bounded time, no
stored item is corrupted or lost, no false entry is published, and the fault shows in
``status --json``. ``python -m tests.fault_report`` prints the same verdicts as a table.
"""

from __future__ import annotations

import pytest

from sotevahti.mirror.faults import FAULTS

from .fault_suite import CRAWL_SECONDS, run_fault_suite, verdicts


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    return run_fault_suite(tmp_path_factory.mktemp("faults"), seed=13)


def test_every_fault_was_served(suite):
    # robots.txt forbids its target: the one fault that must never be requested
    unserved = [name for name, url in suite.targets.items() if not suite.served(url)]
    assert unserved == ["robots_forbids_path"], f"faults never requested in the fault phase: {unserved}"


def test_crawls_end_in_bounded_time(suite):
    assert all(run["returncode"] == 0 for run in suite.runs), [r["stderr"][-500:] for r in suite.runs]
    assert max(suite.seconds) < CRAWL_SECONDS, suite.seconds


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_survived(suite, fault):
    verdict = verdicts(suite)[fault.name]
    assert verdict["kept"], f"{fault.name}: stored item lost or corrupted: {verdict['detail']}"
    assert verdict["no_false_entry"], f"{fault.name}: false feed entry: {verdict['detail']}"
    assert verdict["shown"], f"{fault.name}: not in status --json ({fault.shows_as}): {verdict['detail']}"


def test_nothing_else_changed(suite):
    # Faults live on their own pages: every other stored item is exactly as the clean crawl left it.
    assert suite.untouched_changed == [], suite.untouched_changed
    assert suite.lost == [], suite.lost


def test_outputs_survive_hostile_text(suite):
    assert suite.outputs_valid, suite.outputs_problems


def test_demo_faults_pick_stored_pages_and_forbid_the_robots_target(tmp_path, config):
    from sotevahti.demo import inject_faults, mirror_sites
    from sotevahti.mirror.faults import FaultySites
    from sotevahti.mirror.server import ROBOTS_TXT, Mirror
    from sotevahti.store import Store

    from .conftest import TODAY
    from .test_store import NOW, make_item

    store = Store(tmp_path / "sotevahti.db")
    store.upsert_items([make_item(n) for n in range(len(FAULTS))], 1, NOW)
    store.close()
    faulty = FaultySites(mirror_sites(config, today=TODAY))
    with Mirror([faulty]) as mirror:
        inject_faults(faulty, mirror, tmp_path / "sotevahti.db", config, 13, phase=1)
        assert faulty.phase == 1 and set(faulty.targets) == {f.name for f in FAULTS}
        assert len(set(faulty.targets.values())) == len(FAULTS)          # one page per fault
        forbidden = faulty.targets["robots_forbids_path"].removeprefix("https://")
        assert mirror.robots.body == ROBOTS_TXT + f"Disallow: /{forbidden}\n".encode()
        inject_faults(faulty, mirror, tmp_path / "sotevahti.db", config, 13, phase=2)
        assert faulty.phase == 2
