"""Site-template step: lines a site repeats on many of its pages are furniture.

A navigation bar, a footer, a "责任编辑" line or a "Related stories" heading
comes back, word for word, on page after page of the same host, while the
article's sentences do not. CCNet removes such repeated paragraphs before
training; here the count is evidence for the line classifier's weakest cases.

The step runs after classify and repair. It keeps, per host, how many pages
were seen and on how many of them each normalised line occurred. A line the
classifier called ``body`` or ``spam`` is relabelled when its text occurs on at
least ``min_pages`` pages of its host and on at least ``min_share`` of the
host's pages: as ``links`` when it is itself mostly link text or sits next to a
``links`` line, else as ``chrome``. The change is recorded as
``repair_reason = "site_template"``; the headline (``repair_reason ==
"headline"``) is never touched.

Two ways to count:

* one pass (``SiteTemplates.observe`` then ``apply`` on each page, in order):
  counts grow over the pages seen so far, so a host's first few pages are
  not relabelled;
* two passes (``count_pages`` over everything, ``merge``, then ``apply`` with
  ``observe`` off): every page sees the final counts.

Memory is bounded: line keys are 8-byte hashes, and when more than
``max_keys`` are held the ones seen on a single page are dropped first.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from model.records import LABELS, Page, normalize_text

#: A line must occur on at least this many pages of its host ...
MIN_PAGES_DEFAULT = 5
#: ... and on at least this share of the host's pages seen so far.
MIN_SHARE_DEFAULT = 0.5
#: Line keys held before pruning (about 100 bytes each in a dict).
MAX_KEYS_DEFAULT = 1_000_000
#: Lines with at least this share of link characters count as link lines.
LINK_RATIO_LINKS = 0.5
#: Labels the step may overrule.
RELABEL_FROM = frozenset({"body", "spam"})


def host_of(page: Page) -> str | None:
    """The site a page belongs to: its URL's host without ``www.``, else the folder of a page file."""
    if page.url:
        try:
            host = urlsplit(page.url).hostname
        except ValueError:
            host = None
        if host:
            return host[4:] if host.startswith("www.") else host
    if page.metadata.get("from_file"):
        return "dir:" + os.path.dirname(page.id)
    return None


