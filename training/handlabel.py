"""Hand labelling of corpus pages, stored as labels only (no page text).

Workflow, one page at a time::

    python -m training.handlabel show <page-id>            # numbered lines with DOM hints
    python -m training.handlabel show <page-id> --auto     # ... and the automatic gold-aligned labels
    python -m training.handlabel auto-ranges ID... > r.txt # automatic labels as a ranges file to correct
    python -m training.handlabel apply ranges.txt --out data/labels/zh-news/part1.jsonl
    python -m training.handlabel show <page-id> --current  # ... and the labels training uses now
    python -m training.handlabel patch fixes.txt --out data/labels/x.jsonl  # change some lines only

A ranges file names each page and gives a label to every line number::

    # page gne-test-pages/tests/163/1.html
    1-18 chrome
    19-31 links
    32-44 body
    45 chrome

``apply`` checks that every line is labelled exactly once, then writes one JSON
record per page keyed by line hash, in page order: ``{"page", "archive",
"lines": [[hash, label], ...]}``. Re-applying a page replaces its record.

``patch`` takes a ranges file that names only the lines to change (a review of
one kind of block across many pages) and leaves every other line as training
reads it now: the stored hand label, or the automatic one. The record is
rewritten where it is stored, so one page never has two records; pages without
one get a new record in ``--out``.
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
from training.corpora import CORPORA_DEFAULT, Archives, CorpusEntry, load_index

_RANGE = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s+(\w+)\s*(?:#.*)?$")


def find_entry(entries: list[CorpusEntry], ref: str) -> CorpusEntry:
    """The index entry for ``subset:id`` or a bare id; exits when a bare id is ambiguous.

    CleanEval and Dragnet pages share numeric ids, so a bare id can name two pages.
    """
    found = [e for e in entries if e.ref == ref] or [e for e in entries if e.id == ref]
    if not found:
        sys.exit(f"unknown page {ref!r} (give an INDEX id, or subset:id)")
    if len(found) > 1:
        sys.exit(f"page id {ref!r} is ambiguous; name one of: {', '.join(e.ref for e in found)}")
    return found[0]


def load_page(page_id: str, corpora: Path = CORPORA_DEFAULT):
    entry = find_entry(load_index(corpora), page_id)
    page = page_from_bytes(Archives(corpora).html(entry), id=entry.id, url=entry.url, input_format="html")
    return entry, segment(page)


def auto_page_labels(page_id: str, corpora: Path) -> list[str] | None:
    """The corpus builder's automatic labels for a gold page (None without gold)."""
    from training.corpus import build_page

    entry = find_entry(load_index(corpora), page_id)
    page, _ = build_page(entry, Archives(corpora), {})
    return [line.gold for line in page.lines] if page is not None else None


def current_labels(entry: CorpusEntry, corpora: Path, labels_dir: Path) -> list[str] | None:
    """The labels training reads for a page now: its hand record, else the automatic ones."""
    from training.corpus import build_page, load_hand_labels

    page, _ = build_page(entry, Archives(corpora), load_hand_labels(labels_dir) if labels_dir.exists() else {})
    return [line.gold for line in page.lines] if page is not None else None


def show(page_id: str, corpora: Path, width: int, auto: bool = False, current: Path | None = None) -> None:
    entry, page = load_page(page_id, corpora)
    labels = auto_page_labels(page_id, corpora) if auto else None
    if current is not None:
        labels = current_labels(entry, corpora, current)
    print(f"# page {entry.ref}  archive={entry.archive}  url={entry.url}  title={page.title!r}  lines={len(page.lines)}")
    for i, line in enumerate(page.lines):
        hint = f"{line.tag}:{'.'.join(line.attrs[-2:])}"[:28]
        pre = f"{labels[i]:6s} " if labels else ""
        print(f"{line.n:4d} {pre}{int(100 * line.link_ratio):3d}% {hint:28s} | {line.text[:width]}")


