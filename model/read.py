"""Read step: bytes from disk (or a record) -> a decoded ``Page``.

Crawled pages lie about their encoding. The order here is chosen so the
common lies come out right: a BOM wins; bytes that are valid UTF-8 are UTF-8
whatever the page declares (GBK text is almost never valid UTF-8, so this
rescues "UTF-8 declared as GBK"); then the HTTP header, then ``<meta>``; then a
short list of likely encodings, keeping the one that decodes with fewest errors.
GBK and GB2312 are always read as their superset GB18030.
"""
from __future__ import annotations

import codecs
import glob
import gzip
import io
import itertools
import json
import os
import re
import stat
import sys
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from model.errors import EmptyPageError, InputError, LinesiftError
from model.records import Page

#: Pages larger than this are refused with an error record (a 50 MB "page" is a
#: dump or an attack, never an article). Override with ``max_bytes``
#: (``--max-page-mb`` on the command line).
MAX_PAGE_BYTES_DEFAULT = 20 * 1024 * 1024

#: Half a UTF-16 surrogate pair: JSON can spell one ("\ud800"), UTF-8 cannot encode it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_size(text: str, max_bytes: int) -> int:
    """The text's UTF-8 size, or a lower bound of it when even 4 bytes a character stays in the limit."""
    return len(text.encode("utf-8", "surrogatepass")) if len(text) * 4 > max_bytes else len(text)


def _over_limit(size: int, max_bytes: int) -> str:
    """In the unit of ``--max-page-mb`` (2**20 bytes), so the limit reads as given."""
    return f"page is {size / 2**20:.3g} MB, over the {max_bytes / 2**20:g} MB limit"


#: Share of U+FFFD replacements tolerated before a decode counts as failed.
MAX_REPLACEMENT_RATIO = 0.01

_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "cp936": "gb18030", "gb18030": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
    "us-ascii": "cp1252", "windows-1252": "cp1252",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "euc-kr": "cp949", "utf8": "utf-8", "unicode": "utf-8",
}
_FALLBACKS = ("gb18030", "big5hkscs", "cp932", "cp1252")
_SINGLE_BYTE = {"cp1252"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|link|script|style|title|\?xml)\b",
                         re.I | re.S)
