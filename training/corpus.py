"""Build labelled training pages from the benchmark corpora in ../shared/corpora.

For a page with gold main text, each segmented line is aligned to the gold by
character coverage (NFKC, lower case, whitespace removed, so hard-wrapped or
re-spaced gold still matches): a line mostly found in the gold is ``body``.
The remaining lines are split into ``links`` and ``chrome`` from DOM evidence
— L3S-GN1's own "related content" marks where it has them, otherwise runs of
headline-length linked list items and the block headings above them.
Where a gold disagrees with ../shared/LABELS.md in a way markup shows (reader
comments, bylines copied into the gold), the guide wins.
Hand labels in data/labels (keyed by page id and line hash) replace the
automatic ones page by page.

The alignment can be written out (``dump_alignment``) before any threshold is
applied, so the automatic labels can be read and checked.
"""
from __future__ import annotations

import html as htmllib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from model.errors import InputError
from model.features import CHROME_WORDS, LINKS_WORDS
from model.read import page_from_bytes
from model.records import Line, Page, line_hash
from model.repair import title_similarity
from model.segment import segment
from training.corpora import CORPORA_DEFAULT, Archives, CorpusEntry, load_index
from training.split import is_dev

#: Share of a line's character k-grams found in the gold for the line to be body.
BODY_COVERAGE = 0.5
#: k for character k-grams (whitespace removed).
KGRAM = 5
#: Lines shorter than this (no whitespace) need an exact gold match and a body neighbour.
SHORT_LINE = 16
#: Pages whose gold is found less than this in the page are skipped as misaligned.
MIN_GOLD_FOUND = 0.5
#: Share of a hand-labelled page's lines that must still be found by hash.
MIN_HAND_MATCH = 0.95

_WS = re.compile(r"\s+")
#: Dragnet gold files put ``!@#$%^&*()  COMMENTS`` between the content and the comments.
DRAGNET_COMMENTS = "!@#$%^&*()"
_CLEANEVAL_MARK = re.compile(r"^\s*<(p|h|l)>", re.M)
_BYLINE = re.compile(
    r"^\s*(来源|作者|编辑|责任编辑|责编|记者|发布时间|发表时间|时间|日期|稿源|原标题|"
    r"by\s|posted|published|updated|written by|photo|image)", re.I)
_BYLINE_ANYWHERE = re.compile(r"(来源|作者|编辑|记者|责任编辑|发布时间|稿源)\s*[:：]")
_DATE_ONLY = re.compile(r"^[\d\s:/.\-年月日时分秒,apmAPM()（）星期一二三四五六日天]+$")
_PREV_NEXT = re.compile(r"^\s*(上一篇|下一篇|上一页|下一页|previous|next)\b", re.I)
#: Class/id tokens (as ``model.segment`` splits them) of a reader-comment container:
#: WordPress' commentlist/comment-body/#respond, Disqus (dsq), Slashdot's commentwrap …
#: Not "commentary" (an article genre) nor "commented".
_COMMENT_TOKEN = re.compile(
    r"^(comments?|comment(list|listing|body|text|wrap|block|thread|area|container|entry|meta|metadata"
    r"|author|name|date|post|sub|top|content|s?section|s?wrap|s?area|s?block|s?list|s?container)"
    r"|(post|blog|new|in|user|reader|recent)comments?|incommentspl|disqus|dsq|respond)$")
#: Tokens of forum and Q&A markup, where posts and answers are body (LABELS.md).
_FORUM_TOKENS = frozenset({"bbpress", "bbp", "forum", "forums", "topic", "answer", "answers", "question"})


def squash(text: str) -> str:
    """The comparison form: NFKC, lower case, no whitespace."""
    return _WS.sub("", unicodedata.normalize("NFKC", htmllib.unescape(text)).lower())


