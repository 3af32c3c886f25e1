"""The store pipeline: validate each item, write batches through :class:`sotevahti.store.Store`.

Settings: ``SOTEVAHTI_DB``, ``SOTEVAHTI_BATCH_SIZE``, ``SOTEVAHTI_RUN_ID`` (set by
``monitor.py crawl``; without it, as under a plain ``scrapy crawl``, the pipeline opens and
closes a run itself and rebuilds the feeds in ``SOTEVAHTI_PUBLIC_DIR``, holding the crawl
lock as ``monitor.py crawl`` does: a second crawl of the same database, e.g. a Scrapyd job
started while another runs, closes at once with the reason ``locked`` and stores nothing).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler import crawl_now, finish_crawl, run_stats
from sotevahti.lock import CrawlLock, LockedError
from sotevahti.schema import FieldValidity, validate_item
from sotevahti.store import Store
from sotevahti.store_http import Validator


class StorePipeline:
    """Validates items, counts field validity per source and stores valid items in batches."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db_path = settings.get("SOTEVAHTI_DB")
        self.batch_size = settings.getint("SOTEVAHTI_BATCH_SIZE", 50)
        self.run_id: int | None = settings.getint("SOTEVAHTI_RUN_ID") or None
        self.owns_run = self.run_id is None
        self.buffer: list[dict[str, Any]] = []
        # Items of sources that republish another source's releases (sttinfo.fi) are stored after
        # every other item of the crawl, so a copy always finds its original, whatever the timing.
        self.copies: list[dict[str, Any]] = []
        # item id -> the validators of the page it came from (stored with it, in its transaction)
        self.validators: dict[str, Validator] = {}
        self.unchanged: list[str] = []
        # (item id, url): a URL found after its item was read, added once the item is stored
        self.late_urls: list[tuple[str, str]] = []
        self.rejected: list[dict[str, Any]] = []
        self.validity = FieldValidity()
        self.store: Store | None = None
        self.lock: CrawlLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.owns_run:
            try:
                self.lock = CrawlLock(self.db_path).__enter__()
            except LockedError as e:
                self.crawler.spider.logger.error(str(e))
                self.crawler.stats.set_value("sotevahti/locked", str(e))
                from twisted.internet import reactor

                # Close once the engine has finished opening the spider.
                engine = self.crawler.engine
                reactor.callLater(0, lambda: deferred_from_coro(engine.close_spider_async(reason="locked")))
                return
        self.store = Store(self.db_path)
        if self.owns_run:
            spider = self.crawler.spider
            now = crawl_now(self.crawler.settings)
            self.store.close_interrupted_runs(now)
            self.run_id = self.store.start_run([s.id for s in spider.sources], now)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.store is None:
            raise DropItem("not stored: another crawl holds the database's lock")
        if item.get("_unchanged"):
            # The page answered 304 (or the bytes we stored): seen again, no parsing, no upsert.
            self.unchanged.append(item["id"])
            self.crawler.stats.inc_value(f"sotevahti/{item['source']}/unchanged")
            if len(self.unchanged) >= self.batch_size * 10:
                self.flush()
            return item
        if item.get("_late_url"):
            # a second listing linked an article the crawl had already read: one more URL of that item
            self.late_urls.append((item["id"], item["url"]))
            return item
        validator = item.pop("_validator", None)
        if item.get("_removed"):
            # A known item's page answered 404/410: removed (never deleted) once a second check
            # a day later still finds it missing; the first answer only notes it.
            assert self.store is not None
            outcome = self.store.record_missing(item["id"], item["status"], crawl_now(self.crawler.settings),
                                                self.run_id)
            self.crawler.stats.inc_value(f"sotevahti/{item['source']}/{outcome}")
            return item
        self.validity.add(item)
        problems = validate_item(item)
        if problems:
            reason = "; ".join(problems)
            self.rejected.append({"source": item.get("source"), "url": item.get("url"), "reason": reason})
            self.crawler.stats.inc_value(f"sotevahti/{item.get('source')}/rejected")
            raise DropItem(f"rejected {item.get('url')}: {reason}")
        if validator is not None:
            self.validators[item["id"]] = replace(validator, item_id=item["id"])
        self.crawler.stats.inc_value(f"sotevahti/{item['source']}/items")
        if item["source"] in self.republishers:
            self.copies.append(item)
            return item
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    @property
    def republishers(self) -> set[str]:
        """Ids of the crawl's sources that republish another source's releases."""
        return {s.id for s in getattr(self.crawler.spider, "sources", ()) if s.republishes}

    def flush(self, items: list[dict[str, Any]] | None = None) -> None:
        """Store the buffered items as one batch; if the batch fails, store them one by one so
        that one bad value loses only its own item (counted as ``errors_store``)."""
        batch = self.buffer if items is None else items
        if self.store is None:
            return
        now = crawl_now(self.crawler.settings)
        if self.unchanged:
            touched = self.store.touch_items(self.unchanged, self.run_id, now)
            self.unchanged.clear()
            self.crawler.stats.inc_value("sotevahti/items_unchanged", touched)
        if batch:
            self._store_batch(batch, now)
        if self.late_urls:
            self.late_urls = self.store.add_urls(self.late_urls, now)   # an item not stored yet: next flush

    def _store_batch(self, batch: list[dict[str, Any]], now: datetime) -> None:
        """Upsert a batch (item by item if the batch fails) and count what it did."""
        assert self.store is not None
        try:
            results = [self.store.upsert_items(batch, self.run_id, now, self._validators_of(batch))]
        except (ValueError, TypeError, sqlite3.Error):
            results = []
            for item in batch:
                try:
                    results.append(self.store.upsert_items([item], self.run_id, now, self._validators_of([item])))
                except (ValueError, TypeError, sqlite3.Error) as err:
                    self.crawler.stats.inc_value(f"sotevahti/{item['source']}/errors_store")
                    self.rejected.append({"source": item["source"], "url": item.get("url"), "reason": str(err)[:300]})
        for item in batch:
            self.validators.pop(item["id"], None)
        batch.clear()
        for result in results:
            for key in ("new", "updated", "unchanged"):
                self.crawler.stats.inc_value(f"sotevahti/items_{key}", getattr(result, key))
            for source, reason, _item_id in result.held:
                self.crawler.stats.inc_value(f"sotevahti/{source}/errors_{reason}")

    def _validators_of(self, batch: list[dict[str, Any]]) -> list[Validator]:
        return [self.validators[i["id"]] for i in batch if i["id"] in self.validators]

    def close_spider(self) -> None:
        if self.store is None:   # locked out: nothing was opened
            return
        self.flush()
        self.flush(self.copies)
        if self.rejected:
            self.store.record_rejections(self.rejected, self.run_id, crawl_now(self.crawler.settings))
        self.crawler.stats.set_value("sotevahti/field_validity", self.validity.shares())
        if self.owns_run and self.run_id is not None:
            # Scrapy has not set finish_reason yet here; the spider is closing normally.
            stats = run_stats([{**self.crawler.stats.get_stats(), "finish_reason": "finished"}])
            finish_crawl(self.store, self.run_id, stats, self.crawler.spider.sources, self.crawler.settings,
                         crawl_now(self.crawler.settings))
        self.store.close()
        if self.lock is not None:
            self.lock.__exit__(None, None, None)
