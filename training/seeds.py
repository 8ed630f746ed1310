"""The five seed pages of ../shared/seeds with our hand labels from data/labels/seeds.tsv.

The seed text stays in ../shared; data/ holds only (file, line number, label, spans).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from model.errors import InputError
from model.records import Page, parse_label
from model.segment import guess_lang, guess_text_title, segment_text

SEEDS_DEFAULT = Path("../shared/seeds")
SEED_LABELS = Path(__file__).resolve().parents[1] / "data" / "labels" / "seeds.tsv"


def load_seed_labels(path: Path = SEED_LABELS) -> dict[tuple[str, int], tuple[str, list]]:
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            where = f"{path}:{number}"
            label = parse_label(row["label"], where=where).value
            out[(row["file"], int(row["n"]))] = (label, [tuple(s) for s in json.loads(row["spans"] or "[]")])
    return out


def load_seed_pages(seeds: Path = SEEDS_DEFAULT, labels: Path = SEED_LABELS) -> list[Page]:
    """Seed pages as labelled text pages; raises if a line has no label."""
    table = load_seed_labels(labels)
    pages = []
    for path in sorted(Path(seeds).glob("*.txt")):
        lines = segment_text(path.read_text(encoding="utf-8"))
        for line in lines:
            if (path.name, line.n) not in table:
                raise InputError(f"{labels}: no label for {path.name} line {line.n}")
            line.gold, line.gold_spans = table[(path.name, line.n)]
        page = Page(id=path.name, source="text", lines=lines, title=guess_text_title(lines))
        page.lang = guess_lang(lines)
        page.metadata["site"] = f"seed:{path.name}"
        pages.append(page)
    return pages