#: What makes a ``.txt`` file an HTML document: a doctype or ``<html>`` opening one of its first
#: lines; a dump may well start with "<title>" or "<script>" it only talks about.
_DUMP_DOCUMENT = re.compile(r"^[ \t]*(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.M)
#: The tags of a whole document opening a line, wherever it comes (after a long script or a
#: crawler's wrapper); prose that names them ("the <head> holds the title") has them mid-line.
_HTML_DOCUMENT = re.compile(r"^[ \t]*<(!doctype\s+html|html|head|body)\b[^<>]*>", re.I | re.M)
#: A whole tag of a common element ("<div class=x>", "<br/>"); "<a<1" in a formula is none.
_HTML_TAG = re.compile(r"<(html|head|body|div|p|span|a|table|tr|td|li|ul|meta|title|script|style|link|br|img|"
                       r"h[1-6]|font|b|strong|em|i)(\s[^<>]*)?/?>", re.I)
_HTML_CLOSING = re.compile(r"</(div|p|span|a|table|tr|td|li|ul|title|script|style|h[1-6]|font|b|strong|em|i)\s*>",
                           re.I)


def normalize_charset(name: str | None) -> str | None:
    """Map a declared charset to the codec we actually use, or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


_WRAPPER_ENCODING = re.compile(rb"""^\s*<(?:\?xml|text)\b[^>]{0,2000}?\bencoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""", re.I)


def _sniff_wrapper_encoding(data: bytes) -> str | None:
    """``encoding=`` of an XML declaration or a CleanEval ``<text …>`` wrapper."""
    match = _WRAPPER_ENCODING.match(data[:4096])
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


#: Every byte that is not a control character (tab, newlines, form feed and CR are text).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))


#: Share of NUL bytes in the first 8 kB above which a page is binary; below it they are
#: stray bytes (a corrupt capture, a NUL padding a template) in a text page, which
#: decode and parse to U+FFFD like the NULs after the first 8 kB always did.
MAX_NUL_SHARE = 0.01


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.count(0) > len(head) * MAX_NUL_SHARE:
        return True
    # deleting the other bytes counts the controls in C: a Python loop over 8 kB
    # cost about 0.7 ms a page, a few per cent of the whole clean step
    controls = len(head.translate(None, _NOT_CONTROL))
    return controls > len(head) * 0.05


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def _cjk_share(text: str) -> float:
    """Share of non-ASCII characters that are CJK *and* sit in runs of two or more.

    Chinese text has runs of Han characters; a Windows-1252 page misread as
    GBK gives isolated "characters" (one per curly quote plus the next letter),
    so counting only characters next to another Han character tells them apart.
    """
    non_ascii = sum(1 for c in text if ord(c) > 127)
    if not non_ascii:
        return 0.0
    in_runs = sum(1 for i, c in enumerate(text) if _is_cjk(c) and (
        (i > 0 and _is_cjk(text[i - 1])) or (i + 1 < len(text) and _is_cjk(text[i + 1]))))
    return in_runs / non_ascii


_EAST_ASIAN = frozenset({"gb18030", "big5hkscs", "cp932"})
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_KANA = re.compile("[\u3040-\u30ff]")


def _reads_east_asian(text: str, enc: str) -> bool:
    """Whether an undeclared page decoded as ``enc`` reads as Chinese (or Japanese, for cp932).

    A Western single-byte page decodes as GB18030, Big5 or Shift-JIS without an
    error whenever its few high bytes pair up, but into Han characters glued to
    Latin letters, mostly rare ones ("Teacher抯", "I𠍿", "informa玢o"). Each
    non-ASCII character scores what it says for the East Asian reading: a Han
    character next to another, the encoding's own punctuation and symbols ("：",
    "’", "—", "㎡") and a lone everyday character ("5999元") count fully, a lone
    rarer one ("鑫", "喆") 0.6, a character only a four-byte GB18030 code gives
    ("©") fully (a Western page never has those bytes in that order); a lone
    character glued to a Latin letter counts a third of that. The reading holds
    at 0.6. Japanese must have kana (half-width ones only in runs: a German "ß" is
    one too): a curly quote lands on an everyday kanji in Shift-JIS. Read over the
    whole page (its first 2,000 non-ASCII runs, about 20,000 characters): the odd
    characters of a Western page may all come after a long ASCII head.
    """
    matches, wide = [], 0
    for m in itertools.islice(_NON_ASCII_RUN.finditer(text), 2000):
        matches.append(m)
        wide += len(m.group())
        if wide >= 20000:  # enough to judge; a long Chinese page is one loop of its first part
            break
    if not wide:
        return True
    runs = [m.group() for m in matches]
    if enc == "cp932" and _kana_count(runs) < 0.1 * wide and any(_is_cjk(c) for run in runs for c in run):
        return False  # kanji without kana: no Japanese text
    weight = _char_weight(enc)
    score, wide = 0.0, min(wide, 20000)
    budget = wide
    for m in matches:
        run, start = m.group(), m.start()
        for k, c in enumerate(run[:budget]):
            if _is_cjk(c) and ((k and _is_cjk(run[k - 1])) or (k + 1 < len(run) and _is_cjk(run[k + 1]))):
                score += 1.0
                continue
            if _is_half_kana(c) and len(set(run)) > 1 and (
                    (k and _is_half_kana(run[k - 1])) or (k + 1 < len(run) and _is_half_kana(run[k + 1]))):
                score += 1.0  # "ﾄｯﾌﾟ"; "§§§§§" in Windows-1252 is "ｧｧｧｧｧ" in Shift-JIS
                continue
            w = weight(c)
            if _is_cjk(c) and len(run) == 1:
                before, after = text[start - 1:start], text[start + 1:start + 2]
                if before.isascii() and before.isalpha() or after.isascii() and after.isalpha():
                    w /= 3
            score += w
        budget -= min(len(run), budget)
        if not budget:
            break
    return score >= 0.6 * wide


_HALF_KANA_RUN = re.compile("[\uff66-\uff9f]{2,}")


def _is_half_kana(c: str) -> bool:
    return "\uff66" <= c <= "\uff9f"


def _kana_count(runs: list[str]) -> int:
    return sum(len(_KANA.findall(run)) + sum(map(len, _HALF_KANA_RUN.findall(run))) for run in runs)


#: Per encoding: the codec of its core set and its extension, the lead bytes of its everyday
#: Han characters (GB2312 level 1, Big5's frequent block, JIS X 0208 level 1) and of its symbols.
_CORE = {"gb18030": ("gb2312", "gbk", (0xB0, 0xD7), (0xA1, 0xA9)),
         "big5hkscs": ("big5", "big5", (0xA4, 0xC6), (0xA1, 0xA3)),
         "cp932": ("shift_jis", "cp932", (0x88, 0x98), (0x81, 0x84))}
_RARER_HAN = 0.6


def _char_weight(enc: str):
    core, extended, (han_low, han_high), (sym_low, sym_high) = _CORE[enc]

    def weight(c: str) -> float:
        if "\u3040" <= c <= "\u30ff":
            return 1.0  # kana (half-width ones count only in runs: see _reads_east_asian)
        try:
            lead = c.encode(core)[0]
        except UnicodeEncodeError:
            try:
                code = c.encode(extended)
            except UnicodeEncodeError:
                code = b""
            if code == b"\x81\x40":
                return 0.0  # "丂", the rarest GBK code, is Shift-JIS's ideographic space
            if code:
                return 1.0 if sym_low <= code[0] <= sym_high else (_RARER_HAN if _is_cjk(c) else 0.0)
            if enc == "gb18030" and len(c.encode("gb18030", "ignore")) == 4:
                return 1.0  # "©", "®": only GB18030's four-byte codes give these
            return 0.0  # private use, or nothing the encoding's text would hold
        if sym_low <= lead <= sym_high:
            return 1.0
        if _is_cjk(c):
            return 1.0 if han_low <= lead <= han_high else _RARER_HAN
        return 0.0
    return weight


def _as_japanese(data: bytes) -> str | None:
    """The undeclared page as Shift-JIS when that reads as Japanese, else None.

    Shift-JIS decodes as GB18030 too, into runs of Han characters ("東京都は" ->
    "搶嫗搒偼"); read as Shift-JIS it has kana, which Chinese read as Shift-JIS
    has not (its lead bytes fall on half-width katakana instead).
    """
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return None
    runs = _NON_ASCII_RUN.findall(text)[:2000]
    wide = sum(map(len, runs))
    kana = sum(len(_KANA.findall(run)) for run in runs)  # full-width only: GBK reads as half-width kana
    return text if wide and kana >= 0.1 * wide else None


def _gb2312_share(text: str) -> float:
    """Share of Han characters inside GB2312: near 1 for real simplified Chinese, low
    for Big5 bytes misread as GB18030 (their trail bytes land in rare GBK extensions)."""
    han = [c for c in text[:20000] if _is_cjk(c)]
    if not han:
        return 1.0
    ok = 0
    for c in han:
        try:
            c.encode("gb2312")
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(han)


#: The two Chinese multibyte charsets, which decode much of each other's bytes without error.
_GB_BIG5 = {"gb18030": "big5hkscs", "big5hkscs": "gb18030"}
#: Odd share above which a Chinese page's decode is checked against the other charset.
MAX_ODD_SHARE = 0.02
_ODD = re.compile("[\u3040-\u312f\ue000-\uf8ff]")


def _odd_share(text: str) -> float:
    """Share of the non-ASCII characters (first 20,000) that are kana, bopomofo or private-use:
    rare in Chinese text, frequent when GBK bytes are read as Big5 or the other way round."""
    sample = text[:20000]
    wide = len(sample) - len(sample.encode("ascii", "ignore"))
    return len(_ODD.findall(sample)) / wide if wide else 0.0


def _gb_big5_checked(data: bytes, text: str, enc: str) -> tuple[str, str]:
    """``(text, enc)``, or the other Chinese charset's decode when the page declares GBK but is
    Big5 (or the reverse): the declared one decodes without error into kana and private-use
    characters, the other decodes cleanly into far fewer."""
    other = _GB_BIG5.get(enc)
    if other is None:
        return text, enc
    odd = _odd_share(text)
    if odd <= MAX_ODD_SHARE:
        return text, enc
    try:
        alternative = data.decode(other)
    except UnicodeDecodeError:
        return text, enc
    return (alternative, other) if _odd_share(alternative) < odd / 5 else (text, enc)


def decode_bytes(data: bytes, declared: str | None = None, *, name: str = "<bytes>") -> tuple[str, str]:
    """Decode page bytes, returning ``(text, encoding)``.

    Parameters
    ----------
    data : bytes
        The raw page.
    declared : str, optional
        Charset from the HTTP ``Content-Type`` header, if known; it outranks
        ``<meta>`` but not valid UTF-8.
    name : str
        Used in error messages only.

    Raises
    ------
    InputError
        Empty, binary, or undecodable input.
    """
    if not data or not data.strip():
        raise EmptyPageError(f"{name}: empty page")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not a web page or text dump")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared_list: list[str] = []
    for enc in (normalize_charset(declared), sniff_meta_charset(data), _sniff_wrapper_encoding(data)):
        if enc and enc not in declared_list:
            declared_list.append(enc)
    # A page declared as Latin-1 is often GBK in disguise: Latin-1 never fails,
    # so let GB18030 try first and keep it only when it yields Chinese.
    if declared_list and declared_list[0] in _SINGLE_BYTE:
        try:
            text = data.decode("gb18030")
            if _cjk_share(text) > 0.6:
                return text, "gb18030"
        except UnicodeDecodeError:
            pass
    # A declared charset that decodes with a few bad bytes (truncated or
    # corrupt characters, common in old GBK pages) beats a fallback that
    # happens to decode strictly: Latin-1 decodes anything, as mojibake.
    best: tuple[float, str, str] | None = None
    for enc in declared_list:
        try:
            return _gb_big5_checked(data, data.decode(enc), enc)
        except UnicodeDecodeError:
            text = data.decode(enc, errors="replace")
            ratio = text.count("\ufffd") / max(1, len(text))
            if ratio <= MAX_REPLACEMENT_RATIO:
                return text, enc
            if best is None or ratio < best[0]:
                best = (ratio, text, enc)
    for enc in ("utf-8", *_FALLBACKS):
        if enc in declared_list:
            continue
        try:
            text = data.decode(enc)
            if enc in _EAST_ASIAN and not _reads_east_asian(text, enc):
                continue  # e.g. cp1252 curly quotes: "’s" decodes as GB18030 too, into a rare Han character
            if enc in ("gb18030", "big5hkscs") and (japanese := _as_japanese(data)) is not None:
                return japanese, "cp932"
            if enc == "gb18030" and _gb2312_share(text) < 0.8:
                try:
                    big5 = data.decode("big5hkscs")
                    if _reads_east_asian(big5, "big5hkscs"):
                        return big5, "big5hkscs"
                except UnicodeDecodeError:
                    pass
            return text, enc
        except UnicodeDecodeError:
            text = data.decode(enc, errors="replace")
            ratio = text.count("\ufffd") / max(1, len(text))
            if best is None or ratio < best[0]:
                best = (ratio, text, enc)
    if best is not None and best[0] <= MAX_REPLACEMENT_RATIO:
        return best[1], best[2]
    raise InputError(f"{name}: cannot decode the bytes in any likely encoding")


#: A fragment that opens with an element and closes it ("<p>…</p>", "<article …>…</article>").
_FRAGMENT_START = re.compile(r"^\s*<(p|div|article|section|main|body|table|ul|ol|h[1-6]|blockquote)\b[^<>]*>", re.I)


def detect_format(text: str, *, dump: bool = False) -> str:
    """``"html"`` when the text is markup, else ``"text"`` (a one-block-per-line dump).

    With ``dump`` (a ``.txt`` file) only a doctype or ``<html>`` opening one of its
    first lines makes it markup: a dump about HTML may hold tags, closed ones too,
    on every line, and start with one.

    A whole document announces itself, at its start or within its first 64 KB
    (after a long script, or a crawler's own wrapper); a fragment counts when it
    opens with a block element it also closes (a stored ``"<p>…</p>"``), or has
    three whole tags and a closing one. A text dump that mentions tags ("wrap it
    in a <div>", a stray "<br>" a crawler kept, "0<a<1") does not close them, and
    read as HTML it would lose those lines' breaks and the bracketed words.
    """
    head = text[:4096]
    if dump:  # a doctype or <html> opening one of the first lines (after a PHP warning, say)
        return "html" if _DUMP_DOCUMENT.search(text, 0, 1024) else "text"
    if _HTML_START.match(head):
        return "html"
    if _HTML_DOCUMENT.search(text, 0, 65536):
        return "html"
    fragment = _FRAGMENT_START.match(head)
    if fragment and re.search(rf"</{fragment.group(1)}\s*>", text, re.I):
        return "html"
    return "html" if len(_HTML_TAG.findall(head)) >= 3 and _HTML_CLOSING.search(head) else "text"


def page_from_bytes(
    data: bytes,
    *,
    id: str,
    url: str | None = None,
    input_format: str = "auto",
    declared_charset: str | None = None,
    max_bytes: int = MAX_PAGE_BYTES_DEFAULT,
) -> Page:
    """Decode one page; raise ``InputError`` naming ``id`` when it cannot be read."""
    if len(data) > max_bytes:
        raise InputError(
            f"{id}: {_over_limit(len(data), max_bytes)}"
        )
    text, encoding = decode_bytes(data, declared_charset, name=id)
    return page_from_text(text, id=id, url=url, input_format=input_format, encoding=encoding)


def page_from_text(text: str, *, id: str, url: str | None = None, input_format: str = "auto",
                   encoding: str | None = None, max_bytes: int | None = None) -> Page:
    """A page from decoded text; ``max_bytes`` limits its UTF-8 size as ``page_from_bytes`` limits bytes."""
    if max_bytes is not None and (size := utf8_size(text, max_bytes)) > max_bytes:
        raise InputError(f"{id}: {_over_limit(size, max_bytes)}")
    if input_format not in ("auto", "html", "text"):
        raise InputError(f"{id}: unknown input format {input_format!r}; expected auto, html or text")
    if not text.strip():
        raise EmptyPageError(f"{id}: empty page")
    source = detect_format(text, dump=id.lower().endswith(".txt")) if input_format == "auto" else input_format
    meta = {"encoding": encoding} if encoding else {}
    return Page(id=id, raw=text, source=source, url=url, metadata=meta)


def read_file(path: str | Path, *, input_format: str = "auto",
              max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Page:
    """Read one page file from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: {_over_limit(size, max_bytes)}")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return page_from_bytes(data, id=str(path), input_format=input_format, max_bytes=max_bytes)


# --- record readers: files, folders, globs, stdin, JSON Lines, WARC, ARC ------------------------
#
# A batch run reads *containers*: a page file holds one page, a JSON Lines or
# WARC/ARC file holds many. Every reader below is a generator of ``Page``; a
# record that cannot be read becomes a page with ``error`` set (see
# ``error_page``) so the run goes on, and records that are not pages at all
# (WARC requests, images, HTTP 404s) are counted in ``skipped`` and dropped.

#: Suffixes (after stripping a compression suffix) that mark a container.
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jl")
WARC_SUFFIXES = (".warc",)
ARC_SUFFIXES = (".arc",)
COMPRESSION_SUFFIXES = (".gz", ".zst", ".zstd")
#: Content types a WARC/ARC response must have to count as a page ("" = no header, sniffed).
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, kw_only=True)
class RecordFields:
    """Field names of a JSON Lines record (``--html-field`` … on the command line).

    A record needs ``html`` or ``text``; ``html`` wins when both are present.
    ``id`` defaults to ``<file>:<line number>`` and ``url`` to null.
    """

    html: str = "html"
    text: str = "text"
    id: str = "id"
    url: str = "url"


def input_kind(name: str) -> str:
    """``"jsonl"``, ``"warc"``, ``"arc"`` or ``"page"`` (one page per file), from the file name."""
    lower = name.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(WARC_SUFFIXES):
        return "warc"
    if lower.endswith(ARC_SUFFIXES):
        return "arc"
    return "page"


def _files_under(folder: Path) -> list[Path]:
    """The files under ``folder``, in sorted path order, hidden ones (any part starting
    with ".") left out. Symlinked folders are followed (a crawl laid out with links is
    common), each real folder once, so a link loop ends."""
    seen = {os.path.realpath(folder)}
    files = []
    for top, dirs, names in os.walk(folder, followlinks=True):
        keep = []
        for d in dirs:
            real = os.path.realpath(os.path.join(top, d))
            if not d.startswith(".") and real not in seen:
                seen.add(real)
                keep.append(d)
        dirs[:] = keep
        files.extend(Path(top, n) for n in names if not n.startswith(".") and os.path.isfile(os.path.join(top, n)))
    return sorted(files)


def is_stream(name: str) -> bool:
    """``-``, or a name for a pipe or device (``/dev/stdin``, ``/dev/fd/3``, ``<(zcat …)``):
    an input that can be read once only, and holds other data on every run."""
    if name == "-" or name.startswith(("/dev/", "/proc/")):
        return True  # /dev/stdin may be a file redirected in: still another one on every run
    try:
        mode = os.stat(name).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _written_by_the_run(key: str, out: str) -> bool:
    """Whether the real path ``key`` is the run's output ``out`` or a file linesift keeps there:
    a ``-o FILE``'s ``.tmp-``/``.partial`` siblings; in an output folder (one that holds
    ``_config.json``) its ``_``-files, the shard files directly in it, a ``--format files``
    shard folder (it has a done marker) or a temporary one. Crawl files a user keeps in
    subfolders of the output folder stay inputs."""
    if key == out or key.startswith((out + ".tmp-", out + ".partial")):
        return True
    if not key.startswith(out + os.sep) or not os.path.exists(os.path.join(out, "_config.json")):
        return False
    top, _, rest = key[len(out) + 1:].partition(os.sep)
    return (top.startswith("_") or not rest or ".tmp-" in top
            or os.path.exists(os.path.join(out, "_done", f"{top}.json")))


def expand_inputs(inputs: Iterable[str], *, input_list: str | Path | None = None,
                  exclude: str | Path | None = None) -> list[str]:
    """Input names in a stable order: files as given, folders recursively, globs expanded.

    Folders are walked in sorted order and hidden files (any path part starting
    with ``.``) are skipped; ``-`` stands for stdin. ``input_list`` names a file
    with one input per line (``#`` comments and blank lines ignored). A file named
    twice, however spelled (``a/x.jsonl``, ``./a/x.jsonl``, a symlink), comes once.
    ``exclude`` is the run's output (a folder, or a file and its ``.tmp-``/``.partial``
    siblings): an output inside an input folder must not be read back as input.

    Raises
    ------
    InputError
        An input that names nothing: a missing file or a glob that matches nothing.
    """
    items = list(inputs)
    if input_list is not None:
        try:
            listed = Path(input_list).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"{input_list}: {exc.strerror or exc}") from None
        items.extend(s.strip() for s in listed if s.strip() and not s.lstrip().startswith("#"))
    out: list[str] = []
    seen: set[str] = set()
    skip = os.path.realpath(exclude) if exclude is not None else None

    def add(name: str) -> None:
        key = name if name == "-" else os.path.realpath(name)
        if skip is not None and _written_by_the_run(key, skip):
            return
        if key not in seen:
            seen.add(key)
            out.append(name)

    for item in items:
        if item == "-":
            add(item)
            continue
        if not item.strip():  # Path("") is the current folder: never what an empty $VAR meant
            raise InputError("an empty input name (an unset variable?); use . for the current folder")
        if _GLOB_CHARS & set(item) and not Path(item).exists():
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputError(f"{item}: the pattern matches no file")
        else:
            matches = [item]
        for match in matches:
            path = Path(match)
            if path.is_dir():
                for child in _files_under(path):
                    add(str(child))
            elif path.exists():
                add(match)
            else:
                raise InputError(f"{match}: no such file or folder")
    return out