def gold_plain(entry: CorpusEntry, raw: str) -> dict[str, str]:
    """Gold text per role: {"body": ..., "links": ..., "chrome": ...} (links/chrome only for L3S-GN1 and Dragnet)."""
    fmt = (entry.gold_format or "").lower()
    if entry.subset == "page-signal-master" or "l3s" in fmt:
        root = lxml.html.document_fromstring(raw.encode("utf-8", "replace"),
                                             parser=lxml.html.HTMLParser(encoding="utf-8"))
        parts: dict[str, list[str]] = defaultdict(list)
        role = {"1": "body", "2": "body", "3": "body", "4": "links", "5": "chrome"}
        for span in root.xpath('//span[starts-with(@class, "x-nc-sel")]'):
            cls = span.get("class", "")[-1]
            if cls in role:
                parts[role[cls]].append(span.text_content())
        return {k: "\n".join(v) for k, v in parts.items()}
    if "readability" in fmt or entry.subset == "readability":
        root = lxml.html.fragment_fromstring(raw, create_parent="div")
        return {"body": root.text_content()}
    if "cleaneval" in fmt:
        lines = raw.splitlines()
        if lines and lines[0].startswith("URL:"):
            lines = lines[1:]
        elif len(lines) > 1 and not lines[0].strip() and lines[1].startswith("URL:"):
            lines = lines[2:]
        return {"body": _CLEANEVAL_MARK.sub("", "\n".join(lines))}
    if DRAGNET_COMMENTS in raw:
        # Dragnet's gold is the content, then this marker, then the reader comments;
        # LABELS.md makes reader comments chrome (408 of its 1,381 pages have some)
        content, comments = raw.split(DRAGNET_COMMENTS, 1)
        return {"body": content, "chrome": comments.lstrip().removeprefix("COMMENTS")}
    return {"body": raw}


@dataclass
class Alignment:
    """Per-line evidence before thresholds turn it into labels."""

    coverage: list[float]
    roles: list[str]  # "body" / "links" / "chrome" / "" (from gold coverage)
    gold_found: float


def _kgrams(text: str, k: int = KGRAM) -> set[str]:
    return {text[i:i + k] for i in range(max(1, len(text) - k + 1))}


def align(page: Page, gold: dict[str, str]) -> Alignment:
    """Coverage of each line by the gold text of each role."""
    squashed = {role: squash(text) for role, text in gold.items() if text and text.strip()}
    grams = {role: _kgrams(text) for role, text in squashed.items()}
    coverage, roles = [], []
    body_found: set[str] = set()
    for line in page.lines:
        t = squash(line.text)
        best_role, best = "", 0.0
        for role, text in squashed.items():
            if len(t) < KGRAM * 2:
                cov = 1.0 if t and t in text else 0.0
            else:
                g = _kgrams(t)
                hits = g & grams[role]
                cov = len(hits) / len(g)
                if role == "body":
                    body_found |= hits
            if cov > best:
                best_role, best = role, cov
        coverage.append(best)
        roles.append(best_role if best >= BODY_COVERAGE else "")
    total = len(grams.get("body", ()))
    return Alignment(coverage, roles, len(body_found) / total if total else 0.0)


_DATE_IN_LINE = re.compile(r"\d{4}[-/.年]\d{1,2}|\d{1,2}[-/月]\d{1,2}日?|\d{1,2}:\d{2}")
_FURNITURE = re.compile(r"©|copyright|版权|icp|备案|all rights reserved", re.I)


def _is_link_item(line: Line) -> bool:
    """A linked headline: mostly anchor text (or a linked title plus its date), headline length.

    Section names in menus are shorter than headlines, so length separates
    them: at least 10 Chinese characters or 4 words.
    """
    text = line.text
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    linked = line.link_ratio >= 0.6 or (line.link_ratio >= 0.35 and bool(_DATE_IN_LINE.search(text)))
    if not linked or not (cjk >= 10 or len(text.split()) >= 4) or _FURNITURE.search(text):
        return False
    return not _is_menu_bar(text)


_BAR_SPLIT = re.compile(r"\s*[|｜·•]\s*|\s{2,}")


def _is_menu_bar(text: str) -> bool:
    """A bar of short links (关于我们 | 联系我们 …, Share on Facebook Twitter …) is furniture."""
    if CHROME_WORDS.search(text[:40]):
        return True
    parts = [p for p in _BAR_SPLIT.split(text) if p]
    return len(parts) >= 3 and all(len(p) <= 6 or len(p.split()) <= 2 for p in parts)


