"""model.read: bytes -> decoded Page, for the encodings crawled pages really use."""
from __future__ import annotations

import codecs
import time

import pytest

from model.errors import InputError
from model.read import (
    MAX_PAGE_BYTES_DEFAULT,
    decode_bytes,
    detect_format,
    normalize_charset,
    page_from_bytes,
    page_from_text,
    read_file,
)
from model.segment import segment

from conftest import PAGES


def _html(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body>{body}</body></html>"


# --- fixture pages: each stored in the encoding a real site would use ----------------------------

def test_gbk_page_declared_gb2312_is_read_as_gb18030():
    data = (PAGES / "zh_news_gbk.html").read_bytes()
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is legacy-encoded
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030"
    assert "老旧菜市场变身社区邻里中心" in text
    # 喆 exists in GBK but not in GB2312: decoding as strict GB2312 would lose it
    assert "作者：王喆" in text
    assert "\ufffd" not in text


def test_big5_page_with_meta_charset():
    text, encoding = decode_bytes((PAGES / "zh_news_big5.html").read_bytes())
    assert encoding == "big5hkscs"
    assert "基隆新增夜間渡輪航線 通勤族返家少繞一小時" in text
    assert "\ufffd" not in text


def test_utf8_page_that_declares_gbk_comes_out_right():
    data = (PAGES / "zh_news_lying.html").read_bytes()
    assert b"charset=gbk" in data
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8"
    assert "无人机播种进田头 千亩稻田三天种完" in text


def test_utf8_bom_is_stripped_and_page_detected_as_html():
    data = (PAGES / "en_news_bom.html").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    page = page_from_bytes(data, id="bom.html")
    assert page.metadata["encoding"] == "utf-8"
    assert not page.raw.startswith("\ufeff")
    assert page.source == "html"
    assert "Council approves protected bike lanes" in page.raw


def test_windows_1252_page_with_meta_charset():
    text, encoding = decode_bytes((PAGES / "en_news_cp1252.html").read_bytes())
    assert encoding == "cp1252"
    assert "“We wanted to build something that our school could actually use,”" in text


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_every_fixture_page_decodes_without_replacement_characters(name):
    page = read_file(PAGES / name)
    assert page.source == "html"
    assert "\ufffd" not in page.raw


def test_utf16_bom():
    data = codecs.BOM_UTF16_LE + _html("<p>中文 UTF-16 页面</p>").encode("utf-16-le")
    text, encoding = decode_bytes(data)
    assert encoding == "utf-16-le"
    assert "中文 UTF-16 页面" in text


# --- declared charsets: HTTP header, meta, none --------------------------------------------------

def test_http_charset_outranks_a_wrong_meta_charset():
    data = _html("<p>国内新闻：菜市场改造完成，居民买菜更方便了。</p>", '<meta charset="big5">').encode("gbk")
    text, encoding = decode_bytes(data, declared="gbk")
    assert encoding == "gb18030"
    assert "菜市场改造完成" in text


def test_http_charset_alone():
    data = _html("<p>街道还开设了老年食堂和社区卫生服务站。</p>").encode("gb2312")
    text, _ = decode_bytes(data, declared="GB2312")
    assert "老年食堂" in text


def test_gb18030_four_byte_characters_in_a_page_declared_gbk():
    data = _html("<p>吉祥的𠮷字和镕字都能读出。</p>", '<meta charset="gbk">').encode("gb18030")
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030"
    assert "吉祥的𠮷字和镕字都能读出。" in text


def test_undeclared_gbk_text_dump_falls_back_to_gb18030():
    data = "菜市场改造完成\n居民买菜更方便了，街道还开设了老年食堂。\n".encode("gbk")
    page = page_from_bytes(data, id="dump.txt")
    assert page.source == "text"
    assert page.raw.splitlines()[1] == "居民买菜更方便了，街道还开设了老年食堂。"


def test_page_declared_latin1_that_is_really_gbk():
    data = _html("<p>这是一段用中文写成的新闻正文，讲述城市的变化。</p>", '<meta charset="iso-8859-1">').encode("gbk")
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030"
    assert "讲述城市的变化" in text


def test_windows_1252_apostrophes_are_not_read_as_gbk():
    data = _html("<p>The council’s plan won’t change the town’s budget, officials say. It’s final.</p>",
                 '<meta charset="windows-1252">').encode("cp1252")
    text, encoding = decode_bytes(data)
    assert "The council’s plan won’t change" in text
    assert encoding == "cp1252"


def test_undeclared_big5_page():
    data = _html("<p>基隆新增夜間渡輪航線，通勤族返家少繞一小時。</p>").encode("big5")
    text, _ = decode_bytes(data)
    assert "基隆新增夜間渡輪航線" in text


def test_normalize_charset_aliases():
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset("gbk") == "gb18030"
    assert normalize_charset(" 'big5' ") == "big5hkscs"
    assert normalize_charset("no-such-charset") is None
    assert normalize_charset(None) is None


# --- bad input: one clear error naming the file --------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \n\t\n"], ids=["empty", "whitespace"])
def test_empty_file_error_names_the_file(tmp_path, content):
    path = tmp_path / "empty.html"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty") as err:
        read_file(path)
    assert str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


def test_binary_file_error_names_the_file(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary") as err:
        read_file(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("controls, binary", [(40, False), (60, True)])
def test_binary_means_over_five_percent_control_bytes(tmp_path, controls, binary):
    # no NUL byte: the share of control bytes decides; tabs, newlines and CRs are text
    path = tmp_path / "page.txt"
    path.write_bytes(b"\x01" * controls + b"\t\r\n" * 100 + b"a" * (1000 - controls - 300))
    if binary:
        with pytest.raises(InputError, match="binary"):
            read_file(path)
    else:
        assert read_file(path).raw


@pytest.mark.parametrize("where", [10, 3000, 9000])
def test_stray_nul_bytes_in_a_page_are_not_taken_for_binary(where):
    """A corrupt capture can carry a NUL or two; before, one NUL in the first 8 kB made the
    whole page "binary", while one later on was read like any other character."""
    paragraph = "<p>轮渡票价五月起上调一角，月票价格不变。The fare rises by ten cents.</p>"
    html = f"<html><body>{paragraph * 120}</body></html>".encode()
    where = html.index(b"<p>", where)  # between characters, not inside one
    text, encoding = decode_bytes(html[:where] + b"\x00" + html[where:])
    assert encoding == "utf-8" and text.replace("\x00", "") == html.decode()
    with pytest.raises(InputError, match="binary"):  # UTF-16 without a BOM is mostly NULs: still binary
        decode_bytes("<html><body><p>fare</p></body></html>".encode("utf-16-le") * 20)


def test_undecodable_bytes_error_names_the_file(tmp_path):
    path = tmp_path / "garbage.html"
    # 0x81 0xFF is invalid in UTF-8, GB18030, Big5-HKSCS and Shift-JIS, and 0x81 is unmapped in cp1252
    path.write_bytes(b"<html><body><p>" + b"news \x81\xff " * 200 + b"</p></body></html>")
    with pytest.raises(InputError, match="cannot decode") as err:
        read_file(path)
    assert str(path) in str(err.value)


def test_missing_file_error_names_the_file(tmp_path):
    path = tmp_path / "nope.html"
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(path) in str(err.value)


def test_50_mb_page_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: the size check must not read it
    started = time.perf_counter()
    with pytest.raises(InputError, match="MB limit") as err:
        read_file(path)
    assert time.perf_counter() - started < 1.0
    assert str(path) in str(err.value)
    assert "page is 50 MB, over the 20 MB limit" in str(err.value)  # the unit of --max-page-mb


def test_50_mb_bytes_are_refused_by_page_from_bytes():
    data = b"<p>x</p>" * (50 * 1024 * 1024 // 8)
    assert len(data) > MAX_PAGE_BYTES_DEFAULT
    with pytest.raises(InputError, match="over the 20 MB limit") as err:
        page_from_bytes(data, id="crawl/huge.html")
    assert str(err.value).startswith("crawl/huge.html: ")


def test_single_1_mb_line_is_read_and_segmented_fast():
    line = ("这是一个没有换行的超长段落，" * 40000)[: 1024 * 1024 // 3] + "完。"
    data = ("标题在这里\n" + line + "\n").encode("utf-8")
    assert len(data) > 1_000_000
    started = time.perf_counter()
    page = segment(page_from_bytes(data, id="long.txt"))
    assert time.perf_counter() - started < 2.0
    assert page.source == "text"
    assert [ln.n for ln in page.lines] == [1, 2]
    assert len(page.lines[1].text) == len(line)


def test_unknown_input_format_names_the_page():
    with pytest.raises(InputError, match="unknown input format") as err:
        page_from_text("hello", id="p1", input_format="pdf")
    assert str(err.value).startswith("p1: ")


# --- format detection ------------------------------------------------------------------------------

def test_detect_format():
    assert detect_format("<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert detect_format("<!-- saved page -->\n<html><p>x</p></html>") == "html"
    assert detect_format("<div><p>no html tag</p><span>but markup</span></div>") == "html"
    assert detect_format("首页\n国内\n价格 a < b 而 c > d\n正文第一段。") == "text"
    # a stored fragment that opens and closes one block element is markup
    assert detect_format("<p>市政府今天发布了新规定。</p>") == "html"
    assert detect_format('  <article class="post"><h1>Title</h1>Text</article>') == "html"
    # a dump whose first line mentions a tag it never closes stays text
    assert detect_format("<p> marks a paragraph in HTML\nsecond line") == "text"


@pytest.mark.parametrize("dump", [
    # a crawler kept some literal <br>
    "首页 新闻 国内 国际\n暴雨预警升级 多地启动应急响应\n中国气象局18日将暴雨预警升级为橙色。<br>广东、广西等地有大暴雨。\n"
    "应急管理部已派出工作组赴一线指导防汛工作。<br>\n各地要加强值守。<br>\n",
    # a tutorial that names tags
    "Home | Tutorials | CSS\nHow to center a div\nWrap the content in a <div> and make the parent a flex container.\n"
    "To center text, put it in a <p> and use text-align: center.\nInline elements such as <span> ignore width.\n",
    # a formula
    "高考数学压轴题解析\n设函数f(x)=x^2-2ax+1，其中0<a<1，求最小值。\n解：当0<a<1时，最小值为1-a^2。\n若0<p<1，则更紧。\n",
])
def test_a_text_dump_that_mentions_tags_stays_a_text_dump(dump):
    assert detect_format(dump) == "text"
    page = segment(page_from_text(dump, id="d.txt"))
    assert [line.text for line in page.lines] == [line.strip() for line in dump.splitlines()]


def test_a_dump_that_names_document_tags_or_closes_tags_stays_a_text_dump():
    tutorial = ("HTML basics\nEvery page has a <html> element with two children.\n"
                "The <head> holds the title; the <body> holds what you see.\nWrite <b>bold</b> text, end lines with <br>.\n"
                "Links use <a href=\"x\">text</a>.\n")
    assert detect_format(tutorial, dump=True) == "text"
    page = page_from_text(tutorial, id="lesson.txt")  # a .txt file is a dump unless it starts as a document
    assert page.source == "text" and len(segment(page).lines) == 5
    assert page_from_text("<!DOCTYPE html><html><body><p>x</p></body></html>", id="saved.txt").source == "html"
    warned = "Warning: session_start() failed in /var/www/a.php on line 3\n<!DOCTYPE html>\n<html><p>x</p></html>"
    assert page_from_text(warned, id="saved.txt").source == "html"
    for first in ("<script> runs code", "<style> sets colours", "<title> names the page", "<body> holds it all"):
        assert detect_format(f"{first}\nsecond line\nthird line\n", dump=True) == "text", first
    assert detect_format("HTML basics\nThe <head> holds the title; the <body> holds what you see.\n") == "text"


def test_a_document_is_html_even_when_its_tags_come_late():
    script = "<!-- section -->\n<script>\n" + "var x = 1;\n" * 600 + "</script>\n"
    assert detect_format(script + "<html><body><p>正文。</p></body></html>") == "html"
    assert detect_format('<text id="http://a.example/1">\n' + "\n" * 300 + "<body><p>x</p></body>") == "html"


def test_forced_input_format_wins_over_detection():
    page = page_from_text("<p>a tag in a text dump</p>\nsecond line", id="d.txt", input_format="text")
    assert page.source == "text"


@pytest.mark.parametrize("name, declared, lie, expected", [
    ("zh_news_big5.html", b'charset="big5"', b'charset="gbk"', "big5hkscs"),
    ("zh_news_gbk.html", b"charset=gb2312", b"charset=big5", "gb18030"),
])
def test_a_chinese_page_declaring_the_other_chinese_charset_is_read_right(name, declared, lie, expected):
    """GBK and Big5 decode much of each other's bytes without an error, into kana and
    private-use characters: the declared charset must not win then."""
    data = (PAGES / name).read_bytes()
    truth, enc = decode_bytes(data)
    assert enc == expected and declared in data
    text, enc = decode_bytes(data.replace(declared, lie))
    assert enc == expected and text.replace(lie.decode(), declared.decode()) == truth
    text, enc = decode_bytes(data, declared=lie.split(b"=")[1].strip(b'"').decode())  # an HTTP header lying
    assert enc == expected and text == truth


def test_label_bytes_applies_the_size_limit_to_str_pages_too(tiny_model_path):
    from model.errors import InputError
    from model.pipeline import label_bytes

    page = "今天天气很好，我们去公园散步。\n" + "长" * 400
    for data in (page, page.encode("utf-8")):
        with pytest.raises(InputError, match=r"over the .* MB limit"):
            label_bytes(data, model=tiny_model_path, max_bytes=1000)  # 1,246 bytes as UTF-8, 416 characters
        assert label_bytes(data, model=tiny_model_path, max_bytes=2000).error is None


WESTERN = ("<html><head><title>Why I’m leaving the city</title></head><body><h1>Why I’m leaving the city</h1>"
           "<p>I’ve lived here for nine years, and it’s been the best decade of my life. The landlord’s letter "
           "didn’t help.</p><p>We’ll see how it goes — the library’s open until nine. Café au lait, £3.</p>"
           "</body></html>")


@pytest.mark.parametrize("padding", [0, 30000])
def test_an_undeclared_windows_1252_page_is_not_read_as_chinese(padding):
    """Its curly quotes pair up with the next letter into valid GB18030 and Big5 bytes
    ("I’m" -> "I𠍿"); the page has no run of Han characters, so it is not Chinese."""
    html = WESTERN.replace("<body>", "<body><!--" + "x" * padding + "-->")  # the odd bytes may come late
    text, enc = decode_bytes(html.encode("cp1252"))
    assert (text, enc) == (html, "cp1252")


@pytest.mark.parametrize("text, enc", [
    ("iPhone 15 售价：5999元", "gbk"),  # a short price line: one run of two, a lone everyday character
    ("<p>今日涨停：3只</p>", "gbk"),
    ("Why I’m leaving; it’s been the best.", "gbk"),  # English on a Chinese site: GB2312's own quotes
    ("股價：120元", "big5"),
    ("Teacher’s Guide, informação, El Niño, Café crème brûlée, © 2006 Acme®, £3 — “quoted”", "cp1252"),
    ("鑫", "gbk"), ("Posted by 喆", "gbk"), ("——— 89 ㎡", "gbk"),  # a rarer character alone; GBK's own symbols
    ("© 2024 Acme®", "gb18030"),  # only GB18030's four-byte codes give these
    ("Straße Größe Übung §§§§§", "cp1252"),  # "ß", "Ü", "§" are half-width katakana in Shift-JIS
])
def test_short_undeclared_pages_are_read_in_their_own_encoding(text, enc):
    assert decode_bytes(text.encode(enc))[0] == text


def test_undeclared_chinese_pages_are_still_read_as_chinese():
    zh = "<html><body><p>市政府今天发布了新规定，居民买菜更方便了。</p><p>“老旧菜市场”变身社区邻里中心。</p></body></html>"
    assert decode_bytes(zh.encode("gb18030")) == (zh, "gb18030")
    assert decode_bytes(zh.encode("big5hkscs", "replace").replace(b"?", b" "))[1] == "big5hkscs"
    jp = "<html><body><p>東京都は今日、新しい図書館を開きました。ここではたくさんの本が読めます。</p></body></html>"
    assert decode_bytes(jp.encode("cp932")) == (jp, "cp932")
