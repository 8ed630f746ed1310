"""Segment step: a decoded page -> a list of ``Line`` records.

HTML is cut at block boundaries (and at every ``<br>``), invisible elements are
dropped, and each line keeps the DOM context a classifier needs: the chain of
block tags above it, class/id tokens of its ancestors, link characters, and
list/table membership. A text dump is one line per non-empty input line, with
``n`` its 1-based line number, so labels can be keyed by line number.
"""
from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

import numpy as np
from lxml import etree

from model.errors import EmptyPageError, InputError
from model.records import Line, Page

BLOCK_TAGS = frozenset(
    """address article aside blockquote body caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html
    legend li main menu nav ol p pre section summary table tbody td tfoot th thead tr ul""".split()
)
#: Elements whose text is not the page's reading text. ``rt``/``rp`` are ruby
#: annotations (a reading printed above "漢字", a pinyin gloss above "北京"): inline,
#: they would be glued into the sentence ("漢(かん)字(じ)", "北京Běijīng").
DROP_TAGS = frozenset(
    """script style noscript template iframe svg canvas object embed head select textarea
    math map video audio source track option datalist rt rp""".split()
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


@lru_cache(maxsize=16384)
def _attr_tokens_of(raw: str) -> tuple[str, ...]:
    """Cached: a page repeats the same few class soups thousands of times."""
    return tuple(t for t in _ATTR_SPLIT.split(raw.lower()) if 1 < len(t) < 25)


def parse_html(text: str):
    """Parse (possibly malformed) HTML into an lxml tree; never trusts its meta charset.

    A plain ``etree.HTMLParser``, not ``lxml.html``'s: its element class lookup runs
    Python code for every element the walk touches, and nothing here needs
    ``HtmlElement`` methods.
    """
    return _parse_bytes(text.encode("utf-8", "replace"))[0]


def _parse_bytes(data: bytes) -> tuple:
    """``(root, too_deep)``: ``too_deep`` when libxml2 stopped at its nesting limit (2,048
    elements even with ``huge_tree``) and silently left the rest of the page out."""
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                              huge_tree=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse HTML: {exc}") from None
    if root is None:  # worded as lxml.html.document_fromstring's ParserError was
        raise InputError("cannot parse HTML: Document is empty")
    last = parser.error_log.last_error  # the limit stops the parser: its error is the last
    return root, last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT


#: Tags whose nesting is flattened, in turn, on a page nested too deep for libxml2: inline
#: formatting first (a thousand unclosed ``<font>`` on an old forum page), removed; then
#: containers, each turned into a ``<br>`` so that their contents still end lines.
_FLATTEN = (
    (re.compile(r"</?(?:font|span|b|i|u|s|em|strong|small|big|strike|tt|sub|sup|nobr|ins|del)\b[^>]*>", re.I), ""),
    (re.compile(r"</?(?:div|center|blockquote|section|article|aside|nav|header|footer|main|form|fieldset|"
                r"table|tbody|thead|tfoot|tr|td|th|ul|ol|dl|dd|dt|li|p|h[1-6])\b[^>]*>", re.I), "<br>"),
)


def parse_flat(text: str) -> tuple:
    """``(root, flattened)``: the tree of ``text``, or for a page nested deeper than
    libxml2 goes, of the page with its nesting tags flattened (``_FLATTEN``) until it
    parses whole. Without this the rest of such a page was dropped without a word;
    the flattened page keeps its text and line breaks, not its DOM context."""
    root, too_deep = _parse_bytes(text.encode("utf-8", "replace"))
    flattened = False
    for rx, repl in _FLATTEN:
        if not too_deep:
            break
        text = rx.sub(repl, text)
        root, too_deep = _parse_bytes(text.encode("utf-8", "replace"))
        flattened = True
    return root, flattened


#: Elements libxml2 reads as raw text up to their end tag: one left open swallows the
#: rest of the page, which then has no text at all (a damaged ``<title>`` is the usual
#: case in crawls; browsers show such a page blank too).
_RAW_TEXT_OPEN = re.compile(r"<(title|textarea|script|style)\b[^>]*>", re.I)
_RAW_TEXT_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("title", "textarea", "script", "style")}
#: Where a missing end tag is put back: a title or textarea holds no markup, so before
#: the next tag (a title also at the end of its line); a script or style before the
#: end of the head or the start of the body.
_RAW_TEXT_END = {"title": re.compile(r"[<\n]"), "textarea": re.compile(r"<"),
                 "script": re.compile(r"</head\b|<body\b", re.I), "style": re.compile(r"</head\b|<body\b", re.I)}
#: Unclosed elements mended per page before giving up.
MAX_RAW_TEXT_MENDS = 3