def boilerplate_labels(page: Page, body: list[bool]) -> list[str]:
    """links vs chrome for non-body lines, from list structure and block headings.

    A cluster is >= 3 linked headlines at most 4 lines apart (or 2 under a
    heading such as 相关/推荐/Related); everything non-body inside it is links,
    so a list item's source and timestamp go with its headline.
    """
    n = len(page.lines)
    items = [not body[i] and _is_link_item(page.lines[i]) for i in range(n)]
    labels = ["body" if body[i] else "chrome" for i in range(n)]
    idx = [i for i in range(n) if items[i]]
    clusters: list[list[int]] = []
    for i in idx:
        if clusters and i - clusters[-1][-1] <= 4:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    for cluster in clusters:
        lo, hi = cluster[0], cluster[-1]
        heading = [i for i in range(max(0, lo - 2), lo)
                   if not body[i] and len(page.lines[i].text) <= 24 and LINKS_WORDS.search(page.lines[i].text)]
        if len(cluster) < 3 and not (len(cluster) == 2 and heading):
            continue
        for i in range(lo, hi + 1):
            if not body[i] and not _FURNITURE.search(page.lines[i].text):
                labels[i] = "links"
        # teaser bits right after the last item
        for i in range(hi + 1, min(n, hi + 3)):
            if not body[i] and len(page.lines[i].text) <= 40 and page.lines[i].dom_path == page.lines[hi].dom_path:
                labels[i] = "links"
        for i in heading:
            labels[i] = "links"
    for i, line in enumerate(page.lines):
        if not body[i] and _PREV_NEXT.match(line.text) and line.link_ratio > 0.3:
            labels[i] = "links"
    return labels


def _in_comments(line: Line) -> bool:
    attrs = line.attrs
    return any(_COMMENT_TOKEN.match(t) for t in attrs) and not _FORUM_TOKENS.intersection(attrs)


def comment_lines(page: Page, body: list[bool]) -> list[int]:
    """Body lines inside a reader-comment container, which LABELS.md calls chrome.

    CleanEval golds keep the comments under a post while L3S-GN1 marks them as
    not content (and Dragnet's put them after a marker, see ``gold_plain``); left
    as the golds have them, the model learns "comments are body" from one
    benchmark and "chrome" from another. Forum pages
    are left alone (their posts are body), and so is a page with no body line
    before its first comment line: there the "comment" class marks the article
    itself (an opinion section called "Comment"), not its readers.
    """
    if page.metadata.get("subset") == "forum":
        return []
    found = [i for i, line in enumerate(page.lines) if body[i] and _in_comments(line)]
    if not found or not any(body[i] and not _in_comments(page.lines[i]) for i in range(found[0])):
        return []
    return found


def auto_labels(page: Page, alignment: Alignment) -> list[str]:
    """Thresholds + rules that turn an alignment into the four labels."""
    n = len(page.lines)
    body = [role == "body" for role in alignment.roles]
    # short exact matches count only next to aligned long lines (a menu word also occurs in prose)
    for i, line in enumerate(page.lines):
        if body[i] and len(squash(line.text)) < SHORT_LINE:
            near = [j for j in range(max(0, i - 2), min(n, i + 3))
                    if j != i and body[j] and len(squash(page.lines[j].text)) >= SHORT_LINE]
            body[i] = bool(near)
    # LABELS.md: bylines, sources and lone dates are chrome even when the gold copied them
    for i, line in enumerate(page.lines):
        if body[i] and len(line.text) <= 80 and (_BYLINE.match(line.text) or _DATE_ONLY.match(line.text)
                                                  or _BYLINE_ANYWHERE.search(line.text)):
            body[i] = False
    for i in comment_lines(page, body):
        body[i] = False
    # the page's own headline is body even when the gold omits it
    first_body = next((i for i in range(n) if body[i]), None)
    if first_body is not None and page.title:
        window = range(max(0, first_body - 15), first_body)
        sims = [(title_similarity(page.lines[i].text, page.title), i) for i in window]
        if sims:
            sim, i = max(sims)
            if sim >= 0.6:
                body[i] = True
    labels = boilerplate_labels(page, body)
    for i, role in enumerate(alignment.roles):  # L3S-GN1 marks related content and comments, Dragnet comments
        if role in ("links", "chrome") and not body[i]:
            labels[i] = role
    return labels


# --- hand labels -------------------------------------------------------------

def record_ref(record: dict) -> str:
    """A hand-label record's page ref: ``subset:id`` (``CorpusEntry.ref``), or the bare
    id for records written before subsets were kept."""
    return f"{record['subset']}:{record['page']}" if record.get("subset") else record["page"]