def error_page(page_id: str, exc: BaseException | str, *, kind: str, url: str | None = None,
               where: str | None = None) -> Page:
    """A page that failed: ``error`` holds a message naming the page, ``metadata['error_kind']`` the stage.

    Kinds: ``read``, ``empty``, ``decode``, ``too_large``, ``segment``, ``classify``, ``timeout``.
    ``where`` is the page's place in its input ("crawl.jsonl:812", "record 7 of a.warc.gz")
    when its id alone does not say it: ids repeat, and a WARC record id names no file.
    """
    if isinstance(exc, str):
        message = exc
    elif isinstance(exc, LinesiftError):
        message = str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
    if message.startswith(f"{page_id}: "):
        message = message[len(page_id) + 2:]
    named = f"{page_id} ({where})" if where and where != page_id and where not in message else page_id
    if not message.startswith(named):
        message = f"{named}: {message}"
    page = Page(id=page_id, url=url, error=message)
    page.metadata["error_kind"] = kind
    if where:
        page.metadata["where"] = where
    return page


def _kind_of(exc: InputError) -> str:
    return "empty" if isinstance(exc, EmptyPageError) else "decode"


def _too_large(page_id: str, size: int, max_bytes: int, url: str | None = None, where: str | None = None) -> Page:
    return error_page(page_id, _over_limit(size, max_bytes), kind="too_large", url=url, where=where)


