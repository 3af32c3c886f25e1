"""The sources config: the real file loads, and every kind of mistake is one clear line."""

from __future__ import annotations

import json

import pytest

from sotevahti.sources import ConfigError, load_config, parse_config

from .conftest import ROOT, run_monitor

GOOD = {
    "id": "stm", "name": "STM", "platform": "liferay", "organisation": "Sosiaali- ja terveysministeriö",
    "region": "national", "languages": ["fi"], "start_urls": ["https://stm.fi/ajankohtaista/uutiset"],
}


def test_real_config_has_the_liferay_family(config):
    ids = {s.id for s in config.sources}
    assert {"valtioneuvosto", "stm", "vm", "intermin", "soteuudistus"} <= ids
    assert config.get("soteuudistus").legacy
    for s in config.sources:
        assert all(u.startswith("https://") for u in s.start_urls + s.feed_urls)


def test_real_config_topic_filters(config):
    assert config.get("soteuudistus").topic.decide("Mitä tahansa").relevant
    assert not config.get("stm").topic.decide("Alkoholilain muutos").relevant


@pytest.mark.parametrize("change, message", [
    ({"startUrls": ["https://stm.fi/"]}, "unknown key 'startUrls'"),
    ({"start_urls": []}, "needs at least one URL"),
    ({"start_urls": ["http://stm.fi/x"]}, "not an absolute https URL"),
    ({"start_urls": ["stm.fi/x"]}, "not an absolute https URL"),
    ({"platform": "drupal"}, "unknown platform 'drupal'"),
    ({"region": "pirkanmaa"}, "unknown region 'pirkanmaa'"),
    ({"languages": ["de"]}, "unknown language"),
    ({"name": ""}, "missing required key 'name'"),
    ({"max_pages": "5"}, "'max_pages' has the wrong type"),
    ({"topic": "nosuch"}, "unknown topic 'nosuch'"),
    ({"topic": {"stems": ["sote"], "exclude": []}}, "unknown key 'exclude'"),
])
def test_bad_source_is_one_line_error(change, message):
    with pytest.raises(ConfigError) as err:
        parse_config({"source": [{**GOOD, **change}]})
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert "source 'stm'" in str(err.value)


def test_duplicate_id():
    with pytest.raises(ConfigError, match="duplicate source id 'stm'"):
        parse_config({"source": [GOOD, GOOD]})


def test_unknown_top_level_key_and_empty():
    with pytest.raises(ConfigError, match="unknown key 'sources'"):
        parse_config({"sources": [GOOD]})
    with pytest.raises(ConfigError, match="no \\[\\[source\\]\\]"):
        parse_config({})


def test_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text("[[source]\nid = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_cli_sources_json_shape():
    proc = run_monitor("sources", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert [r["id"] for r in rows][:2] == ["valtioneuvosto", "stm"]
    assert set(rows[0]) == {"id", "name", "platform", "organisation", "region", "languages",
                            "start_urls", "feed_urls", "legacy", "enabled"}


def test_cli_bad_config_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text((ROOT / "sources.toml").read_text(encoding="utf-8").replace('id = "vm"', 'id = "stm"'))
    proc = run_monitor("sources", "--sources", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "duplicate source id 'stm'" in proc.stderr
    proc = run_monitor("crawl", "nosuchsource")
    assert proc.returncode == 2 and "unknown source 'nosuchsource'" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_every_county_helsinki_and_hus_is_configured(config):
    from sotevahti.regions import COUNTIES

    # a county is read as a news site: by the listing spider, or by the Liferay one when it runs Liferay
    regions = {s.region for s in config.sources if s.platform in ("listing", "liferay")}
    assert set(COUNTIES) <= regions            # 01-21, 90 (Helsinki) and hus
    assert {s.id for s in config.sources if s.platform == "liferay" and s.region != "national"} == {"lapha", "omahame"}
    for s in config.sources:
        assert all(u.startswith("https://") for u in s.urls()), s.id
    assert {s.platform for s in config.sources} == {"liferay", "lausuntopalvelu", "listing", "page"}


def test_listing_selectors_are_validated():
    with pytest.raises(ConfigError, match="unknown key 'items'"):
        parse_config({"source": [{**GOOD, "platform": "listing", "selectors": {"items": "a"}}]})
    with pytest.raises(ConfigError, match="unknown encoding"):
        parse_config({"source": [{**GOOD, "platform": "listing", "encoding": "latin-99"}]})


def test_cli_bad_database_and_unwritable_output_are_one_line(tmp_path):
    not_db = tmp_path / "notes.db"
    not_db.write_text("tämä ei ole tietokanta", encoding="utf-8")
    proc = run_monitor("status", "--db", str(not_db))
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "file is not a database" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_monitor("export", "--db", str(not_db))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