def close_raw_text(text: str) -> str | None:
    """``text`` with the end tag of its first unclosed title, textarea, script or style
    put back, or None when every one is closed or the place to close it is not found.

    Only read for a page whose parse has no text: mending a page that parses is
    guessing at what its author meant.
    """
    pos = 0
    while (opened := _RAW_TEXT_OPEN.search(text, pos)) is not None:
        name = opened.group(1).lower()
        closed = _RAW_TEXT_CLOSE[name].search(text, opened.end())
        if closed is not None:
            pos = closed.end()
            continue
        end = _RAW_TEXT_END[name].search(text, opened.end())
        if end is None:
            return None
        return f"{text[:end.start()]}</{name}>{text[end.start():]}"
    return None


# compiled once: ``root.xpath(str)`` compiles on every call. (Not ``root.iter``:
# a recovered document can hold a second top-level <html> that only ``//`` reaches.)
_OG_TITLE = etree.XPath('//meta[@property="og:title"]/@content')
_TITLE_TEXT = etree.XPath("//title//text()")


def html_title(root) -> str | None:
    for xpath in (_OG_TITLE, _TITLE_TEXT):
        found = " ".join(xpath(root)).strip()
        if found:
            return _WS.sub(" ", found)
    return None


# what the walk does with an element, decided once per tag name
_INLINE, _LINK, _BR, _IMG, _SKIP = range(5)
_TAG_INFO: dict = {}


def _tag_info(raw) -> tuple[str | None, int]:
    """(the tag if it is a block else None, kind) of a raw ``el.tag``: the lower-case
    local name decides; comments and processing instructions are skipped like
    dropped tags."""
    info = _TAG_INFO.get(raw)
    if info is None:
        name = raw.lower().rpartition("}")[2] if isinstance(raw, str) else ""
        kind = (_SKIP if not name or name in DROP_TAGS else _LINK if name == "a"
                else _BR if name == "br" else _IMG if name == "img" else _INLINE)
        info = (name if name in BLOCK_TAGS else None, kind)
        if len(_TAG_INFO) < 4096:  # junk pages invent tag names without end
            _TAG_INFO[raw] = info
    return info


_STRING = etree.XPath("string()", smart_strings=False)  # what lxml.html's text_content() runs


def _has_text(el) -> bool:
    """Whether ``el`` holds any non-blank text, hidden descendants included: its own
    leading text settles most cases without the XPath."""
    text = el.text
    return bool(text and text.strip()) or bool(_STRING(el).strip())


def _line_context(frames: list, root_state: list) -> tuple:
    """(tag, dom_path, depth, in_list, in_table, attrs) of a line starting under the
    open elements ``frames``.

    The context is a function of the chain of (block tag, class, id) above the
    line, so each link of that chain is made once per page and shared: the fifty
    ``<li>`` of a menu get one state and one context between them. A state is
    [block tags, attr tokens, in_list, in_table, depth, context or None, children];
    ``root_state`` is the one above the first frame, and a frame keeps its state in
    its last slot once it has been asked for.
    """
    i = len(frames)
    while i and frames[i - 1][3] is None:
        i -= 1
    state = frames[i - 1][3] if i else root_state
    for frame in frames[i:]:
        el = frame[2]  # None when it has no attributes at all
        key = (frame[0], None, None) if el is None else (frame[0], el.get("class"), el.get("id"))
        child = state[6].get(key)
        if child is None:
            child = state[6][key] = _child_state(state, *key)
        state = frame[3] = child
    context = state[5]
    if context is None:
        blocks, tokens, in_list, in_table, depth = state[:5]
        context = state[5] = (blocks[-1] if blocks else "body", "/".join(blocks[-DOM_PATH_DEPTH:]), depth,
                              in_list, in_table, tuple(tokens)[-MAX_ATTR_TOKENS:])
    return context


def _root_state() -> list:
    """The state above the walk's first element: its context is ("body", "", 0, …)."""
    return [(), {}, False, False, 0, None, {}]


def _child_state(parent: list, block: str | None, cls: str | None, ident: str | None) -> list:
    """``parent``'s state extended by one element (``block`` is its tag if it is a block)."""
    blocks, tokens, in_list, in_table, depth = parent[:5]
    if block is not None:
        blocks += (block,)
        in_list = in_list or block in LIST_TAGS
        in_table = in_table or block in TABLE_TAGS
    if cls or ident:
        new = _attr_tokens_of(f"{cls or ''} {ident or ''}")
        if new:  # dict keys: de-duplicated, first occurrence first
            tokens = {**tokens, **dict.fromkeys(new)}
    return [blocks, tokens, in_list, in_table, depth + 1, None, {}]


