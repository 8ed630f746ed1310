"""The fixed train/dev split: by site, never by page or line.

A page goes to dev when the SHA-1 of its site key falls in the first
``DEV_SHARE`` of the hash space. The rule depends on nothing but the site
string, so the split never moves when pages are added, and two pages of one
site can never straddle it (that would leak site templates into dev).
"""
from __future__ import annotations

import hashlib

from training.corpora import CorpusEntry

#: Share of sites held out for development (about one in five).
DEV_SHARE = 0.2


def site_bucket(site: str) -> float:
    digest = hashlib.sha1(site.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_dev(entry: CorpusEntry) -> bool:
    return site_bucket(entry.site) < DEV_SHARE
