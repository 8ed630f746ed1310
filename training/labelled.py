"""Reading and writing labelled lines (the formats in data/README.md).

JSON Lines, one page per line::

    {"id": ..., "url": ..., "lang": ..., "title": ..., "source": "text"|"html",
     "html": "<optional page markup>",
     "lines": [{"text": ..., "label": "body", "spans": [[s, e], ...]}, ...]}

When ``html`` is given the page is segmented exactly as at run time and the
labelled lines are matched to the segmented ones by normalised text, so the
HTML model learns from real DOM context.

TSV, for hand labelling: ``label<TAB>text`` per line, a blank line between
pages, ``#`` starts a comment, and ``#id <page id>`` names the next page.

Every error names the file and line, because training data is written by hand.
"""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from model.errors import InputError
from model.read import page_from_text
from model.records import Line, Page, normalize_text, parse_label
from model.segment import guess_lang, guess_text_title, segment

#: Share of labelled lines that must be found in the segmented HTML.
MIN_HTML_MATCH = 0.8


def _open(path: Path):
    """Text lines of a (gzipped) UTF-8 file; a BOM, as Windows editors write one, is dropped."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def _numbered(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of ``path``; a file that cannot be read to its end is an
    ``InputError`` naming the file and the line where reading stopped."""
    number = 0
    try:
        with _open(path) as fh:
            for number, raw in enumerate(fh, start=1):
                yield number, raw
    except UnicodeDecodeError as exc:
        # the decoder reads ahead in blocks: the bad byte is on this line or a later one
        raise InputError(f"{path}:{number + 1}: not UTF-8 at or after this line ({exc.reason})") from None
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError; a cut .gz ends in EOFError
        raise InputError(f"{path}:{number + 1}: cannot read further ({type(exc).__name__}: {exc})") from None


def _spans(value, where: str, length: int) -> list[tuple[int, int]]:
    if value in (None, []):
        return []
    try:
        spans = [(s, e) for s, e in value]
    except (TypeError, ValueError):
        spans = None
    if spans is None or not all(type(x) is int for pair in spans for x in pair):  # not 1.7, not True
        raise InputError(f"{where}: 'spans' must be a list of [start, end] pairs of integers")
    for s, e in spans:
        if not 0 <= s < e <= length:
            raise InputError(f"{where}: span [{s}, {e}] is outside the line (length {length})")
    return sorted(spans)


def _moved_spans(labelled: Line, text: str, where: str) -> list[tuple[int, int]]:
    """A labelled line's spans as offsets into ``text``, the same line as linesift segments it.

    The two match only after whitespace is collapsed, so offsets counted in the
    labelled text can point elsewhere in the segmented one: each span's text is
    found again, whitespace-tolerant, as the same occurrence (the second "bonus"
    stays the second).
    """
    if labelled.text == text or not labelled.gold_spans:
        return list(labelled.gold_spans)
    moved = []
    for start, end in labelled.gold_spans:
        piece = labelled.text[start:end]
        pattern = re.compile(r"\s+".join(map(re.escape, piece.split())))
        found = list(pattern.finditer(text)) if piece.strip() else []
        nth = sum(1 for m in pattern.finditer(labelled.text) if m.start() < start)
        if nth >= len(found):
            raise InputError(f"{where}: span [{start}, {end}] ({piece!r}) is not in the line as linesift "
                             f"segments it from the HTML ({text[:60]!r}); give source 'text' or fix the span")
        moved.append((found[nth].start(), found[nth].end()))
    return sorted(moved)


def _match_html(page: Page, labelled: list[Line], where: str) -> Page:
    """Keep the segmented lines that match labelled lines in order; copy labels over."""
    keyed = [normalize_text(line.text) for line in labelled]
    matched: list[Line] = []
    j = 0
    for line in page.lines:
        key = normalize_text(line.text)
        k = j
        while k < len(keyed) and keyed[k] != key and k - j < 50:
            k += 1
        if k < len(keyed) and keyed[k] == key:
            line.gold = labelled[k].gold
            line.gold_spans = _moved_spans(labelled[k], line.text, f"{where}: lines[{k}]")
            matched.append(line)
            j = k + 1
    if len(matched) < MIN_HTML_MATCH * len(labelled):
        raise InputError(
            f"{where}: only {len(matched)} of {len(labelled)} labelled lines were found in the "
            "page's HTML as linesift segments it; give source 'text' or relabel"
        )
    for n, line in enumerate(matched, start=1):
        line.n = n
    page.lines = matched
    return page


