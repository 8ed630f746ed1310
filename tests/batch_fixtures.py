"""Shared helpers of the batch tests: small sites, WARC/JSONL writers, and a tiny model.

Pages are written here (never copied from a corpus). ``site_pages`` makes
pages of one site that share a template (navigation, footer, a related-links
box) around an article that differs on every page, in Chinese or English.
"""
from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

DATA = Path(__file__).parent / "data" / "batch"

_ZH_SENTENCES = [
    "今年以来，本市新建了十二个社区公园，居民步行十分钟就能到达绿地。",
    "专家建议，夏季出行要注意防暑降温，尽量避开中午时段在户外长时间活动。",
    "这家老字号面馆已经营业四十多年，每天清晨门口都排起长队。",
    "图书馆推出夜间自习服务，周末开放时间延长到晚上十点。",
    "志愿者们利用周末时间，为独居老人打扫房间、检查电器线路。",
    "新修的河滨步道全长八公里，沿途设置了休息座椅和饮水点。",
    "农业技术人员走进田间地头，指导农民科学施肥、合理灌溉。",
    "博物馆新展厅展出了两百多件出土文物，吸引了大批游客参观。",
    "学校开设了编程兴趣课，学生们用积木机器人完成了搬运任务。",
    "气象部门预计，未来三天将有一次明显降雨过程，请市民注意交通安全。",
]
_EN_SENTENCES = [
    "The council has planted four hundred trees along the ring road this spring.",
    "Residents queued for hours to see the restored steam engine at the museum.",
    "A new footbridge will link the two halves of the park by the end of the year.",
    "Teachers say the reading scheme has doubled the number of books pupils borrow.",
    "The bakery on Mill Lane has won a regional prize for its sourdough bread.",
    "Volunteers cleared more than a tonne of litter from the riverbank on Sunday.",
    "The swimming pool will close for three weeks while its roof is repaired.",
    "Local farmers expect a good harvest after a mild and wet spring.",
    "The choir is looking for new members and rehearses every Thursday evening.",
    "Bus passengers will be able to pay by card on every route from next month.",
]


def site_page(host: str, i: int, lang: str = "zh") -> tuple[str, str]:
    """Page ``i`` of a templated site: ``(url, html)``; the article differs on every page."""
    sentences = _ZH_SENTENCES if lang == "zh" else _EN_SENTENCES
    body = [sentences[(i + k) % len(sentences)] for k in range(4)]
    body = [f"{s}（第{i}期）" if lang == "zh" else f"{s} (issue {i})" for s in body]
    if lang == "zh":
        nav = '<a href="/">首页</a> <a href="/news">新闻</a> <a href="/life">生活</a> <a href="/about">关于</a>'
        title = f"社区生活观察 第{i}期"
        related = ["本周天气提示", "社区活动预告", "便民服务电话"]
        footer = f"Copyright © 2024 {host} 版权所有"
        byline = "来源：本站 编辑：小周"
    else:
        nav = '<a href="/">Home</a> <a href="/news">News</a> <a href="/life">Life</a> <a href="/about">About</a>'
        title = f"Town notes, issue {i}"
        related = ["Weather this week", "Events calendar", "Useful numbers"]
        footer = f"© 2024 {host}. All rights reserved."
        byline = "By the newsroom"
    paras = "\n".join(f"<p>{s}</p>" for s in body)
    links = "".join(f'<li><a href="/r/{k}">{t}</a></li>' for k, t in enumerate(related))
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>\n'
            f'<div class="nav">{nav}</div>\n<div class="article"><h1>{title}</h1>\n<p class="info">{byline}</p>\n'
            f'{paras}\n<p>{"感谢阅读。" if lang == "zh" else "Thanks for reading."}</p></div>\n'
            f'<div class="related"><ul>{links}</ul></div>\n<div class="footer"><p>{footer}</p></div>\n'
            f'</body></html>')
    return f"http://{host}/a/{i}.html", html


def site_pages(host: str, n: int, lang: str = "zh") -> list[tuple[str, str]]:
    return [site_page(host, i, lang) for i in range(n)]


# --- container writers -----------------------------------------------------------------------

def warc_record(url: str, body: bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
                warc_type: str = "response") -> bytes:
    """One WARC/1.0 record holding an HTTP response, as crawlers write them."""
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(status, "Status")
    http = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("ascii") + body
    head = (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url + warc_type)}>\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-05-26T00:00:00Z\r\n"
            f"Content-Type: application/http; msgtype={warc_type}\r\nContent-Length: {len(http)}\r\n\r\n")
    return head.encode("ascii") + http + b"\r\n\r\n"


def write_warc(path: Path, records: list[bytes], *, compress: str = "record") -> Path:
    """``compress``: ``none``, ``record`` (one gzip member per record, Common Crawl style) or ``file``."""
    path = Path(path)
    if compress == "none":
        path.write_bytes(b"".join(records))
    elif compress == "record":
        path.write_bytes(b"".join(gzip.compress(r) for r in records))
    else:
        path.write_bytes(gzip.compress(b"".join(records)))
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path = Path(path)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    elif path.name.endswith(".zst"):
        import zstandard

        path.write_bytes(zstandard.ZstdCompressor().compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- a tiny model ------------------------------------------------------------------------------

_CHROME = {"nav", "menu", "footer", "breadcrumb", "info", "byline", "header"}


def _gold(line) -> str:
    attrs = set(line.attrs)
    if "related" in attrs:
        return "links"
    if attrs & _CHROME or "nav" in line.dom_path or "footer" in line.dom_path or "header" in line.dom_path:
        return "chrome"
    return "body"


def labelled_pages():
    from model.read import page_from_text
    from model.segment import segment

    sources = [(p.name, p.read_bytes().decode("utf-8", "replace")) for p in sorted(DATA.glob("*-news.html"))]
    for host, lang in (("zh.example.cn", "zh"), ("en.example.com", "en")):
        sources += [(url, html) for url, html in site_pages(host, 6, lang)]
    pages = []
    for name, html in sources:
        page = segment(page_from_text(html, id=name, input_format="html"))
        for line in page.lines:
            line.gold = _gold(line)
        pages.append(page)
    return pages


_MODEL: dict[str, Path] = {}


def tiny_model(directory: Path) -> Path:
    """Train (once per test process) and save a tiny model; returns its path."""
    if "path" not in _MODEL:
        from model.classify import save_model
        from training.train import TrainConfig, fit_model

        model = fit_model(labelled_pages(), TrainConfig(cv=1, hash_bits=10, max_iter=20, text_max_iter=20), log=lambda *a: None)
        _MODEL["path"] = save_model(model, Path(directory) / "m.joblib")
    return _MODEL["path"]
