"""Hand labelling of corpus pages, stored as labels only (no page text).

Workflow, one page at a time::

    python -m training.handlabel show <page-id>            # numbered lines with DOM hints
    python -m training.handlabel apply ranges.txt --out data/labels/zh-news/part1.jsonl

A ranges file names each page and gives a label to every line number::

    # page gne-test-pages/tests/163/1.html
    1-18 chrome
    19-31 links
    32-44 body
    45 chrome

``apply`` checks that every line is labelled exactly once, then writes one JSON
record per page keyed by line hash, in page order: ``{"page", "archive",
"lines": [[hash, label], ...]}``. Re-applying a page replaces its record.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from model.read import page_from_bytes
from model.records import LABELS, line_hash
from model.segment import segment
from training.corpora import CORPORA_DEFAULT, Archives, load_index

_RANGE = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s+(\w+)\s*(?:#.*)?$")


def load_page(page_id: str, corpora: Path = CORPORA_DEFAULT):
    entries = {e.id: e for e in load_index(corpora)}
    if page_id not in entries:
        sys.exit(f"unknown page id {page_id!r}")
    entry = entries[page_id]
    page = page_from_bytes(Archives(corpora).html(entry), id=entry.id, url=entry.url, input_format="html")
    return entry, segment(page)


def show(page_id: str, corpora: Path, width: int) -> None:
    entry, page = load_page(page_id, corpora)
    print(f"# page {entry.id}  archive={entry.archive}  url={entry.url}  title={page.title!r}  lines={len(page.lines)}")
    for line in page.lines:
        hint = f"{line.tag}:{'.'.join(line.attrs[-2:])}"[:28]
        print(f"{line.n:4d} {int(100 * line.link_ratio):3d}% {hint:28s} | {line.text[:width]}")


def parse_ranges(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    pages: dict[str, list[tuple[int, int, str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("# page "):
            current = raw[len("# page "):].split()[0]
            pages[current] = []
            continue
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _RANGE.match(raw)
        if not match or current is None:
            sys.exit(f"{path}:{number}: cannot read {raw!r} (expected 'N label' or 'N-M label' after '# page ID')")
        start, end, label = int(match.group(1)), int(match.group(2) or match.group(1)), match.group(3).lower()
        if label not in LABELS:
            sys.exit(f"{path}:{number}: unknown label {label!r}; expected one of {', '.join(LABELS)}")
        pages[current].append((start, end, label))
    return pages


def apply(ranges: Path, out: Path, corpora: Path) -> None:
    entries = {e.id: e for e in load_index(corpora)}
    existing: dict[str, dict] = {}
    if out.exists():
        for raw in out.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                record = json.loads(raw)
                existing[record["page"]] = record
    archives = Archives(corpora)
    for page_id, spans in parse_ranges(ranges).items():
        if page_id not in entries:
            sys.exit(f"{ranges}: unknown page id {page_id!r}")
        entry = entries[page_id]
        page = segment(page_from_bytes(archives.html(entry), id=entry.id, url=entry.url, input_format="html"))
        labels: dict[int, str] = {}
        for start, end, label in spans:
            for n in range(start, end + 1):
                if n in labels:
                    sys.exit(f"{ranges}: page {page_id}: line {n} labelled twice")
                labels[n] = label
        missing = [line.n for line in page.lines if line.n not in labels]
        extra = sorted(set(labels) - {line.n for line in page.lines})
        if missing or extra:
            sys.exit(f"{ranges}: page {page_id}: unlabelled lines {missing[:20]} / unknown lines {extra[:20]}")
        existing[page_id] = {
            "page": page_id, "archive": entry.archive,
            "lines": [[line_hash(line.text), labels[line.n]] for line in page.lines],
        }
        print(f"{page_id}: {len(page.lines)} lines")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for record in existing.values():
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA_DEFAULT)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_show = sub.add_parser("show", help="print a page's lines with numbers and DOM hints")
    p_show.add_argument("page_id")
    p_show.add_argument("--width", type=int, default=160)
    p_apply = sub.add_parser("apply", help="turn a ranges file into stored labels")
    p_apply.add_argument("ranges", type=Path)
    p_apply.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.cmd == "show":
        show(args.page_id, args.corpora, args.width)
    else:
        apply(args.ranges, args.out, args.corpora)


if __name__ == "__main__":
    main()