def page_from_record(record: dict, where: str) -> Page:
    """Build a labelled ``Page`` from one JSONL record (``where`` = "file:line")."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(record).__name__}")
    lines = record.get("lines")
    if not isinstance(lines, list) or not lines:
        raise InputError(f"{where}: missing or empty 'lines'")
    page_id = str(record.get("id") or where)
    labelled = []
    for i, item in enumerate(lines):
        if not isinstance(item, dict) or "text" not in item or "label" not in item:
            raise InputError(f"{where}: lines[{i}] needs 'text' and 'label'")
        text = item["text"]
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{where}: lines[{i}]: 'text' must be a non-empty string, not {text!r}")
        line = Line(text=text, n=i + 1)
        line.gold = parse_label(str(item["label"]), where=f"{where}: lines[{i}]").value
        line.gold_spans = _spans(item.get("spans"), f"{where}: lines[{i}]", len(text))
        labelled.append(line)
    for key in ("url", "title", "lang", "site", "html"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise InputError(f"{where}: {key!r} must be a string or null, not {type(record[key]).__name__}")
    source = record.get("source", "html" if record.get("html") else "text")
    if source not in ("html", "text"):
        raise InputError(f"{where}: 'source' must be 'html' or 'text', not {source!r}")
    if source == "html" and record.get("html"):
        try:
            page = page_from_text(str(record["html"]), id=page_id, url=record.get("url"), input_format="html")
            page.title = record.get("title")
            segment(page)
        except InputError as exc:  # "p2: no text found on the page" alone does not say which file
            raise InputError(f"{where}: {exc}") from None
        page = _match_html(page, labelled, where)
    else:
        page = Page(id=page_id, source="text", url=record.get("url"), title=record.get("title"), lines=labelled)
        page.title = page.title or guess_text_title(labelled)
    page.lang = record.get("lang") or guess_lang(page.lines)
    page.metadata["site"] = record.get("site") or _site(page)
    page.metadata["where"] = where
    return page


def _site(page: Page) -> str:
    from urllib.parse import urlparse

    host = urlparse(page.url).netloc.lower() if page.url else ""
    return host.removeprefix("www.") or page.id


def read_jsonl(path: Path) -> Iterator[Page]:
    for number, raw in _numbered(path):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        yield page_from_record(record, where)


def read_tsv(path: Path) -> Iterator[Page]:
    lines: list[Line] = []
    page_id = None
    count = start = 0

    def flush():
        nonlocal lines, page_id, count
        if lines:
            count += 1
            pid = page_id or f"{path}#{count}"
            page = Page(id=pid, source="text", lines=lines, title=guess_text_title(lines))
            page.lang = guess_lang(lines)
            page.metadata["site"] = pid
            page.metadata["where"] = f"{path}:{start}"
            yield page
        lines, page_id = [], None

    for number, raw in _numbered(path):
        raw = raw.rstrip("\n\r")
        if not raw.strip():
            yield from flush()
            continue
        if raw.startswith("#"):
            if raw.startswith("#id "):
                yield from flush()  # "names the next page": it also ends the one before
                page_id, start = raw[4:].strip(), number
            continue
        label, tab, text = raw.partition("\t")
        if not tab or not text.strip():
            raise InputError(f"{path}:{number}: expected 'label<TAB>text'")
        if not lines and page_id is None:
            start = number
        line = Line(text=text.strip(), n=len(lines) + 1)
        line.gold = parse_label(label, where=f"{path}:{number}").value
        lines.append(line)
    yield from flush()


def read_labelled(paths: Iterable[str | Path]) -> list[Page]:
    """Read labelled pages from JSONL(.gz) or TSV files."""
    pages: list[Page] = []
    for path in map(Path, paths):
        if not path.exists():
            raise InputError(f"{path}: no such file")
        name = path.name.removesuffix(".gz")
        if name.endswith((".jsonl", ".json")):
            pages.extend(read_jsonl(path))
        elif name.endswith((".tsv", ".txt")):
            pages.extend(read_tsv(path))
        else:
            raise InputError(f"{path}: unknown training data format; use .jsonl or .tsv")
    if not pages:
        raise InputError("no labelled pages in the given files")
    first: dict[str, str] = {}
    for page in pages:
        where = page.metadata["where"]
        if page.id in first:  # a page given twice would be trained on twice, and its id means two things
            raise InputError(f"{where}: page id {page.id!r} was already given at {first[page.id]}; "
                             "page ids must be unique")
        first[page.id] = where
    return pages


def write_jsonl(pages: Iterable[Page], path: Path) -> int:
    """Write labelled pages as JSONL (text mode: lines and labels, no markup)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for page in pages:
            record = {"id": page.id, "url": page.url, "lang": page.lang, "title": page.title,
                      "source": "text", "site": page.metadata.get("site"),
                      "lines": [{"text": l.text, "label": l.gold, **({"spans": [list(s) for s in l.gold_spans]} if l.gold_spans else {})}
                                for l in page.lines]}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n