def line_key(text: str) -> int:
    """A stable 64-bit key of a line's normalised, case-folded text (same in every process)."""
    digest = hashlib.blake2b(normalize_text(text).casefold().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def page_keys(page: Page) -> list[int]:
    """``line_key`` of every line of the page, in order."""
    return [line_key(line.text) for line in page.lines]


def template_labels(labels: Sequence[str], is_template: Sequence[bool], link_ratios: Sequence[float],
                    protected: Sequence[bool] | None = None) -> tuple[list[str], list[str]]:
    """The label rule on plain lists: returns new labels and a reason per line ('' when unchanged).

    Examples
    --------
    >>> template_labels(["links", "body", "body"], [False, True, False], [1.0, 0.0, 0.0])
    (['links', 'links', 'body'], ['', 'site_template', ''])
    >>> template_labels(["body", "body"], [True, False], [0.0, 0.0])
    (['chrome', 'body'], ['site_template', ''])
    """
    out = list(labels)
    reasons = [""] * len(out)
    protected = protected or [False] * len(out)
    for i, label in enumerate(labels):
        if not is_template[i] or label not in RELABEL_FROM or protected[i]:
            continue
        near_links = (i > 0 and labels[i - 1] == "links") or (i + 1 < len(labels) and labels[i + 1] == "links")
        out[i] = "links" if link_ratios[i] >= LINK_RATIO_LINKS or near_links else "chrome"
        reasons[i] = "site_template"
    return out, reasons


class SiteTemplates:
    """Per-host counts of normalised lines, and the relabelling step that uses them.

    Parameters
    ----------
    min_pages : int
        Pages of the host a line must occur on.
    min_share : float
        Share of the host's pages a line must occur on.
    max_keys : int
        Bound on the line keys held (memory stays flat on any crawl).
    """

    def __init__(self, *, min_pages: int = MIN_PAGES_DEFAULT, min_share: float = MIN_SHARE_DEFAULT,
                 max_keys: int = MAX_KEYS_DEFAULT):
        self.min_pages = min_pages
        self.min_share = min_share
        self.max_keys = max_keys
        self.pages: dict[str, int] = {}
        self.counts: dict[str, dict[int, int]] = {}
        self._n_keys = 0

    # -- counting -------------------------------------------------------------------------------
    def observe(self, page: Page, keys: Sequence[int] | None = None) -> None:
        """Count each distinct line of ``page`` once for its host.

        ``keys``: ``page_keys(page)``, when the caller has them (a run observes and
        applies every page, and the keys are most of what either costs).
        """
        host = host_of(page)
        if host is None or page.error is not None or not page.lines:
            return
        self.pages[host] = self.pages.get(host, 0) + 1
        counts = self.counts.setdefault(host, {})
        before = len(counts)
        for key in set(page_keys(page) if keys is None else keys):
            counts[key] = counts.get(key, 0) + 1
        self._n_keys += len(counts) - before
        if self._n_keys > self.max_keys:
            self.prune()

    def prune(self) -> None:
        """Drop keys seen on one page only; then, if still over, the smallest hosts."""
        total = 0
        for host, counts in self.counts.items():
            self.counts[host] = {k: c for k, c in counts.items() if c > 1}
            total += len(self.counts[host])
        if total > self.max_keys * 0.8:
            for host in sorted(self.counts, key=lambda h: self.pages.get(h, 0)):
                total -= len(self.counts.pop(host))
                if total <= self.max_keys * 0.5:
                    break
        self._n_keys = total

    def merge(self, other: SiteTemplates) -> SiteTemplates:
        """Add another counter's pages and counts (two-pass runs: one counter per shard)."""
        for host, n in other.pages.items():
            self.pages[host] = self.pages.get(host, 0) + n
        for host, theirs in other.counts.items():
            mine = self.counts.setdefault(host, {})
            before = len(mine)
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count
            self._n_keys += len(mine) - before
        if self._n_keys > self.max_keys:
            self.prune()
        return self

    def compact(self) -> SiteTemplates:
        """Keep only keys that can ever pass ``min_pages`` (what a second pass needs)."""
        for host in list(self.counts):
            kept = {k: c for k, c in self.counts[host].items() if c >= self.min_pages}
            if kept:
                self.counts[host] = kept
            else:
                del self.counts[host]
        self._n_keys = sum(len(c) for c in self.counts.values())
        return self

    # -- using --------------------------------------------------------------------------------
    def is_template(self, host: str | None, key: int) -> bool:
        if host is None:
            return False
        count = self.counts.get(host, {}).get(key, 0)
        return count >= self.min_pages and count >= self.min_share * self.pages.get(host, 0)

    def apply(self, page: Page, keys: Sequence[int] | None = None) -> Page:
        """Relabel the template lines of a classified page in place (see the module doc).

        ``keys``: as for ``observe``.
        """
        host = host_of(page)
        if host is None or page.error is not None or host not in self.counts:
            return page
        lines = page.lines
        flags = [self.is_template(host, key) for key in (page_keys(page) if keys is None else keys)]
        if not any(flags):
            return page
        new, reasons = template_labels([line.label for line in lines], flags,
                                       [line.link_ratio for line in lines],
                                       [line.repair_reason == "headline" for line in lines])
        for line, label, reason in zip(lines, new, reasons):
            if reason:
                line.label, line.repair_reason = label, reason
                if line.proba:
                    line.score = line.proba[LABELS.index(label)]
        return page


def count_pages(pages: Iterable[Page], templates: SiteTemplates | None = None) -> SiteTemplates:
    """First pass of a two-pass run: count the lines of segmented pages."""
    templates = templates or SiteTemplates()
    for page in pages:
        templates.observe(page)
    return templates
