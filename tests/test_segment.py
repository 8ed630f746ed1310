"""model.segment: decoded pages -> lines, on inline HTML strings (as jusText's test_sax)."""
from __future__ import annotations

import pytest

from model.errors import InputError
from model.read import page_from_bytes
from model.records import Page
from model.segment import (
    close_raw_text,
    guess_lang,
    guess_text_title,
    html_title,
    parse_html,
    segment,
    segment_html,
    segment_text,
)

from conftest import PAGES


def lines_of(html: str):
    return segment_html(parse_html(html))


def texts(html: str) -> list[str]:
    return [line.text for line in lines_of(html)]


# --- block boundaries -------------------------------------------------------------------------------

def test_text_is_split_at_block_boundaries():
    assert texts("<body><div>before<p>inside</p>after</div></body>") == ["before", "inside", "after"]


def test_inline_elements_stay_on_one_line():
    assert texts("<p>Mill Street <b>bike</b> <i>lanes</i> <a href='#'>approved</a>.</p>") == [
        "Mill Street bike lanes approved."]


def test_lines_should_be_split_by_br_tag():
    assert texts("<p>第一行<br>第二行<br/>第三行</p>") == ["第一行", "第二行", "第三行"]


def test_list_items_and_table_cells_are_lines():
    assert texts("<ul><li>首页</li><li>国内</li></ul><table><tr><td>a</td><td>b</td></tr></table>") == [
        "首页", "国内", "a", "b"]


def test_whitespace_is_collapsed_and_empty_blocks_dropped():
    assert texts("<div>  \n </div><p>  two\n\t words </p><p>&nbsp;</p>") == ["two words"]


def test_line_numbers_are_consecutive_in_html():
    assert [line.n for line in lines_of("<p>a</p><p>b</p><div>c</div>")] == [1, 2, 3]


# --- what is dropped ----------------------------------------------------------------------------------

def test_script_style_and_noscript_are_dropped_but_their_tails_kept():
    html = ("<body><p>visible <script>var x = '隐藏';</script>tail</p>"
            "<style>.a{color:red}</style><noscript>enable js</noscript><p>next</p></body>")
    assert texts(html) == ["visible tail", "next"]


@pytest.mark.parametrize("hidden", [
    '<div style="display: none">hidden junk 赌博</div>',
    '<div style="visibility:hidden">hidden junk 赌博</div>',
    '<div hidden>hidden junk 赌博</div>',
    '<input type="hidden" value="x">',
])
def test_hidden_elements_are_dropped(hidden):
    assert texts(f"<body><p>before</p>{hidden}<p>after</p></body>") == ["before", "after"]


def test_comments_and_head_are_dropped():
    assert texts("<html><head><title>T</title></head><body><!-- 注释 --><p>text</p></body></html>") == ["text"]


def test_img_alt_is_kept_only_inside_a_text_line():
    assert texts('<p>图为 <img alt="渡轮"> 码头</p><div><img alt="logo"></div>') == ["图为 渡轮 码头"]


# --- DOM context ----------------------------------------------------------------------------------------

def test_dom_context_fields():
    html = ('<body><div class="nav main-nav" id="top"><ul><li><a href="/">首页</a></li></ul></div>'
            '<div class="article-content"><p>正文 <a href="/x">链接</a> 结束</p>'
            '<table><tr><td>单元格</td></tr></table></div></body>')
    nav, para, cell = lines_of(html)
    assert nav.text == "首页"
    assert nav.tag == "li"
    assert nav.dom_path == "body/div/ul/li"
    assert {"nav", "main", "top"} <= set(nav.attrs)
    assert nav.in_list and not nav.in_table
    assert nav.link_chars == 2 and nav.n_links == 1 and nav.link_ratio == 1.0
    assert para.tag == "p" and para.dom_path == "body/div/p"
    assert "article" in para.attrs and "content" in para.attrs
    assert para.n_links == 1 and para.link_chars == 2
    assert 0 < para.link_ratio < 1
    assert not para.in_list
    assert cell.in_table and cell.tag == "td"
    assert para.depth > 0


def test_sibling_lines_share_context_but_keep_their_own_attrs():
    # _line_context builds each (block, class, id) link of the ancestor chain once per page
    html = ('<body><ul class="menu-list"><li class="first-item"><a>一</a></li><li><a>二</a></li>'
            '<li class="first-item"><a>三</a></li></ul><p>正文</p></body>')
    one, two, three, para = lines_of(html)
    assert one.attrs == three.attrs == ("menu", "list", "first", "item")
    assert two.attrs == ("menu", "list")
    assert one.dom_path == two.dom_path == "body/ul/li" and one.depth == 4 and one.in_list
    assert para.attrs == () and para.dom_path == "body/p" and para.depth == 2 and not para.in_list