#: ``_emit`` builds lines positionally (keywords cost twice as much over 18 fields);
#: this keeps a reordering of ``Line`` from silently scrambling them.
_LINE_FIELDS = ("text", "n", "tag", "dom_path", "attrs", "depth", "link_chars", "n_links", "in_list", "in_table")
if tuple(f.name for f in dataclasses.fields(Line))[:len(_LINE_FIELDS)] != _LINE_FIELDS:
    raise ImportError(f"model.segment._emit expects Line's fields to start {_LINE_FIELDS}")


def _emit(lines: list[Line], parts: list[str], context: tuple, link_chars: int, n_links: int) -> None:
    """Close a line: whitespace runs become one space (``str.split`` splits on
    exactly what ``\\s`` matches), and a blank one is dropped."""
    text = " ".join("".join(parts).split())
    if text:
        tag, path, depth, in_list, in_table, attrs = context
        lines.append(Line(text, len(lines) + 1, tag, path, attrs, depth, min(link_chars, len(text)), n_links,
                          in_list, in_table))


def segment_html(root) -> list[Line]:
    """Cut an lxml tree into lines.

    Inline text accumulates into the current line, which is flushed at block
    boundaries and ``<br>``; a line takes its DOM context when its first non-blank
    text arrives. One loop over lxml's C-level ``iterwalk`` (so deeply nested junk
    cannot overflow the stack) with the line state in locals: at ~600 elements a
    page, per-element function calls and attribute lookups were most of the time.
    """
    lines: list[Line] = []
    body = root.find("body")
    if body is not None:
        # a stray </body> early in old pages makes libxml2 put the rest of the page
        # beside <body>, where a browser still shows it: move it back inside
        for sibling in list(body.itersiblings()):
            body.append(sibling)
    start = body if body is not None else root
    # dropping invisible subtrees in C (tails kept) spares the Python walk most of its elements
    etree.strip_elements(start, *DROP_TAGS, with_tail=False)
    frames: list[list] = []  # [block tag or None, kind, element if it has attributes, state or None]
    root_state = _root_state()
    parts: list[str] = []
    context = None  # the current line's, once it has non-blank text
    link_chars = n_links = link_depth = 0
    tag_info, hidden_style = _TAG_INFO.get, _HIDDEN_STYLE.search
    # comments and PIs come as one "comment"/"pi" event (without the two they would be
    # skipped, tails and all); the parser drops them, but a caller's tree may have some
    walker = etree.iterwalk(start, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            block, kind = tag_info(el.tag) or _tag_info(el.tag)
            # one el.keys() call: most elements have no attribute that can hide them
            if kind == _SKIP or (keys := el.keys()) and (
                    "hidden" in keys or "type" in keys and el.get("type") == "hidden"
                    or "style" in keys and hidden_style(el.get("style"))):
                walker.skip_subtree()
                next(walker)  # its "end"; only the tail is left to read
            elif kind >= _BR:  # <br> and <img> have nothing inside worth a walk
                walker.skip_subtree()
                next(walker)
                if kind == _BR:
                    if context is not None:
                        _emit(lines, parts, context, link_chars, n_links)
                        context, parts, link_chars = None, [], 0
                    n_links = 0
                elif context is not None:  # alt text only inside a line already started
                    alt = el.get("alt")
                    if alt and alt.strip():
                        alt = f" {alt} "
                        parts.append(alt)
                        if link_depth:
                            link_chars += len("".join(alt.split()))
            else:
                if block:
                    if context is not None:
                        _emit(lines, parts, context, link_chars, n_links)
                        context, parts, link_chars = None, [], 0
                    n_links = 0
                if kind == _LINK:
                    link_depth += 1
                    if context is not None or _has_text(el):
                        n_links += 1
                frames.append([block, kind, el if keys else None, None])
                text = el.text
                if text:
                    if context is None:
                        if text.isspace():
                            continue
                        context = _line_context(frames, root_state)
                    parts.append(text)
                    if link_depth:  # non-space characters: str.split drops what \s matches
                        link_chars += len("".join(text.split()))
                continue
        elif event == "end":
            block, kind, _, _ = frames.pop()
            if kind == _LINK:
                link_depth -= 1
            if block:
                if context is not None:
                    _emit(lines, parts, context, link_chars, n_links)
                    context, parts, link_chars = None, [], 0
                n_links = 0
        # a comment or PI: only its tail, as for a skipped element
        if el is start:
            break
        text = el.tail
        if text:
            if context is None:
                if text.isspace():
                    continue
                context = _line_context(frames, root_state)
            parts.append(text)
            if link_depth:
                link_chars += len("".join(text.split()))
    if context is not None:
        _emit(lines, parts, context, link_chars, n_links)
    return lines


def segment_head(root) -> list[Line]:
    """``segment_html`` of a page whose text all sits in its ``<head>``, read as body.

    libxml2 keeps everything after an unknown tag in the head (``<head><mbox><table>…``
    with no ``<body>``) where a browser starts the body at that tag and shows it; a
    page with text nowhere else is read that way. The title is left out: it is the
    page's title, not a line of it.
    """
    for head in root.iter("head"):
        head.tag = "div"
    etree.strip_elements(root, "title", with_tail=False)
    return segment_html(root)


#: Line ends of a text dump: "\n", "\r\n" and a lone "\r" (old Mac files), the ones
#: editors and ``wc -l`` agree on. Not ``str.splitlines``, which also cuts at form
#: feeds, U+2028 and a few control characters, so that ``n`` stopped being the line
#: number the user sees; such characters are whitespace inside a line here.
_LINE_END = re.compile(r"\r\n?|\n")


def segment_text(text: str) -> list[Line]:
    """One line per non-empty input line; ``n`` is the 1-based input line number."""
    lines = []
    for number, raw in enumerate(_LINE_END.split(text), start=1):
        stripped = " ".join(raw.split())  # = _WS.sub(" ", raw).strip(), faster
        if stripped:
            lines.append(Line(text=stripped, n=number))
    return lines


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LATIN = re.compile(r"[A-Za-z]")
_TERMINAL = re.compile(r"[。！？.!?]$")


#: Code-point ranges (inclusive) ``guess_lang`` counts: CJK ideographs, kana, ASCII letters.
_CJK_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF))
_KANA_RANGES = ((0x3040, 0x30FF),)
_LATIN_RANGES = ((0x41, 0x5A), (0x61, 0x7A))
#: Characters of text ``guess_lang`` looks at.
LANG_SAMPLE_CHARS = 20000