def load_hand_labels(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """page ref -> [(line hash, label), ...] from every *.jsonl under ``folder``.

    The ref is ``subset:id`` when the record names its subset (bare ids repeat
    across subsets), else the bare id (records written before subsets were kept).
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(Path(folder).rglob("*.jsonl")):
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                out[record_ref(record)] = [(h, lab) for h, lab in record["lines"]]
            except (json.JSONDecodeError, KeyError, ValueError) as exc:
                raise InputError(f"{path}:{number}: bad hand-label record ({exc})") from None
    return out


def apply_hand_labels(page: Page, labels: list[tuple[str, str]]) -> list[str] | None:
    """Labels for the page's lines by hash (duplicates consumed in order); None if too few match."""
    queues: dict[str, list[str]] = defaultdict(list)
    for h, lab in labels:
        queues[h].append(lab)
    out: list[str | None] = []
    for line in page.lines:
        q = queues.get(line_hash(line.text))
        out.append(q.pop(0) if q else None)
    found = sum(lab is not None for lab in out)
    if found < MIN_HAND_MATCH * len(out):
        return None
    prev = "chrome"
    filled = []
    for lab in out:
        prev = lab or prev
        filled.append(prev)
    return filled


# --- building ----------------------------------------------------------------

@dataclass
class CorpusStats:
    pages: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    lines: Counter = field(default_factory=Counter)

    def summary(self) -> dict:
        return {"pages": dict(self.pages), "skipped": dict(self.skipped), "lines": dict(self.lines)}


def build_page(entry: CorpusEntry, archives: Archives, hand: dict[str, list[tuple[str, str]]]) -> tuple[Page | None, str]:
    """One labelled page, or (None, reason) when it cannot be used."""
    try:
        page = page_from_bytes(archives.html(entry), id=entry.id, url=entry.url, input_format="html")
        segment(page)
    except InputError as exc:
        return None, f"unreadable: {exc}"
    if "mended" in page.metadata:
        # read only through a mend of broken markup (damaged captures, in these corpora):
        # its gold came from whatever the annotators' tool made of it, which the mend can
        # only guess, so such a page neither trains nor scores
        return None, f"unreadable: mended ({page.metadata['mended']})"
    page.metadata.update(site=entry.site, subset=entry.subset, source=entry.source, archive=entry.archive)
    stored = hand.get(entry.ref, hand.get(entry.id))
    if stored is not None:
        labels = apply_hand_labels(page, stored)
        if labels is None:
            return None, "hand labels no longer match the segmentation"
        page.metadata["labels"] = "hand"
    else:
        raw = archives.gold(entry)
        if not raw:
            return None, "no gold and no hand labels"
        alignment = align(page, gold_plain(entry, raw))
        if alignment.gold_found < MIN_GOLD_FOUND:
            return None, "gold text not found in the page"
        labels = auto_labels(page, alignment)
        page.metadata["labels"] = "auto"
    for line, label in zip(page.lines, labels):
        line.gold = label
    if "body" not in labels and entry.archive != "zh-news-unlabelled.tar.gz":
        return None, "no body line aligned"
    return page, ""


def iter_corpus(corpora: Path = CORPORA_DEFAULT, labels_dir: Path = Path("data/labels"), *,
                split: str | None = None, max_pages: int | None = None,
                log: Callable[[str], None] = lambda s: None, stats: CorpusStats | None = None) -> Iterator[Page]:
    """Labelled pages of the corpora; ``split`` = "train", "dev" or None for both.

    Pages are yielded in index order so a run is reproducible; ``max_pages``
    takes an evenly spaced sample (every k-th page) so small runs still see
    every subset.
    """
    stats = stats if stats is not None else CorpusStats()
    entries = load_index(corpora)
    hand = load_hand_labels(labels_dir) if Path(labels_dir).exists() else {}
    usable = [e for e in entries if e.gold or e.id in hand]
    if split is not None:
        usable = [e for e in usable if is_dev(e) == (split == "dev")]
    if max_pages is not None and len(usable) > max_pages:
        step = len(usable) / max_pages
        usable = [usable[int(i * step)] for i in range(max_pages)]
    archives = Archives(corpora)
    for k, entry in enumerate(usable, start=1):
        page, reason = build_page(entry, archives, hand)
        if page is None:
            stats.skipped[reason.split(":")[0]] += 1
            continue
        stats.pages[f"{page.lang}:{page.metadata['labels']}"] += 1
        for line in page.lines:
            stats.lines[f"{page.lang}:{line.gold}"] += 1
        if k % 200 == 0:
            log(f"  corpus: {k}/{len(usable)} pages read")
        yield page


def dump_alignment(pages: list[Page], path: Path) -> None:
    """TSV of page id, line number, label and text, for reading the automatic labels.

    Written outside the repository (build/): it contains page text.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for page in pages:
            for line in page.lines:
                fh.write(f"{page.id}\t{line.n}\t{line.gold}\t{int(100 * line.link_ratio)}\t{line.text[:200]}\n")
