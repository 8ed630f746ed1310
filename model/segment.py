"""Segment step: a decoded page -> a list of ``Line`` records.

HTML is cut at block boundaries (and at every ``<br>``), invisible elements are
dropped, and each line keeps the DOM context a classifier needs: the chain of
block tags above it, class/id tokens of its ancestors, link characters, and
list/table membership. A text dump is one line per non-empty input line, with
``n`` its 1-based line number, so labels can be keyed by line number.
"""
from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from lxml import etree

from model.errors import InputError
from model.records import Line, Page

BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html
    legend li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul""".split()
)
DROP_TAGS = frozenset(
    """script style noscript template iframe svg canvas object embed head select textarea
    math map video audio source track option datalist""".split()
)
LIST_TAGS = frozenset({"li", "ul", "ol", "dl", "dd", "dt", "menu"})
TABLE_TAGS = frozenset({"table", "td", "th", "tr"})
#: How many block ancestors the dom_path keeps (nearest last).
DOM_PATH_DEPTH = 6
#: Class/id tokens kept per line; long utility-class soups add nothing.
MAX_ATTR_TOKENS = 24

_WS = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ATTR_SPLIT = re.compile(r"[^a-z]+")


def _is_hidden(attrib) -> bool:
    if "hidden" in attrib or attrib.get("type") == "hidden":
        return True
    style = attrib.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


@lru_cache(maxsize=16384)
def _attr_tokens_of(raw: str) -> tuple[str, ...]:
    """Cached: a page repeats the same few class soups thousands of times."""
    return tuple(t for t in _ATTR_SPLIT.split(raw.lower()) if 1 < len(t) < 25)


def _attr_tokens(attrib) -> tuple[str, ...]:
    cls, ident = attrib.get("class"), attrib.get("id")
    if not cls and not ident:
        return ()
    return _attr_tokens_of(f"{cls or ''} {ident or ''}")


def parse_html(text: str):
    """Parse (possibly malformed) HTML into an lxml tree; never trusts its meta charset."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse HTML: {exc}") from None
    if root is None:
        raise InputError("cannot parse HTML: empty document")
    return root


def html_title(root) -> str | None:
    for xpath in ('//meta[@property="og:title"]/@content', "//title//text()"):
        found = " ".join(root.xpath(xpath)).strip()
        if found:
            return _WS.sub(" ", found)
    return None


class _Builder:
    """Accumulates inline text into lines, flushing at block boundaries."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.n_links = 0
        self.attrs: list[str] = []
        self.context: tuple | None = None

    def add(self, text: str | None, frames: list, in_link: bool) -> None:
        if not text:
            return
        if self.context is None:
            if not text.strip():
                return
            blocks = [f for f in frames if f[1]]
            tags = [f[0] for f in blocks]
            attrs: list[str] = []
            for f in frames:
                attrs.extend(f[2])
            self.context = (
                tags[-1] if tags else "body",
                "/".join(tags[-DOM_PATH_DEPTH:]),
                len(frames),
                any(t in LIST_TAGS for t in tags),
                any(t in TABLE_TAGS for t in tags),
            )
            self.attrs = list(dict.fromkeys(attrs))
        self.parts.append(text)
        if in_link:
            self.link_chars += len(_WS.sub("", text))

    def flush(self) -> None:
        if self.context is None and not self.parts and not self.n_links:
            return  # nothing started since the last flush (most block boundaries)
        if self.context is not None:
            text = _WS.sub(" ", "".join(self.parts)).strip()
            if text:
                tag, path, depth, in_list, in_table = self.context
                self.lines.append(Line(
                    text=text, n=len(self.lines) + 1, tag=tag, dom_path=path,
                    attrs=tuple(self.attrs[-MAX_ATTR_TOKENS:]), depth=depth,
                    link_chars=min(self.link_chars, len(text)), n_links=self.n_links,
                    in_list=in_list, in_table=in_table,
                ))
        self.parts, self.link_chars, self.n_links, self.attrs, self.context = [], 0, 0, [], None


_TAG_NAMES: dict = {}


def _tag_name(raw) -> str:
    """Lower-case local name; "" for comments and processing instructions."""
    name = raw.lower().rpartition("}")[2] if isinstance(raw, str) else ""
    if isinstance(raw, str) and len(_TAG_NAMES) < 4096:
        _TAG_NAMES[raw] = name
    return name


def segment_html(root) -> list[Line]:
    """Cut an lxml tree into lines; iterative, so deeply nested junk cannot overflow the stack."""
    builder = _Builder()
    body = root.find("body")
    start = body if body is not None else root
    # dropping invisible subtrees in C (tails kept) spares the Python walk most of its elements
    etree.strip_elements(start, *DROP_TAGS, with_tail=False)
    frames: list[tuple[str, bool, tuple[str, ...]]] = []  # (tag, is_block, attr tokens)
    link_depth = 0
    stack: list[tuple[str, object]] = [("start", start)]
    while stack:
        event, el = stack.pop()
        if event == "tail":
            builder.add(el.tail, frames, link_depth > 0)
            continue
        tag = _TAG_NAMES.get(el.tag)
        if tag is None:
            tag = _tag_name(el.tag)
        if event == "end":
            frames.pop()
            if tag == "a":
                link_depth -= 1
            if tag in BLOCK_TAGS:
                builder.flush()
            continue
        if el is not start:
            stack.append(("tail", el))
        attrib = el.attrib
        if not tag or tag in DROP_TAGS or (attrib and _is_hidden(attrib)):
            continue
        if tag == "br":
            builder.flush()
            continue
        is_block = tag in BLOCK_TAGS
        if is_block:
            builder.flush()
        if tag == "a":
            link_depth += 1
            if builder.context is not None or (el.text_content() or "").strip():
                builder.n_links += 1
        if tag == "img":
            alt = el.get("alt")
            frames.append((tag, False, _attr_tokens(attrib) if attrib else ()))
            builder.add(f" {alt} " if alt and alt.strip() and builder.context is not None else None,
                        frames, link_depth > 0)
            frames.pop()
            continue
        frames.append((tag, is_block, _attr_tokens(attrib) if attrib else ()))
        stack.append(("end", el))
        builder.add(el.text, frames, link_depth > 0)
        for child in reversed(el):
            stack.append(("start", child))
    builder.flush()
    return builder.lines


def segment_text(text: str) -> list[Line]:
    """One line per non-empty input line; ``n`` is the 1-based input line number."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = _WS.sub(" ", raw).strip()
        if stripped:
            lines.append(Line(text=stripped, n=number))
    return lines


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_TERMINAL = re.compile(r"[。！？.!?]$")