def _count(codes: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> int:
    """Code points of ``codes`` inside any of ``ranges``: numpy compares 20,000
    code points in microseconds, where regex runs made thousands of strings per page."""
    inside = np.zeros(codes.shape, dtype=bool)
    for low, high in ranges:
        inside |= (codes >= low) & (codes <= high)
    return int(np.count_nonzero(inside))


def guess_lang(lines: list[Line]) -> str:
    """A cheap script-based language guess: enough to pick tokenizers and metrics."""
    texts, size = [], 0
    for line in lines:  # a long page need not be joined in full
        texts.append(line.text)
        size += len(line.text)
        if size >= LANG_SAMPLE_CHARS:
            break
    sample = "".join(texts)[:LANG_SAMPLE_CHARS]
    codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk, kana, latin = _count(codes, _CJK_RANGES), _count(codes, _KANA_RANGES), _count(codes, _LATIN_RANGES)
    if kana > 50 and kana > cjk * 0.1:
        return "ja"
    if cjk > 0.2 * (latin / 5 + cjk) and (cjk > 20 or (cjk >= 2 and not latin)):
        return "zh"  # a short page is Chinese when it has Han characters and no Latin letter at all
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


def _html_lines(page: Page) -> tuple[list[Line], str | None]:
    """Lines and title of an HTML page, mended where the parse has no text or stops short
    (``page.metadata["mended"]`` then says how, so that training can leave such pages out)."""
    raw = page.raw
    for mends in range(1 + MAX_RAW_TEXT_MENDS):
        try:
            root, flattened = parse_flat(raw)
        except InputError as exc:
            raise InputError(f"{page.id}: {exc}") from None
        if flattened:
            page.metadata["mended"] = "too_deep"
        title = html_title(root)  # before segment_html strips <head>
        lines = segment_html(root)
        if lines or (mended := close_raw_text(raw)) is None:
            break
        raw = mended
    if mends and lines:
        page.metadata["mended"] = "unclosed_raw_text"
    if not lines:
        lines = segment_head(parse_html(raw))
        if lines:
            page.metadata["mended"] = "text_in_head"
    return lines, title


def segment(page: Page) -> Page:
    """Fill ``page.lines``, ``page.title`` and ``page.lang`` from ``page.raw``.

    An HTML page nested too deep for libxml2 is flattened (``parse_flat``), and one
    whose parse has no text is mended before it is given up (``close_raw_text``,
    then ``segment_head``).
    """
    if page.source == "html":
        page.lines, title = _html_lines(page)
        page.title = page.title or title
    else:
        page.lines = segment_text(page.raw)
        page.title = page.title or guess_text_title(page.lines)
    if not page.lines:
        raise EmptyPageError(f"{page.id}: no text found on the page")
    page.lang = page.lang or guess_lang(page.lines)
    return page
