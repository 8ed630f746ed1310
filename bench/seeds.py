"""Seed-page check: does cleaning keep every body line of the five seeds and drop the rest?

    python bench/seeds.py [--model PATH] [--seeds ../shared/seeds]

The seeds are never trained on. For each seed this prints how many of its
hand-labelled body lines survive cleaning (headline included), how many
links/chrome/spam lines leak into the output, and whether every line with
injected spam reads exactly as the hand-repaired sentence. It measures; it
asserts nothing. Writes bench/results/seeds.md.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.classify import load_model  # noqa: E402
from model.pipeline import process  # noqa: E402
from training.evaluate import gold_text  # noqa: E402
from training.seeds import SEEDS_DEFAULT, load_seed_pages  # noqa: E402


def cut(text: str, spans) -> str:
    out, prev = [], 0
    for s, e in sorted(spans):
        out.append(text[prev:s])
        prev = e
    out.append(text[prev:])
    return "".join(out).strip()


def check(model, seeds: Path) -> list[dict]:
    rows = []
    for gold_page in load_seed_pages(seeds):
        page = copy.deepcopy(gold_page)
        process([page], model)
        body_kept = body_total = leaked = 0
        repaired_ok = repaired_total = 0
        for line in page.lines:
            kept = line.label == "body" or (line.label == "spam" and bool(line.spans))
            out_text = line.cleaned_text().strip() if line.label == "spam" else line.text
            if line.gold == "body" or (line.gold == "spam" and line.gold_spans):
                body_total += 1
                body_kept += kept
            elif kept:
                leaked += 1
            if line.gold == "spam" and line.gold_spans:
                repaired_total += 1
                repaired_ok += kept and out_text == cut(line.text, line.gold_spans)
        head = gold_page.lines[0] if gold_page.lines else None
        headline_kept = None
        if gold_page.title:
            match = [l for l in page.lines if l.text == gold_page.title]
            headline_kept = bool(match) and match[0].label == "body"
        rows.append({"seed": gold_page.id, "body_kept": body_kept, "body_total": body_total,
                     "leaked": leaked, "headline_kept": headline_kept,
                     "repaired": f"{repaired_ok}/{repaired_total}", "gold_chars": len(gold_text(gold_page)),
                     "first_line": head.text[:20] if head else ""})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds" if not SEEDS_DEFAULT.exists() else SEEDS_DEFAULT)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "seeds.md")
    args = parser.parse_args()
    rows = check(load_model(args.model), args.seeds)
    lines = ["| seed | body lines kept | non-body lines leaked | headline kept | spam lines repaired exactly |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['seed']} | {r['body_kept']}/{r['body_total']} | {r['leaked']} | "
                     f"{'n/a' if r['headline_kept'] is None else r['headline_kept']} | {r['repaired']} |")
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("# Seed pages, cleaned with the default model\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
