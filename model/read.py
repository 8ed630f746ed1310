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
import re
from pathlib import Path

from model.errors import InputError
from model.records import Page

#: Pages larger than this are refused with an error record (a 50 MB "page" is a
#: dump or an attack, never an article). Override with ``max_bytes``.
MAX_PAGE_BYTES_DEFAULT = 20 * 1024 * 1024

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
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|\?xml)", re.I | re.S)
_HTML_TAG = re.compile(r"<(html|head|body|div|p|span|a|table|meta|title|script|br)\b", re.I)


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


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


def _cjk_share(text: str) -> float:
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    return sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff") / len(non_ascii)


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
        raise InputError(f"{name}: empty page")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    if _looks_binary(data):
        raise InputError(f"{name}: binary content, not a web page or text dump")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    for enc in (normalize_charset(declared), sniff_meta_charset(data)):
        if enc and enc not in candidates:
            candidates.append(enc)
    # A page declared as Latin-1 is often GBK in disguise: Latin-1 never fails,
    # so let GB18030 try first and keep it only when it yields Chinese.
    if candidates and candidates[0] in _SINGLE_BYTE:
        try:
            text = data.decode("gb18030")
            if _cjk_share(text) > 0.6:
                return text, "gb18030"
        except UnicodeDecodeError:
            pass
    for enc in _FALLBACKS:
        if enc not in candidates:
            candidates.append(enc)
    candidates.insert(len(candidates) - len(_FALLBACKS), "utf-8")
    best: tuple[float, str, str] | None = None
    for enc in dict.fromkeys(candidates):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            text = data.decode(enc, errors="replace")
            ratio = text.count("\ufffd") / max(1, len(text))
            if best is None or ratio < best[0]:
                best = (ratio, text, enc)
    if best is not None and best[0] <= MAX_REPLACEMENT_RATIO:
        return best[1], best[2]
    raise InputError(f"{name}: cannot decode the bytes in any likely encoding")


def detect_format(text: str) -> str:
    """``"html"`` when the text is markup, else ``"text"`` (a one-block-per-line dump)."""
    head = text[:4096]
    if _HTML_START.match(head):
        return "html"
    return "html" if len(_HTML_TAG.findall(head)) >= 3 else "text"


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
            f"{id}: page is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit"
        )
    text, encoding = decode_bytes(data, declared_charset, name=id)
    return page_from_text(text, id=id, url=url, input_format=input_format, encoding=encoding)


def page_from_text(text: str, *, id: str, url: str | None = None, input_format: str = "auto",
                   encoding: str | None = None) -> Page:
    if input_format not in ("auto", "html", "text"):
        raise InputError(f"{id}: unknown input format {input_format!r}; expected auto, html or text")
    if not text.strip():
        raise InputError(f"{id}: empty page")
    source = detect_format(text) if input_format == "auto" else input_format
    meta = {"encoding": encoding} if encoding else {}
    return Page(id=id, raw=text, source=source, url=url, metadata=meta)


def read_file(path: str | Path, *, input_format: str = "auto",
              max_bytes: int = MAX_PAGE_BYTES_DEFAULT) -> Page:
    """Read one page file from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: page is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return page_from_bytes(data, id=str(path), input_format=input_format, max_bytes=max_bytes)
