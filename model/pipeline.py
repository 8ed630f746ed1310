"""The whole pipeline in one place: read -> segment -> classify -> repair -> spans.

``process`` is the function the CLI and the batch runner call; everything it
does is a named step in its own module, so each can be tested alone.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from model.classify import LinesiftModel, classify, load_model
from model.read import MAX_PAGE_BYTES_DEFAULT, page_from_bytes, page_from_text
from model.records import Page
from model.repair import repair
from model.segment import segment
from model.spans import detect_spans


def process(pages: Sequence[Page], model: LinesiftModel) -> list[Page]:
    """Segment (if needed), classify, repair and find spans for decoded pages.

    Pages are classified together (one matrix per input mode), which is much
    faster than page by page; callers that need per-page isolation of errors
    segment first and pass only pages that segmented.
    """
    ready = []
    for page in pages:
        if not page.lines:
            segment(page)
        ready.append(page)
    classify(ready, model)
    for page in ready:
        repair(page)
        detect_spans(page, model.spans)
    return ready


def label_bytes(data: bytes | str, *, model: LinesiftModel | str | os.PathLike | None = None, id: str = "<page>",
                url: str | None = None, input_format: str = "auto",
                max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Page:
    """Label one page given as bytes (any encoding) or text; the library's one-call entry.

    ``model`` is a loaded model, a model file's path (loaded on every call: load once
    with ``load_model`` for many pages), or None for the bundled one. ``max_bytes``
    limits the page's size (its UTF-8 size for ``str``), as ``--max-page-mb`` does.

    Each page is labelled on its own: the site-template evidence that ``linesift
    clean`` and ``label`` gather across the pages of a run (``model.templates``) is
    not applied, so a line a site repeats on every page can come out differently.

    Raises
    ------
    TypeError
        ``data`` that is neither bytes-like nor str.
    InputError
        A page that cannot be read (empty, binary, too large).
    """
    if model is None or isinstance(model, (str, os.PathLike)):
        model = load_model(model)
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, (bytes, str)):
        raise TypeError(f"label_bytes() takes the page as bytes or str, not {type(data).__name__}")
    if isinstance(data, bytes):
        page = page_from_bytes(data, id=id, url=url, input_format=input_format, max_bytes=max_bytes)
    else:
        page = page_from_text(data, id=id, url=url, input_format=input_format, max_bytes=max_bytes)
    return process([page], model)[0]