def auto_ranges(page_ids: list[str], corpora: Path) -> None:
    """Print a ranges file pre-filled with the automatic labels, for correction by hand."""
    for page_id in page_ids:
        labels = auto_page_labels(page_id, corpora)
        if labels is None:
            print(f"# page {page_id}\n# (no automatic labels: gold not aligned; label from scratch)")
            continue
        print(f"# page {page_id}")
        start = 0
        for i in range(1, len(labels) + 1):
            if i == len(labels) or labels[i] != labels[start]:
                print(f"{start + 1}-{i} {labels[start]}" if i - start > 1 else f"{i} {labels[start]}")
                start = i


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
    from training.corpus import record_ref

    entries = load_index(corpora)
    existing: dict[str, dict] = {}
    if out.exists():
        for raw in out.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                record = json.loads(raw)
                existing[record_ref(record)] = record
    archives = Archives(corpora)
    for page_id, spans in parse_ranges(ranges).items():
        entry = find_entry(entries, page_id)
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
        existing.pop(entry.id, None)  # a record from before subsets were stored
        existing[entry.ref] = {
            "page": entry.id, "subset": entry.subset, "archive": entry.archive,
            "lines": [[line_hash(line.text), labels[line.n]] for line in page.lines],
        }
        print(f"{entry.ref}: {len(page.lines)} lines")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for record in existing.values():
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def patch(ranges: Path, out: Path, corpora: Path, labels_dir: Path) -> None:
    from training.corpus import record_ref

    entries = load_index(corpora)
    files = sorted(labels_dir.rglob("*.jsonl")) if labels_dir.exists() else []
    records = {path: [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip()]
               for path in files}
    if out.exists() and out not in records:
        records[out] = [json.loads(raw) for raw in out.read_text(encoding="utf-8").splitlines() if raw.strip()]
    records.setdefault(out, [])
    archives = Archives(corpora)
    for page_id, spans in parse_ranges(ranges).items():
        entry = find_entry(entries, page_id)
        labels = current_labels(entry, corpora, labels_dir)
        if labels is None:
            sys.exit(f"{ranges}: page {page_id}: no usable labels to patch (label it with `apply`)")
        page = segment(page_from_bytes(archives.html(entry), id=entry.id, url=entry.url, input_format="html"))
        numbers = {line.n: i for i, line in enumerate(page.lines)}
        changed = 0
        for start, end, label in spans:
            for n in range(start, end + 1):
                if n not in numbers:
                    sys.exit(f"{ranges}: page {page_id}: no line {n}")
                changed += labels[numbers[n]] != label
                labels[numbers[n]] = label
        record = {"page": entry.id, "subset": entry.subset, "archive": entry.archive,
                  "lines": [[line_hash(line.text), lab] for line, lab in zip(page.lines, labels)]}
        home = next((path for path, recs in records.items()
                     if any(record_ref(r) in (entry.ref, entry.id) for r in recs)), out)
        records[home] = [r for r in records[home] if record_ref(r) not in (entry.ref, entry.id)] + [record]
        print(f"{entry.ref}: {changed} of {len(page.lines)} lines changed -> {home}")
    for path, recs in records.items():
        if path == out or path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA_DEFAULT)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_show = sub.add_parser("show", help="print a page's lines with numbers and DOM hints")
    p_show.add_argument("page_id")
    p_show.add_argument("--width", type=int, default=160)
    p_show.add_argument("--auto", action="store_true", help="show the automatic (gold-aligned) label of each line")
    p_show.add_argument("--current", action="store_true",
                        help="show the label training reads now (hand record, else automatic)")
    p_auto = sub.add_parser("auto-ranges", help="print a ranges file pre-filled with automatic labels")
    p_auto.add_argument("page_ids", nargs="+")
    p_apply = sub.add_parser("apply", help="turn a ranges file into stored labels")
    p_apply.add_argument("ranges", type=Path)
    p_apply.add_argument("--out", type=Path, required=True)
    p_patch = sub.add_parser("patch", help="change the labels of the lines a ranges file names, keep the rest")
    p_patch.add_argument("ranges", type=Path)
    p_patch.add_argument("--out", type=Path, required=True, help="where records of pages without one go")
    p_patch.add_argument("--labels", type=Path, default=Path("data/labels"))
    args = parser.parse_args(argv)
    if args.cmd == "show":
        show(args.page_id, args.corpora, args.width, args.auto, Path("data/labels") if args.current else None)
    elif args.cmd == "auto-ranges":
        auto_ranges(args.page_ids, args.corpora)
    elif args.cmd == "patch":
        patch(args.ranges, args.out, args.corpora, args.labels)
    else:
        apply(args.ranges, args.out, args.corpora)


if __name__ == "__main__":
    main()