def decode_page(data: bytes, *, id: str, url: str | None = None, input_format: str = "auto",
                declared_charset: str | None = None, max_bytes: int = MAX_PAGE_BYTES_DEFAULT,
                where: str | None = None) -> Page:
    """``page_from_bytes`` that never raises: failures become error pages
    (kind ``too_large``, ``empty`` or ``decode``); ``where`` as in ``error_page``."""
    if len(data) > max_bytes:
        return _too_large(id, len(data), max_bytes, url, where)
    try:
        page = page_from_bytes(data, id=id, url=url, input_format=input_format,
                               declared_charset=declared_charset, max_bytes=max_bytes)
    except InputError as exc:
        return error_page(id, exc, kind=_kind_of(exc), url=url, where=where)
    if where:
        page.metadata["where"] = where  # for errors of the later stages (batch._failed)
    return page


def open_maybe_compressed(path: str | Path) -> BinaryIO:
    """A binary stream of the file's content, gunzipped or un-zstd'ed by its magic bytes."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned wrapper
    return _decompressed(raw)


def _decompressed(raw) -> BinaryIO:
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    magic = buffered.peek(4)[:4]
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    if magic == b"\x28\xb5\x2f\xfd":
        return io.BufferedReader(_ZstdFrames(buffered))
    return buffered


class _ZstdFrames(io.RawIOBase):
    """A zstd file's frames, decompressed, that raises EOFError where the file ends mid-frame.

    zstandard's own ``stream_reader`` just stops at a cut, so a truncated file
    would pass for a short one and its lost records would go unreported (gzip
    raises in the same place).
    """

    def __init__(self, raw) -> None:
        import zstandard

        self.raw, self.zstd = raw, zstandard
        self.frame = zstandard.ZstdDecompressor().decompressobj()
        self.pending, self.at = b"", 0
        self.in_frame = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.at >= len(self.pending):
            self.pending, self.at = b"", 0
            data = self.raw.read(1 << 13)  # small pieces: a piece of zeros may decompress 1000-fold
            if not data:
                if self.in_frame:
                    raise EOFError("the zstd stream ends before its last frame does (truncated file?)")
                return 0
            while data:
                self.in_frame = True
                try:
                    self.pending += self.frame.decompress(data)
                except self.zstd.ZstdError as exc:  # the readers' handlers expect I/O errors
                    raise OSError(f"corrupt zstd data: {exc}") from None
                if not self.frame.eof:
                    break
                data, self.in_frame = self.frame.unused_data, False  # the next frame starts here
                self.frame = self.zstd.ZstdDecompressor().decompressobj()
        n = min(len(buffer), len(self.pending) - self.at)
        buffer[:n] = self.pending[self.at:self.at + n]
        self.at += n
        return n

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
        super().close()


def iter_page_file(name: str, *, input_format: str = "auto", max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Iterator[Page]:
    """The one page in a file (stdin goes through ``iter_stdin``, which sniffs what it holds)."""
    try:
        size = os.stat(name).st_size
        if size > max_bytes:
            yield _too_large(name, size, max_bytes)
            return
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        yield error_page(name, f"{name}: {exc.strerror or exc}", kind="read")
        return
    page = decode_page(data, id=name, input_format=input_format, max_bytes=max_bytes)
    page.metadata["from_file"] = True  # the folder stands in for the site (see model.templates)
    yield page


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """The stream's lines, except that a line longer than ``limit`` bytes is given as its
    length, read through in pieces: one giant line (a file with no newlines) never sits
    in memory whole."""
    while raw := stream.readline(limit):
        if len(raw) < limit or raw.endswith(b"\n"):
            yield raw
            continue
        size = len(raw)
        while (piece := stream.readline(1 << 20)) and not piece.endswith(b"\n"):
            size += len(piece)
        yield size + len(piece)


def iter_jsonl(name: str, stream: BinaryIO | None = None, *, fields: RecordFields = RecordFields(),
               input_format: str = "auto", max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Iterator[Page]:
    """Pages from a JSON Lines file (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``), one per record.

    Streams line by line. A line that is not a JSON object, or has neither the
    html nor the text field, becomes an error page (kind ``read``) with id
    ``<file>:<line number>``; blank lines are skipped.
    """
    own = stream is None
    try:
        stream = open_maybe_compressed(name) if own else stream
    except OSError as exc:
        yield error_page(name, f"{name}: {exc.strerror or exc}", kind="read")
        return
    try:
        for number, raw in enumerate(_bounded_lines(stream, 4 * max_bytes + 1), start=1):
            fallback_id = f"{name}:{number}"
            if isinstance(raw, int):  # too big even to look for its id: skipped unread, its size counted
                yield _too_large(fallback_id, raw, max_bytes)
                continue
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                yield error_page(fallback_id, f"{fallback_id}: not a JSON record ({exc})", kind="read")
                continue
            if not isinstance(record, dict):
                yield error_page(fallback_id, f"{fallback_id}: not a JSON object", kind="read")
                continue
            raw_id = record.get(fields.id)  # 0 and false are ids too; a number or object is written as JSON
            page_id = (fallback_id if raw_id is None or raw_id == "" else
                       raw_id if isinstance(raw_id, str) else json.dumps(raw_id, ensure_ascii=False))
            url = record.get(fields.url)
            url = str(url) if url is not None else None
            html, text = record.get(fields.html), record.get(fields.text)
            if b"\\ud" in raw or b"\\uD" in raw:  # a "\ud800" escape can leave half a surrogate pair
                page_id, url, html, text = (_LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v
                                            for v in (page_id, url, html, text))
            content, source = (html, "html") if isinstance(html, str) and html.strip() else (text, "text")
            if not isinstance(content, str) or not content.strip():
                where = fallback_id if page_id == fallback_id else f"{page_id} ({fallback_id})"
                if isinstance(html, str) or isinstance(text, str):  # the field is there, the page is blank
                    yield error_page(page_id, f"{where}: empty page", kind="empty", url=url)
                    continue
                yield error_page(page_id, f"{where}: record has no {fields.html!r} or {fields.text!r} text "
                                          f"(keys: {', '.join(sorted(record)[:10])})", kind="read", url=url)
                continue
            size = utf8_size(content, max_bytes)
            if size > max_bytes:
                yield _too_large(page_id, size, max_bytes, url, fallback_id)
                continue
            fmt = input_format if input_format != "auto" else source
            try:
                page = page_from_text(content, id=page_id, url=url, input_format=fmt)
            except InputError as exc:
                yield error_page(page_id, exc, kind=_kind_of(exc), url=url, where=fallback_id)
                continue
            if page_id != fallback_id:
                page.metadata["where"] = fallback_id
            yield page
    except (OSError, EOFError, ValueError) as exc:  # truncated .gz, corrupt .zst, I/O error mid-file
        yield error_page(name, f"{name}: cannot read further ({type(exc).__name__}: {exc})", kind="read")
    finally:
        if own:
            stream.close()


def iter_warc(name: str, stream: BinaryIO | None = None, *, input_format: str = "auto",
              max_bytes: int = MAX_PAGE_BYTES_DEFAULT, skipped: Counter | None = None) -> Iterator[Page]:
    """Pages from the HTTP ``response`` records of a WARC file (plain, per-record or whole-file gzip).

    Uses fastwarc. The page id is the WARC-Record-ID and the url the
    WARC-Target-URI; the charset of the HTTP Content-Type header is tried
    before ``<meta>``. Records that are not pages are counted in ``skipped``
    under ``warc_non_response``, ``non_http`` (dns: and other non-HTTP responses),
    ``http_<status>`` or ``non_html`` and dropped; a response whose HTTP header cannot
    be read is an error record (``read``), as it may be a page.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    skipped = skipped if skipped is not None else Counter()
    own = stream is None
    try:
        source = open(name, "rb") if own else stream  # noqa: SIM115
    except OSError as exc:
        yield error_page(name, f"{name}: {exc.strerror or exc}", kind="read")
        return
    count, last_pos = 0, None
    try:
        records = ArchiveIterator(source, record_types=WarcRecordType.any_type, parse_http=False,
                                  auto_decode="none")
        for record in records:
            count += 1
            last_pos = record.stream_pos
            url = record.headers.get("WARC-Target-URI")
            page_id = record.record_id or f"{name}#{count}"
            cut = (f"{page_id}: record {count} of {name} is cut off inside its headers (truncated file?)"
                   if page_id != f"{name}#{count}" else
                   f"{name}: record {count} is cut off inside its WARC header (truncated file?)")
            if "Content-Length" not in record.headers:  # every WARC record has one: the header was cut
                yield error_page(page_id, cut, kind="read", url=url)
                continue
            if record.record_type != WarcRecordType.response:
                skipped["warc_non_response"] += 1
                continue
            block_type = (record.headers.get("Content-Type") or "application/http").lower()
            if not block_type.startswith("application/http") or (url or "").lower().startswith("dns:"):
                skipped["non_http"] += 1  # a dns: or ftp: response: no HTTP header to read
                continue
            unparsable = f"{page_id}: record {count} of {name}: unparsable HTTP header"
            try:
                record.parse_http(auto_decode="none")  # the payload is decoded here, one record at a time
            except Exception:  # noqa: BLE001 - broken HTTP header block: one bad record, reported
                yield error_page(page_id, unparsable, kind="read", url=url)
                continue
            if record.http_headers is None:  # not even a header block: the file ends inside this record
                yield error_page(page_id, f"{page_id}: record {count} of {name} has no HTTP header block "
                                          "(truncated file?)", kind="read", url=url)
                continue
            status = record.http_headers.status_code
            ctype = (record.http_content_type or "").lower()
            reason = ("" if status is None else f"http_{status}" if status != 200
                      else "non_html" if ctype not in HTML_CONTENT_TYPES else None)
            if reason is not None:
                # A header cut short reads as a strange status or content type: a record that
                # is not a page still has to be whole, or the file ends here unreported.
                if _cut_off(record, _drain(record.reader)):
                    yield error_page(page_id, cut, kind="read", url=url)
                elif not reason:  # a garbled status line: maybe a page, so not skipped unseen
                    yield error_page(page_id, unparsable, kind="read", url=url)
                else:
                    skipped[reason] += 1
                continue
            where = f"record {count} of {name}"
            if record.content_length > max_bytes:
                yield _too_large(page_id, record.content_length, max_bytes, url, where)
                continue
            data = record.reader.read()
            if _cut_off(record, len(data)):
                yield error_page(page_id, f"{page_id}: record {count} of {name} is cut off: {len(data)} of "
                                          f"{record.content_length} payload bytes (truncated file?)",
                                 kind="read", url=url)
                continue
            try:
                data = _content_decoded(data, record.http_headers.get("Content-Encoding"), max_bytes)
            except (OSError, ValueError, EOFError, zlib.error) as exc:  # a Content-Encoding it does not have
                yield error_page(page_id, f"cannot undo the payload's Content-Encoding ({exc})", kind="read",
                                 url=url, where=where)
                continue
            yield decode_page(data, id=page_id, url=url, input_format=input_format,
                              declared_charset=record.http_charset, max_bytes=max_bytes, where=where)
        if own:
            tail = _gzip_tail_cut(name, last_pos)
            if tail:
                yield error_page(name, f"{name}: {tail} after {count} records (truncated file?)", kind="read")
    except (OSError, ValueError, EOFError) as exc:
        yield error_page(name, f"{name}: cannot read further after {count} records ({exc})", kind="read")
    finally:
        if own:
            source.close()


