"""Batch running: many inputs -> a stream of processed pages, errors included.

Nothing is lost in a batch: a page that cannot be read, decoded, parsed or
classified becomes a ``Page`` with ``error`` set (an error record on output),
and the run goes on. Pages are classified in small groups, which is much
faster than one at a time, and a group that fails is retried page by page so
one bad page cannot take its neighbours down with it.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from model.classify import LinesiftModel
from model.errors import InputError, LinesiftError
from model.pipeline import process
from model.read import MAX_PAGE_BYTES_DEFAULT, page_from_bytes
from model.records import Page
from model.segment import segment

#: Pages classified together; bounds memory while amortising per-call overhead.
BATCH_PAGES_DEFAULT = 32


@dataclass
class RunStats:
    """Counters for the run summary."""

    pages: int = 0
    errors: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, page: Page) -> None:
        self.pages += 1
        if page.error is not None:
            self.errors += 1
            kind = page.metadata.get("error_kind", "error")
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1
            return
        for line in page.lines:
            self.lines[line.label] = self.lines.get(line.label, 0) + 1


def expand_paths(inputs: Iterable[str]) -> Iterator[str]:
    """Files as given, folders recursively (sorted, hidden files skipped), '-' for stdin."""
    for item in inputs:
        if item == "-":
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield str(child)
        else:
            yield item


def read_inputs(inputs: Iterable[str], *, input_format: str = "auto",
                max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Iterator[Page]:
    """Decoded pages (or error pages) for files, folders and stdin."""
    for name in expand_paths(inputs):
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
            else:
                path = Path(name)
                if not path.exists():
                    raise InputError(f"{name}: no such file")
                if path.stat().st_size > max_bytes:
                    raise InputError(f"{name}: page is {path.stat().st_size / 1e6:.1f} MB, over the "
                                     f"{max_bytes / 1e6:.0f} MB limit")
                data = path.read_bytes()
            yield page_from_bytes(data, id=name, input_format=input_format, max_bytes=max_bytes)
        except (InputError, OSError) as exc:
            yield error_page(name, exc, kind="read")


def error_page(page_id: str, exc: BaseException, *, kind: str, url: str | None = None) -> Page:
    message = str(exc) if isinstance(exc, LinesiftError) else f"{type(exc).__name__}: {exc}"
    if not message.startswith(page_id):
        message = f"{page_id}: {message}"
    page = Page(id=page_id, url=url, error=message)
    page.metadata["error_kind"] = kind
    return page


def _process_group(group: list[Page], model: LinesiftModel) -> list[Page]:
    try:
        return process(group, model)
    except Exception:  # retry one by one so the failure is pinned on its page
        out = []
        for page in group:
            try:
                out.extend(process([page], model))
            except Exception as exc:  # noqa: BLE001 - turned into an error record, never swallowed
                out.append(error_page(page.id, exc, kind="classify", url=page.url))
        return out


def label_pages(pages: Iterable[Page], model: LinesiftModel, *,
                batch_pages: int = BATCH_PAGES_DEFAULT) -> Iterator[Page]:
    """Segment and classify a stream of decoded pages; yields pages in input order."""
    pending: list[Page] = []
    order: list[Page] = []

    def flush():
        done = iter(_process_group(pending, model)) if pending else iter(())
        for page in order:
            yield page if page.error is not None else next(done)

    for page in pages:
        if page.error is None:
            try:
                segment(page)
                pending.append(page)
            except InputError as exc:
                page = error_page(page.id, exc, kind="segment", url=page.url)
            except Exception as exc:  # noqa: BLE001 - a parser crash on one page is an error record
                page = error_page(page.id, exc, kind="segment", url=page.url)
        order.append(page)
        if len(pending) >= batch_pages:
            yield from flush()
            pending, order = [], []
    yield from flush()
