"""Batch running: a stream of pages -> a stream of processed pages, errors included.

Nothing is lost in a batch: a page that cannot be read, decoded, parsed or
classified, or that runs over the time limit, becomes a ``Page`` with
``error`` set (an error record on output) and the run goes on. Pages are
classified in small groups, which is much faster than one at a time; a group
that fails is retried page by page so one bad page cannot take its neighbours
down with it. ``RunStats`` counts what happened, per label, per error kind and
per stage, for the run summary.

Sharding, output files and parallel workers live in ``model.shards``; this
module only turns pages into processed pages.
"""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from model.classify import LinesiftModel
from model.errors import EmptyPageError, InputError, LinesiftError
from model.pipeline import process
from model.read import MAX_PAGE_BYTES_DEFAULT, RecordFields, error_page, expand_inputs, iter_pages
from model.records import Page
from model.segment import segment

__all__ = ["BATCH_PAGES_DEFAULT", "PageTimeout", "RunStats", "error_page", "label_pages", "read_inputs",
           "time_limit", "timed_reads"]

#: Pages classified together; bounds memory while amortising per-call overhead.
BATCH_PAGES_DEFAULT = 32
#: Pipeline stages timed in ``RunStats.seconds`` (read includes decoding; classify
#: includes featurizing, repair and span detection; templates is the site-template step).
STAGES = ("read", "segment", "classify", "templates", "write")


class PageTimeout(LinesiftError):
    """A page took longer than the per-page time limit."""


@contextmanager
def time_limit(seconds: float | None, what: str = "page"):
    """Raise ``PageTimeout`` in the block after ``seconds`` of wall time (SIGALRM).

    Only possible in the main thread of a process on a POSIX system (the case for
    ``--jobs`` workers); elsewhere (Dask worker threads) the block runs unlimited.
    Code inside a C extension (lxml parsing one huge document) is interrupted
    only when it returns to Python.
    """
    if (not seconds or seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def on_alarm(signum, frame):
        raise PageTimeout(f"{what}: over the {seconds:g} s time limit")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class RunStats:
    """Counters for the run summary; ``merge`` adds up the stats of shards.

    ``pages`` counts page records written (errors included), ``skipped`` input
    records that are not pages (WARC requests, HTTP 404s, images) by reason,
    ``seconds`` the wall time spent per stage (see ``STAGES``).
    """

    pages: int = 0
    errors: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    relabelled: dict[str, int] = field(default_factory=dict)

    def add(self, page: Page) -> None:
        self.pages += 1
        if page.error is not None:
            self.errors += 1
            kind = page.metadata.get("error_kind", "error")
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
            return
        for line in page.lines:
            self.lines[line.label] = self.lines.get(line.label, 0) + 1
            if line.repair_reason:
                self.relabelled[line.repair_reason] = self.relabelled.get(line.repair_reason, 0) + 1

    def time(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def merge(self, other: RunStats) -> RunStats:
        self.pages += other.pages
        self.errors += other.errors
        for mine, theirs in ((self.lines, other.lines), (self.error_kinds, other.error_kinds),
                             (self.skipped, other.skipped), (self.seconds, other.seconds),
                             (self.relabelled, other.relabelled)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunStats:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def read_inputs(inputs: Iterable[str], *, input_format: str = "auto", fields: RecordFields = RecordFields(),
                max_bytes: int = MAX_PAGE_BYTES_DEFAULT, skipped=None) -> Iterator[Page]:
    """Decoded pages (or error pages) for files, folders, globs, JSONL, WARC/ARC and stdin, in order."""
    for name in expand_inputs(inputs):
        yield from iter_pages(name, fields=fields, input_format=input_format, max_bytes=max_bytes,
                              skipped=skipped)


def _failed(page: Page, exc: BaseException, stage: str) -> Page:
    kind = "timeout" if isinstance(exc, PageTimeout) else "empty" if isinstance(exc, EmptyPageError) else stage
    return error_page(page.id, exc, kind=kind, url=page.url, where=page.metadata.get("where"))


def _process_group(group: list[Page], model: LinesiftModel, timeout: float | None) -> list[Page]:
    """``process`` the group in one go, or page by page when that fails.

    The group as a whole gets one page's ``timeout``: a group's budget of
    ``timeout`` per page would let one slow page through beside fast ones (and
    hold a worker for up to 32 limits). A group over it is rerun page by page,
    each page with its own limit, which costs at most one limit of repeated work.
    """
    try:
        with time_limit(timeout, f"{len(group)} pages"):
            return process(group, model)
    except Exception:  # retry one by one so the failure is pinned on its page
        out = []
        for page in group:
            try:
                with time_limit(timeout, page.id):
                    out.extend(process([page], model))
            except Exception as exc:  # noqa: BLE001 - turned into an error record, never swallowed
                out.append(_failed(page, exc, "classify"))
        return out


def timed_reads(pages: Iterable[Page], stats: RunStats) -> Iterator[Page]:
    """The pages, with the time spent producing each (reading, decoding) added to ``stats`` as "read"."""
    it = iter(pages)
    while True:
        start = time.perf_counter()
        try:
            page = next(it)
        except StopIteration:
            stats.time("read", time.perf_counter() - start)
            return
        stats.time("read", time.perf_counter() - start)
        yield page


def label_pages(pages: Iterable[Page], model: LinesiftModel, *, batch_pages: int = BATCH_PAGES_DEFAULT,
                timeout: float | None = None, stats: RunStats | None = None) -> Iterator[Page]:
    """Segment and classify a stream of decoded pages; yields pages in input order.

    Pages are labelled on their own; the site-template step of ``linesift clean``
    (``model.shards`` with ``model.templates``) is the caller's to add.

    Parameters
    ----------
    pages : iterable of Page
        Decoded pages, or error pages (passed through untouched).
    model : LinesiftModel
    batch_pages : int
        Pages classified together.
    timeout : float, optional
        Per-page limit in seconds for segmenting and classifying; a page over it
        becomes an error page of kind ``timeout``.
    stats : RunStats, optional
        Receives the time spent per stage (pages are not counted here: the
        caller counts what it writes).
    """
    stats = stats if stats is not None else RunStats()
    pending: list[Page] = []
    order: list[Page] = []

    def flush():
        start = time.perf_counter()
        done = iter(_process_group(pending, model, timeout)) if pending else iter(())
        stats.time("classify", time.perf_counter() - start)
        for page in order:
            yield page if page.error is not None else next(done)

    for page in timed_reads(pages, stats):
        if page.error is None:
            start = time.perf_counter()
            try:
                with time_limit(timeout, page.id):
                    segment(page)
                pending.append(page)
            except (InputError, PageTimeout) as exc:
                page = _failed(page, exc, "segment")
            except Exception as exc:  # noqa: BLE001 - a parser crash on one page is an error record
                page = _failed(page, exc, "segment")
            stats.time("segment", time.perf_counter() - start)
        order.append(page)
        if len(pending) >= batch_pages or len(order) >= 4 * batch_pages:
            yield from flush()
            pending, order = [], []
    yield from flush()
