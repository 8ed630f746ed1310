"""Write step: pages -> the JSON Lines output contract, or plain text.

The record shape is the project's public contract (README, "Output"): keep it
stable; add fields, never rename them.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from model.records import Page

#: Labels whose text ``clean`` keeps by default.
KEEP_DEFAULT = frozenset({"body"})


def page_text(page: Page, keep: Iterable[str] = KEEP_DEFAULT) -> str:
    """Cleaned text: kept lines joined by newlines; spam spans cut from lines that carry them.

    A ``spam`` line with spans is an article sentence with injected text: kept
    whole when ``spam`` is kept, else its remainder when ``body`` is. A ``spam``
    line without spans is dropped unless ``spam`` itself is kept.
    """
    keep = set(keep)
    out = []
    for line in page.lines:
        if line.label == "spam" and line.spans:
            if "spam" in keep:
                out.append(line.text)
            elif "body" in keep:
                text = line.cleaned_text().strip()
                if text:
                    out.append(text)
        elif line.label in keep:
            out.append(line.text)
    return "\n".join(out)


def page_record(page: Page, *, with_lines: bool = False, keep: Iterable[str] = KEEP_DEFAULT,
                with_repair: bool = False) -> dict:
    """The output record of one page (see README, "Output")."""
    if page.error is not None:
        return error_record(page.id, page.error, url=page.url, kind=page.metadata.get("error_kind"),
                            with_lines=with_lines)
    record = {
        "id": page.id,
        "url": page.url,
        "lang": page.lang,
        "title": page.title,
        "text": page_text(page, keep),
    }
    if with_lines:
        lines = []
        for line in page.lines:
            entry = {"n": line.n, "text": line.text, "label": line.label,
                     "score": round(line.score, 4) if line.score is not None else None,
                     "spans": [list(s) for s in line.spans]}
            if with_repair:
                entry["pred"] = line.pred
                entry["repair"] = line.repair_reason or None
            lines.append(entry)
        record["lines"] = lines
    record["error"] = None
    return record


def error_record(page_id: str, message: str, *, url: str | None = None, kind: str | None = None,
                 with_lines: bool = False) -> dict:
    """What a page that could not be processed becomes: same keys in the same order
    (``lines`` empty), ``error`` set, and ``error_kind`` (read, empty, decode, too_large,
    segment, classify, timeout) so that a crawl's failures can be counted or retried
    by kind without parsing messages."""
    record = {"id": page_id, "url": url, "lang": None, "title": None, "text": ""}
    if with_lines:
        record["lines"] = []
    record.update(error=message, error_kind=kind)
    return record


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)
