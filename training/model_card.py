"""Render model/MODEL_CARD.md from a model's manifest, so its figures are the measured ones.

    python -m training.model_card model/default/linesift.joblib > model/MODEL_CARD.md
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from model.classify import manifest_path
from model.records import LABELS

KNOWN_WEAKNESSES = """\
- **Training labels are partly automatic.** English pages (CleanEval, Dragnet, L3S-GN1,
  Readability, CleanPortalEval) are labelled by aligning lines to each benchmark's gold text;
  bylines the gold copies and reader comments it keeps are relabelled chrome (Dragnet's comments
  by the marker its gold puts before them, others by comment markup), as LABELS.md says; anything
  else the gold keeps is taught as body. Links vs chrome outside L3S-GN1 comes from DOM heuristics
  (runs of linked headline-length items). The Dragnet training pages are hand-audited (1,075
  of them; the audit changed about 15 % of their lines). The 579 English CleanEval training
  pages are audited too (22 % of lines changed) but not used yet: the model trained with them
  lost Chinese and text-mode accuracy (data/README.md). So the CleanEval, L3S-GN1,
  Readability and CleanPortalEval training pages still teach their gold's view
  where it differs from LABELS.md (a related-posts list or an expanded press release taught as
  whatever the gold made of it).
- **Guide gaps** the audits decided by convention, not by LABELS.md: blogrolls are links,
  category lists chrome, tag lists links, slideshows and teaser lists under "Also on …" links.
  Left to each auditor, and so not uniform: comments posted under spam names, paid text-link
  ad boxes, mega-menus that mix section names with headlines.
- **Chinese blog fronts with several posts** can be read as a list of other posts: on the one
  Chinese dev blog page (several dated posts in a table) the model bundled 2026-12-03 21:00
  called most posts links (page F1 0.997 -> 0.29); this model keeps them again (0.997 with
  markup, measured 2026-12-04). A likely cause, not checked: the audited English pages teach
  lists of post titles as links, so other blog fronts may still lose their posts.
- **Dev figures move by a point or more between retrains on almost the same data.** Retrained
  with 8 more training pages (0.3 %, 2026-12-04), the model found 0 of the 32 dev spam lines
  instead of 12 and text-mode links F1 fell from 0.802 to 0.775, while Chinese body-token F1
  rose from 0.965 to 0.972. This model was retrained because 42 English CleanEval pages
  (1.3 % of the corpus, no Chinese page) now decode correctly ("Teacher’s" where
  "Teacher抯" was): Chinese body-token F1 fell from 0.965 to 0.949, almost all of it on the
  three dev pages of one site (thepaper.cn, WeChat-style articles of short fragments, page F1
  0.72 -> 0.43-0.50 with both models unsure of them), and text-mode macro F1 from 0.775 to
  0.741. No Chinese training line changed: these are the model's own variance. The same
  training data with `--seed 1` instead of 0 gave Chinese 0.978, English 0.962, text-mode
  macro 0.633 (0 of 32 spam lines, links 0.790) and 17 leaked seed lines instead of 7, so
  differences of this size between two models say little. The 32 dev spam lines (23 on one
  page) cannot rank models; the whole-line spam the model learns is mostly synthetic.
- **Chinese data is small**: 70 hand-labelled news pages, 91 hand-corrected gold pages
  (67 news/portal/blog pages, 24 forum pages) and the rest of the Chinese gold pages; sites
  outside news and forums (shops, video, apps) are unseen.
- **Pages without an article** (a section front that is a feed of headlines) are not
  recognised by the classifier, which keeps feed items as body (only 3 training pages have
  no article). The repair step's `no_article` rule catches feeds whose 20+ body lines are all
  link text or repeated templates; a feed of unlinked, unrepeated teasers still passes as an
  article.
- **Related feeds in text dumps**: without markup, the classifier takes the lines of long
  "为您推荐" feeds (source / "7小时前" / "跟贴" under each headline) for chrome. The repair
  step's `feed_records` rule relabels them links when a share prompt recurs at a fixed
  spacing between the items (text-mode links F1 0.734 -> 0.789 on dev when it came in, 0.802
  with today's rules; since 2026-12-04 on HTML pages too, HTML links F1 0.822 -> 0.869), but
  every line it fixed there is on one site (163.com); feeds without such a separator stay
  chrome. Tag lists, blogrolls and sidebar post lists in text dumps are mostly chrome too: their
  items look like menu entries. A review of these lists' dev labels against the written
  conventions (2026-12-04, 514 lines on 28 pages) moved text-mode links F1 only from 0.791
  to 0.796, so the labels are not what holds it back.
- **Spam blocks**: a long run of whole-line spam (a 20-line medical-ad column) tends to be
  read as the links/chrome block around it: it is cut from the article but labelled
  links/chrome, not spam (12 of the 32 dev spam lines found in text mode, 19 with markup; the
  model before this one found 12 and 8, the one before that 3 and 19: these counts swing
  between retrains). The synthetic spam blocks it learns from are 3-8 lines.
- **Reader comments** are taught as chrome where their markup says so (comment/Disqus
  containers) or the gold marks them (Dragnet); in text dumps there is no markup, and comments
  that read like prose may be kept. The repair step's `comments` rule takes hesitant body
  lines (< 0.7) out of the article below a comment heading ("Comments", "Leave a Reply")
  that follows the article's last confident paragraph; the `comment_signatures` rule takes
  a whole thread out when a comment heading sits directly above three or more signatures
  ("Jacob said,", "Posted by Ann | … 9:05 PM", two names at least). Signatures without a
  heading are left alone (forum posts and quoting articles carry them too), so a thread
  with no recognised heading and confident comments stays.
  A one-paragraph post followed by a long comment thread can lose its paragraph with them,
  unless it sits right under the headline and is the page's only other body (the
  `lone_paragraph` rule).