def _gzip_tail_cut(path: str, last_pos: int | None) -> str | None:
    """Why a record-per-member ``.warc.gz`` ends short, or None: the gzip members from the last
    record's (``last_pos``) on must all be whole. A file cut in a member's first bytes makes
    fastwarc stop without an error, as if the file had ended there."""
    with open(path, "rb") as fh:
        fh.seek(last_pos or 0)
        data = fh.read(64 << 20)
    first = last_pos is not None  # the last record's own member: a cut there was reported with it
    while data[:2] == b"\x1f\x8b":
        member = zlib.decompressobj(31)
        try:
            while data and not member.eof:
                member.decompress(data, 1 << 20)
                data = member.unconsumed_tail
        except zlib.error:
            return None if first else "a gzip member after the last record is corrupt"
        if not member.eof:
            return None if first else "its last gzip member is cut short"
        data, first = member.unused_data, False
    return None


def _cut_off(record, n_read: int) -> bool:
    """Whether a WARC response's payload (``n_read`` bytes, as stored) is shorter than its headers say.

    After ``parse_http`` fastwarc's ``content_length`` is the payload's length as
    stored (the block's length less the HTTP header's, so a header the file ends in
    leaves a payload of nothing).
    """
    return n_read < record.content_length


def _content_decoded(data: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The payload with its HTTP Content-Encoding undone (gzip, deflate, br), at most ``max_bytes`` + 1.

    Done per record rather than by fastwarc's reader: a record whose header claims an
    encoding its bytes do not have is then one error record, where the reader's
    failure ended the whole file.
    """
    codings = [c.strip().lower() for c in (encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip", "deflate", "x-deflate"):
            if data.lstrip()[:1] == b"<":
                continue  # stored already decoded, as some crawlers do: the header is stale
            zlib_header = len(data) > 1 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            wbits = 47 if "gzip" in coding else (15 if zlib_header else -15)  # 47: gzip or zlib header
            data = zlib.decompressobj(wbits).decompress(data, max_bytes + 1)
        elif coding == "zstd":
            import zstandard

            data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read(max_bytes + 1)
        elif coding == "br":
            try:
                import brotli
            except ImportError:
                raise ValueError("brotli-encoded, and the brotli package is not installed") from None
            data = brotli.Decompressor().process(data, output_buffer_limit=max_bytes + 1)[:max_bytes + 1]
        # anything else ("identity", "UTF-8", "none") names no compression a browser would undo
    return data


def _drain(reader) -> int:
    """Read a payload to its end in pieces (it may be a large image) and return its length."""
    total = 0
    while piece := reader.read(1 << 16):
        total += len(piece)
    return total


_ARC_HEADER = re.compile(rb"^(\S+) (\S+) (\d{14}) (\S*) (\d+)\s*$")


def iter_arc(name: str, stream: BinaryIO | None = None, *, input_format: str = "auto",
             max_bytes: int = MAX_PAGE_BYTES_DEFAULT, skipped: Counter | None = None) -> Iterator[Page]:
    """Pages from an ARC (v1) file, the Internet Archive format before WARC (plain or gzip).

    Each record is a header line ``URL IP DATE CONTENT-TYPE LENGTH`` and LENGTH
    bytes of HTTP response; the first (``filedesc://``) record describes the file.
    """
    skipped = skipped if skipped is not None else Counter()
    own = stream is None
    try:
        fh = open_maybe_compressed(name) if own else stream
    except OSError as exc:
        yield error_page(name, f"{name}: {exc.strerror or exc}", kind="read")
        return
    count = 0
    try:
        while True:
            header = fh.readline()
            if not header:
                break
            if not header.strip():
                continue
            match = _ARC_HEADER.match(header)
            if not match:
                raise ValueError(f"bad ARC record header {header[:80]!r}")
            url, length = match.group(1).decode("utf-8", "replace"), int(match.group(5))
            count += 1
            if url.startswith("filedesc:") or length > max_bytes:
                if url.startswith("filedesc:"):
                    skipped["arc_filedesc"] += 1
                else:
                    yield _too_large(f"{name}#{count}", length, max_bytes, url)
                _skip_bytes(fh, length)
                continue
            page = _page_from_http(fh.read(length), page_id=f"{name}#{count}", url=url,
                                   input_format=input_format, max_bytes=max_bytes, skipped=skipped)
            if page is not None:
                yield page
    except (OSError, ValueError, EOFError) as exc:
        yield error_page(name, f"{name}: cannot read further after {count} records ({exc})", kind="read")
    finally:
        if own:
            fh.close()


def _skip_bytes(fh, length: int) -> None:
    while length > 0:
        chunk = fh.read(min(length, 1 << 20))
        if not chunk:
            break
        length -= len(chunk)


_HTTP_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})")
_CONTENT_TYPE = re.compile(rb"^content-type:\s*([^;\r\n]*)(?:;\s*charset\s*=\s*[\"']?([\w.:\-]+))?", re.I | re.M)


def _page_from_http(block: bytes, *, page_id: str, url: str | None, input_format: str, max_bytes: int,
                    skipped: Counter) -> Page | None:
    """Split an HTTP response into header and body; None (and a ``skipped`` count) for non-pages."""
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    status = _HTTP_STATUS.match(head)
    if not status and not (url or "").lower().startswith(("http:", "https:")):
        skipped["non_http"] += 1  # a dns: or filedesc-like record: no HTTP header to read
        return None
    if not status:  # a garbled status line: maybe a page, so not skipped unseen
        return error_page(page_id, f"{page_id}: unparsable HTTP header", kind="read", url=url)
    if status.group(1) != b"200":
        skipped[f"http_{int(status.group(1))}"] += 1
        return None
    ctype = _CONTENT_TYPE.search(head)
    mime = ctype.group(1).strip().lower().decode("ascii", "replace") if ctype else ""
    if mime not in HTML_CONTENT_TYPES:
        skipped["non_html"] += 1
        return None
    charset = ctype.group(2).decode("ascii", "replace") if ctype and ctype.group(2) else None
    return decode_page(body, id=page_id, url=url, input_format=input_format, declared_charset=charset,
                       max_bytes=max_bytes)


#: A JSON object opens with a string key (or closes at once): a text dump's first line
#: may start with "{", rarely with '{"'.
_JSON_OBJECT_START = re.compile(rb'\{\s*["}]')


def sniff_kind(head: bytes) -> str:
    """What a stream holds, from its first (decompressed) bytes: warc, arc, jsonl or page."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if stripped.startswith(b"filedesc://"):
        return "arc"
    if _JSON_OBJECT_START.match(stripped):
        return "jsonl"
    return "page"


def iter_stdin(*, fields: RecordFields = RecordFields(), input_format: str = "auto",
               max_bytes: int = MAX_PAGE_BYTES_DEFAULT, skipped: Counter | None = None,
               name: str = "-", source: BinaryIO | None = None) -> Iterator[Page]:
    """Pages from stdin, or from a pipe named ``name`` (``/dev/stdin``, ``<(zcat …)``) opened as
    ``source``: a WARC/ARC stream, JSON Lines, or one page; gzip or zstd are undone first.
    A stream has no name to tell its kind by, so its first bytes do."""
    stream = _decompressed(source if source is not None else sys.stdin.buffer)
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    kind = sniff_kind(stream.peek(64)[:64])
    if kind == "warc":
        yield from iter_warc(name, stream, input_format=input_format, max_bytes=max_bytes, skipped=skipped)
    elif kind == "arc":
        yield from iter_arc(name, stream, input_format=input_format, max_bytes=max_bytes, skipped=skipped)
    elif kind == "jsonl":
        yield from iter_jsonl(name, stream, fields=fields, input_format=input_format, max_bytes=max_bytes)
    else:
        data = stream.read(max_bytes + 1)
        yield (_too_large(name, len(data), max_bytes) if len(data) > max_bytes
               else decode_page(data, id=name, input_format=input_format, max_bytes=max_bytes))


def iter_pages(name: str, *, fields: RecordFields = RecordFields(), input_format: str = "auto",
               max_bytes: int = MAX_PAGE_BYTES_DEFAULT, skipped: Counter | None = None) -> Iterator[Page]:
    """Every page of one input (any kind, chosen by ``input_kind``), errors included, in file order."""
    if name == "-":
        yield from iter_stdin(fields=fields, input_format=input_format, max_bytes=max_bytes, skipped=skipped)
        return
    kind = input_kind(name)
    if kind == "page" and is_stream(name):
        try:
            source = open(name, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            yield error_page(name, f"{name}: {exc.strerror or exc}", kind="read")
            return
        with source:
            yield from iter_stdin(fields=fields, input_format=input_format, max_bytes=max_bytes, skipped=skipped,
                                  name=name, source=source)
    elif kind == "jsonl":
        yield from iter_jsonl(name, fields=fields, input_format=input_format, max_bytes=max_bytes)
    elif kind == "warc":
        yield from iter_warc(name, input_format=input_format, max_bytes=max_bytes, skipped=skipped)
    elif kind == "arc":
        yield from iter_arc(name, input_format=input_format, max_bytes=max_bytes, skipped=skipped)
    else:
        yield from iter_page_file(name, input_format=input_format, max_bytes=max_bytes)