def test_attrs_keep_first_occurrences_in_ancestor_order_and_only_the_last_24():
    html = '<body><div class="alpha beta"><div id="beta gamma"><p class="alpha delta">x</p></div></div></body>'
    assert lines_of(html)[0].attrs == ("alpha", "beta", "gamma", "delta")
    soup = " ".join(f"tok{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(30))
    (line,) = lines_of(f'<body><div class="{soup}"><p class="final">x</p></div></body>')
    assert len(line.attrs) == 24 and line.attrs[-1] == "final" and line.attrs[0] == "tokah"  # 31 tokens: the first 7 go


def test_has_text_matches_text_content():
    import lxml.html

    from model.segment import _has_text
    for html in ["<a> </a>", "<a>x</a>", "<a> <img alt=y> </a>", "<a> <span> z </span></a>",
                 "<a><b style='display:none'>hidden</b></a>", "<a><i></i>\u3000<i></i></a>",
                 "<a><span></span>tail</a>"]:
        expected = bool(lxml.html.fragment_fromstring(html).text_content().strip())
        assert _has_text(parse_html(html).find(".//a")) is expected, html


def test_comment_tails_are_kept_in_a_tree_from_elsewhere():
    # parse_html drops comments, but segment_html also takes trees that still have them
    from lxml import etree
    root = etree.fromstring("<html><body><p>a<!-- c -->tail</p><!-- x --><p>b</p></body></html>",
                            etree.HTMLParser())
    assert [line.text for line in segment_html(root)] == ["atail", "b"]


def test_dom_path_keeps_only_the_nearest_block_ancestors():
    html = "<body>" + "<div>" * 10 + "<p>deep</p>" + "</div>" * 10 + "</body>"
    (line,) = lines_of(html)
    assert line.dom_path.split("/") == ["div"] * 5 + ["p"]


def test_fixture_page_lines_carry_list_and_link_context(page_lines):
    page = segment(page_from_bytes((PAGES / "zh_news_gbk.html").read_bytes(), id="gbk"))
    by_text = {line.text: line for line in page.lines}
    assert [line.text for line in page.lines] == [item["text"] for item in page_lines("zh_news_gbk")]
    related = by_text["全市首批社区食堂挂牌 一荤两素十二元"]
    # link_chars counts non-space characters, so a fully linked headline is just under 1.0
    assert related.in_list and related.link_ratio > 0.9 and "related" in related.attrs
    para = by_text["本报讯 走进长宁路上的邻里中心，一楼是整齐的生鲜摊位，二楼是社区卫生服务站和老年食堂。很难想象，半年前这里还是一座墙皮剥落、地面湿滑的老菜市场。"]
    assert para.tag == "p" and para.link_chars == 0
    assert page.title == "老旧菜市场变身社区邻里中心 居民买菜看病一站办_华东日报"
    assert page.lang == "zh"


# --- robustness -------------------------------------------------------------------------------------------

def test_deeply_nested_html_does_not_overflow():
    depth = 900  # 1,800 nested elements: deeper than Python's recursion limit
    html = "<html><body>" + "<div><span>" * depth + "底部文字" + "</span></div>" * depth + "<p>after</p></body></html>"
    assert texts(html) == ["底部文字", "after"]


def test_pathologically_deep_html_keeps_its_text():
    depth = 20000
    html = "<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>"
    page = segment(Page(id="deep.html", raw=html, source="html"))
    assert [line.text for line in page.lines] == ["x"]


def test_text_after_very_deep_nesting_is_not_silently_lost():
    """libxml2 stops building the tree 2,048 elements deep; the page is then read flattened."""
    html = "<html><body><p>before</p>" + "<div>" * 3000 + "深处" + "</div>" * 3000 + "<p>after</p></body></html>"
    assert "after" not in texts(html)  # one tree: libxml2 drops the rest
    page = segment(Page(id="deep.html", raw=html, source="html"))
    assert [line.text for line in page.lines] == ["before", "深处", "after"]
    assert page.metadata["mended"] == "too_deep"


def test_an_old_forum_page_of_unclosed_font_tags_is_read_to_the_end():
    posts = [f"<p><font color=red>第{i}楼 回帖内容，楼主说得对。\n" for i in range(3000)]
    html = "<html><body>\n" + "".join(posts) + "<p>版权所有 © 2008</p></body></html>"
    page = segment(Page(id="forum.html", raw=html, source="html"))
    texts_ = [line.text for line in page.lines]
    assert texts_ == [f"第{i}楼 回帖内容，楼主说得对。" for i in range(3000)] + ["版权所有 © 2008"]
    assert [line.n for line in page.lines] == list(range(1, 3002))


@pytest.mark.parametrize("html, expected", [
    ("<p>unclosed paragraph<p>second<div>third", ["unclosed paragraph", "second", "third"]),
    ("<div><p>stray close</div></span></p><p>after</p>", ["stray close", "after"]),
    ("<table><tr><td>cell<td>cell two</table><p>tail", ["cell", "cell two", "tail"]),
    ("<body><p>a<b>bold<i>both</b>italic</i></p>", ["aboldbothitalic"]),
    ("<p>attr <a href='x\" class=>broken</a> quote</p>", None),
    ("</html><p>end before start</p>", ["end before start"]),
])
def test_malformed_html_parses(html, expected):
    page = segment(Page(id="bad.html", raw=html, source="html"))
    assert page.lines
    if expected is not None:
        assert [line.text for line in page.lines] == expected


def test_page_without_text_is_an_input_error_naming_the_page():
    with pytest.raises(InputError, match="no text") as err:
        segment(Page(id="crawl/blank.html", raw="<html><body><script>x()</script></body></html>", source="html"))
    assert str(err.value).startswith("crawl/blank.html: ")


# --- titles and language -----------------------------------------------------------------------------------

def test_html_title_prefers_og_title():
    root = parse_html('<html><head><meta property="og:title" content="OG 标题">'
                      '<title>Page  title</title></head><body><p>x</p></body></html>')
    assert html_title(root) == "OG 标题"
    assert html_title(parse_html("<title> Page \n title </title><p>x</p>")) == "Page title"


def test_guess_lang_counts_characters_not_runs():
    import numpy as np

    from model.segment import _CJK_RANGES, _KANA_RANGES, _LATIN_RANGES, _count
    codes = np.frombuffer("ab中文c字カナ\U0001F600Z".encode("utf-32-le"), dtype=np.uint32)
    assert (_count(codes, _CJK_RANGES), _count(codes, _KANA_RANGES), _count(codes, _LATIN_RANGES)) == (3, 2, 4)
    # 21 Chinese characters in 3 runs, far fewer Latin letters: still zh
    assert guess_lang(segment_text("中文中文中文中文 abc 中文中文中文中文 d 中文中文中文中文中")) == "zh"


def test_guess_lang():
    assert guess_lang(segment_text("这是一个中文页面，讲述了城市里的菜市场改造的故事。")) == "zh"
    assert guess_lang(segment_text("An English page about bike lanes on Mill Street.")) == "en"
    assert guess_lang(segment_text("停电通知\n明天上午九点停电。")) == "zh"  # short, but nothing else
    assert guess_lang(segment_text("AI来了")) == "en" and guess_lang(segment_text("———")) == "other"


# --- text dumps ------------------------------------------------------------------------------------------------

def test_text_mode_line_numbers_skip_blank_lines():
    lines = segment_text("首页\n\n   \n标题\r\n正文  第一段\n\n")
    assert [(line.n, line.text) for line in lines] == [(1, "首页"), (4, "标题"), (5, "正文 第一段")]
    assert all(line.dom_path == "" and line.tag == "" for line in lines)


def test_text_mode_line_numbers_count_only_newlines_as_editors_do():
    """Form feeds, vertical tabs, U+2028, NEL and the file separators are not line ends:
    ``str.splitlines`` cut at them and the numbers drifted from the file's."""
    text = ("第一行\n第二行\x0b续\n第三行\x0c续\n第四行\u2028续\n第五行\x85续\n第六行\x1c续\n"
            "old mac\rline\r\n末行\n")
    lines = segment_text(text)
    assert [line.n for line in lines] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [line.text for line in lines][1:6] == ["第二行 续", "第三行 续", "第四行 续", "第五行 续", "第六行 续"]
    assert [line.text for line in lines][6:] == ["old mac", "line", "末行"]


def test_text_dump_fixture_line_numbers_match_the_file():
    raw = (PAGES / "en_news_bom.txt").read_text(encoding="utf-8")
    page = segment(Page(id="en.txt", raw=raw, source="text"))
    file_lines = raw.splitlines()
    assert all(file_lines[line.n - 1] == line.text for line in page.lines)
    assert len(page.lines) < len(file_lines)  # blank lines were skipped, numbers kept
    assert page.lines[-1].n == len(file_lines)


def test_guess_text_title_skips_menus_breadcrumbs_and_bylines():
    lines = segment_text("首页\n首页 > 社会 > 正文\n来源：华东日报 作者：王喆\n老旧菜市场变身社区邻里中心\n正文。")
    assert guess_text_title(lines) == "老旧菜市场变身社区邻里中心"


def test_guess_text_title_skips_a_cookie_banner():
    lines = segment_text("We use cookies to improve your experience on our site. By continuing you agree. Accept\n"
                         "Home\nNews\nCouncil approves protected bike lanes on Mill Street\nBy Sarah Collins\n")
    assert guess_text_title(lines) == "Council approves protected bike lanes on Mill Street"


def test_text_after_a_stray_closing_body_tag_is_kept():
    """libxml2 puts what follows an early </body> beside <body>; browsers show it, so must we."""
    html = ("<html><head><title>Pine boxes</title></head><body><p>Handmade pine boxes</p></body>"
            "</td></tr></table><table><tr><td><p>Call 1-888-327-8486 for general information.</p>"
            "</td></tr></table></html>").encode()
    page = segment(page_from_bytes(html, id="stray", input_format="html"))
    assert [line.text for line in page.lines] == ["Handmade pine boxes", "Call 1-888-327-8486 for general information."]
    assert page.lines[1].dom_path.startswith("body/") and page.lines[1].in_table


# --- pages the parser swallows whole ----------------------------------------------------------------

UNCLOSED = {
    # a title cut off by a template fault: libxml2 reads the rest of the page as its text
    "title": ("<html><head><title>Harbour ferry fares to rise<script src='a.js'></script></head>"
              "<body><h1>Harbour ferry fares to rise</h1><p>Fares go up by ten cents in May.</p></body></html>"),
    "title on its own line": ("<html><head><title>渡轮票价上调 - 本地新闻\n<meta charset='utf-8'>"
                              "<script>var n = 1 < 2;</script></head><body><p>轮渡票价五月起上调一角。</p></body></html>"),
    "script": ("<html><head><script>var slot = 'top';</head><body><h1>Harbour ferry fares to rise</h1>"
               "<p>Fares go up by ten cents in May.</p></body></html>"),
    "style": ("<html><head><style>p { margin: 0 }</head><body><p>Fares go up by ten cents in May.</p></body></html>"),
    "textarea": ("<html><body><form><textarea name=c>Your comment<p>Fares go up by ten cents in May.</p>"
                 "</body></html>"),
}


@pytest.mark.parametrize("case", sorted(UNCLOSED))
def test_an_unclosed_raw_text_element_does_not_swallow_the_page(case):
    """Without the mend each of these pages has no line at all (checked first)."""
    html = UNCLOSED[case]
    assert lines_of(html) == []
    page = segment(Page(id=f"{case}.html", raw=html, source="html"))
    assert page.lines[-1].text in ("Fares go up by ten cents in May.", "轮渡票价五月起上调一角。")
    assert all("<" not in line.text for line in page.lines)
    assert page.metadata["mended"] == "unclosed_raw_text"


def test_a_mended_title_is_the_title_not_the_swallowed_page():
    page = segment(Page(id="t.html", raw=UNCLOSED["title"], source="html"))
    assert page.title == "Harbour ferry fares to rise"
    page = segment(Page(id="t.html", raw=UNCLOSED["title on its own line"], source="html"))
    assert page.title == "渡轮票价上调 - 本地新闻"


def test_close_raw_text_closes_only_the_first_unclosed_element():
    html = "<script>a()</script><title>T</titlex --><style>p{}</head><body>x"
    assert close_raw_text(html) == "<script>a()</script><title>T</title></titlex --><style>p{}</head><body>x"
    assert close_raw_text("<title>T</title><script>a()</script><p>x") is None
    assert close_raw_text("<p>no raw text elements</p>") is None
    assert close_raw_text("<script>never closed, and no head end or body after it") is None


def test_text_that_libxml2_leaves_in_the_head_is_read_when_the_page_has_no_other():
    """No <body>, and an unknown tag in the head: a browser starts the body there, libxml2 does not."""
    html = ("<html><head><title>Harbour ferry fares</title><meta name=robots content=all><mbox>"
            "<table><tr><td>Home</td><td>News</td></tr></table><p>Fares go up by ten cents in May.</p></html>")
    assert lines_of(html) == []
    page = segment(Page(id="head.html", raw=html, source="html"))
    assert [line.text for line in page.lines] == ["Home", "News", "Fares go up by ten cents in May."]
    assert page.title == "Harbour ferry fares"
    assert page.metadata["mended"] == "text_in_head"


def test_a_page_that_parses_is_not_mended():
    """An unclosed <title> in the body of a page that has text elsewhere is left as the parser read it."""
    html = "<html><body><p>Intro line</p><title>x<p>after</p></body></html>"
    page = segment(Page(id="p.html", raw=html, source="html"))
    assert [line.text for line in page.lines] == texts(html)
    assert "mended" not in page.metadata


def test_ruby_annotations_are_not_glued_into_the_text():
    html = ("<html><body><p><ruby>漢<rp>(</rp><rt>かん</rt><rp>)</rp>字<rp>(</rp><rt>じ</rt><rp>)</rp></ruby>を学ぶ。</p>"
            "<p><ruby>北京<rt>Běijīng</rt></ruby>是中国的首都。</p></body></html>")
    assert texts(html) == ["漢字を学ぶ。", "北京是中国的首都。"]