- **In-sentence spam** is trained on synthetic injections modelled on two seed pages; new
  injection styles need new generator rules. A page is cut only when at least one cut goes
  through a title word or carries a fake company: an article about its headline's subject
  ("，龙湖集团…" in every lead sentence) stays whole, and an injector that glued in nothing
  but whole title words would pass.
- **Whole-line spam** is learnt from ~100 hand-labelled Chinese lines and synthetic ad lines
  (gambling, porn, quack medicine, mojibake). The dev split has only 32 spam lines, 23 of them
  quack-medicine ads on one 2007 portal page, so its spam F1 moves by tenths between retrains;
  the generator's phrases are kept out of that page by a test.
- **Text-dump mode** has no markup: short lines (menus vs. subheadings) are harder than in HTML,
  and articles written one phrase per line (WeChat style) lose most of their lines.
- **Site names above the headline** ("TED Blog", a blog's linked title in its masthead) may
  be kept: the gold texts of the blog benchmarks include them, so the un-audited training
  pages teach body, while LABELS.md and the audited pages make them chrome. This model drops
  the masthead of the test fixture (`tests/test_default_model.py`), as has every model trained
  on audited Dragnet pages (since 2026-12-03 18:13); the ones before kept it.
- **Tiny pages** (one or two lines) are outside the training data; their labels are unreliable.
- The seed pages in ../shared/seeds are *not* used for training; they are kept as a check.
"""


def render(model_file: Path) -> str:
    manifest = json.loads(manifest_path(model_file).read_text(encoding="utf-8"))
    training = manifest.get("training", {})
    metrics = manifest.get("metrics", {})
    out = [
        "# linesift default model card",
        "",
        f"- file: `{manifest.get('file')}` (sha256 `{manifest.get('sha256')}`)",
        f"- linesift {manifest.get('linesift_version')}, scikit-learn {manifest.get('sklearn_version')}, "
        f"Python {manifest.get('python_version')}, format {manifest.get('format_version')}",
        f"- features: {json.dumps(manifest.get('features'))}; config: {json.dumps(manifest.get('config'))}",
        "- reproduce: `linesift train --corpora ../shared/corpora --out model/default/linesift.joblib`",
        "",
        "## What it is",
        "",
        "Two line classifiers (HTML with DOM features; text dumps without) of two passes each: an SGD",
        "logistic model over dense line features and hashed jieba/word tokens, then gradient-boosted",
        "trees over the same dense features plus the first pass's probabilities for neighbouring lines",
        "and the whole page (the text-dump model also gets block features: lines since a links heading,",
        "distance to the nearest confident body line, run length). A span detector finds spam injected",
        "inside sentences.",
        "",
        "## Training data",
        "",
        f"- train pages: {training.get('train_pages')}, lines: {training.get('train_lines')}, "
        f"dev pages (held-out sites): {training.get('dev_pages')}; train digest `{training.get('train_digest')}`",
    ]
    corp = training.get("corpora", {})
    if corp:
        out.append(f"- all corpus pages (train + dev) by language and label source: {json.dumps(corp.get('pages'), ensure_ascii=False)}")
        out.append(f"- all corpus lines (train + dev) by language and class: {json.dumps(corp.get('lines'), ensure_ascii=False)}")
        out.append(f"- corpus pages skipped: {json.dumps(corp.get('skipped'), ensure_ascii=False)}")
    if "synthetic_spam" in training:
        out.append(f"- synthetic spam: {json.dumps(training['synthetic_spam'])}")
    if metrics:
        out += ["", "The dev metrics below were measured by `linesift train` when this file was written. The repair",
                "and span steps run at prediction time and can change without retraining;",
                "`bench/results/accuracy.md` holds the figures of the current pipeline."]
    for key, title in (("dev_html", "HTML input"), ("dev_text", "text-dump input")):
        report = metrics.get(key)
        if not report:
            continue
        out += ["", f"## Dev metrics, {title} ({report['n_pages']} pages, {report['n_lines']} lines)", "",
                "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for lab in LABELS:
            m = report["per_class"][lab]
            out.append(f"| {lab} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
        b = report["body_token"]
        out += ["", f"macro F1 {report['macro_f1']:.3f} (DummyClassifier prior: {report['baseline_macro_f1']:.3f}); "
                f"body-token P/R/F1 {b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f}"]
    out += ["", "## Known weaknesses", "", KNOWN_WEAKNESSES]
    return "\n".join(out)


if __name__ == "__main__":
    print(render(Path(sys.argv[1] if len(sys.argv) > 1 else "model/default/linesift.joblib")))