def guess_lang(lines: list[Line]) -> str:
    """A cheap script-based language guess: enough to pick tokenizers and metrics."""
    sample = "".join(line.text for line in lines)[:20000]
    cjk, kana, latin = len(_CJK.findall(sample)), len(_KANA.findall(sample)), len(_LATIN.findall(sample))
    if kana > 50 and kana > cjk * 0.1:
        return "ja"
    if cjk > 0.2 * (latin / 5 + cjk) and cjk > 20:
        return "zh"
    if latin:
        return "en"
    return "other"


_NOT_TITLE = re.compile(
    r"[|｜>»›_]|^(图片?来源|来源|作者|编辑|责任编辑|source|photo|by)\b|cookie|隐私|privacy|登录|log ?in|sign ?in",
    re.I)
_SENTENCE_END = re.compile(r"[。.]$")


#: How many leading lines of a text dump may hold the headline (menus come first).
TITLE_SEARCH_LINES = 20
_DATE_LIKE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}:\d{2}")


def _menu_like(text: str) -> bool:
    parts = text.split()
    return len(parts) >= 3 and all(len(p) <= 4 for p in parts)


def guess_text_title(lines: list[Line]) -> str | None:
    """In a text dump the headline is usually the first line that reads like one:
    short, no full stop, no breadcrumb separators, no date, not a row of menu
    words, several words (or Chinese characters)."""
    for line in lines[:TITLE_SEARCH_LINES]:
        text = line.text
        if not 6 <= len(text) <= 120 or _SENTENCE_END.search(text) or _NOT_TITLE.search(text):
            continue
        if _DATE_LIKE.search(text) or _menu_like(text):
            continue
        if len(_CJK.findall(text)) >= 6 or len(text.split()) >= 3:
            return text
    return None


def segment(page: Page) -> Page:
    """Fill ``page.lines``, ``page.title`` and ``page.lang`` from ``page.raw``."""
    if page.source == "html":
        try:
            root = parse_html(page.raw)
        except InputError as exc:
            raise InputError(f"{page.id}: {exc}") from None
        page.title = page.title or html_title(root)  # before segment_html strips <head>
        page.lines = segment_html(root)
    else:
        page.lines = segment_text(page.raw)
        page.title = page.title or guess_text_title(page.lines)
    if not page.lines:
        raise InputError(f"{page.id}: no text found on the page")
    page.lang = page.lang or guess_lang(page.lines)
    return page
