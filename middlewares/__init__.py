"""Sotevahti's Scrapy downloader middlewares."""
