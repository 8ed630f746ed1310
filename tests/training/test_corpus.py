"""training.corpus / corpora / split / seeds: gold alignment, automatic labels, hand labels.

Most tests run on the fixture pages with hand-made gold strings; the few that
read ../shared (corpora, seeds) skip without it and read a handful of pages.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.errors import InputError
from model.read import page_from_bytes
from model.records import LABELS, Line, Page, line_hash
from model.segment import segment
from training.corpora import CorpusEntry, load_index
from training.corpus import (
    MIN_HAND_MATCH,
    align,
    apply_hand_labels,
    auto_labels,
    boilerplate_labels,
    build_page,
    dump_alignment,
    gold_plain,
    iter_corpus,
    load_hand_labels,
    squash,
)
from training.split import DEV_SHARE, is_dev, site_bucket

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]


def fixture_page(name: str) -> tuple[Page, list[str]]:
    """A fixture page segmented from its HTML, and its hand labels."""
    page = segment(page_from_bytes((DATA / "pages" / f"{name}.html").read_bytes(), id=name))
    with (DATA / "labelled" / "html_pages.jsonl").open(encoding="utf-8") as fh:
        rec = next(r for r in map(json.loads, fh) if r["id"] == f"{name}.html")
    assert [line.text for line in page.lines] == [x["text"] for x in rec["lines"]]
    return page, [x["label"] for x in rec["lines"]]


def body_gold(page: Page, labels: list[str], *, with_headline: bool = False) -> str:
    """Gold main text as benchmark files have it: re-wrapped, full-width digits, no headline."""
    paras = [line.text for line, lab in zip(page.lines, labels) if lab == "body"]
    if not with_headline:
        paras = paras[1:]
    out = []
    for text in paras:  # hard-wrap every paragraph at 20 characters, as CleanEval gold does
        out.extend(text[i:i + 20] for i in range(0, len(text), 20))
    return "\n".join(out).replace("2", "２")


def entry(**kw) -> CorpusEntry:
    base = dict(source="s", subset="sub", id="p1", url="https://www.site.example.cn/a/1.html", html="a/1.html",
                gold="a/1.txt", gold_format="plain text", lang="zh", archive="a.tar.gz")
    base.update(kw)
    return CorpusEntry(**base)


# --- squash and alignment ------------------------------------------------------------------------------------

def test_squash_normalises_width_case_space_and_entities():
    assert squash(" Ｍill  Street\n２０２４ &amp; 街道 ") == "millstreet2024&街道"


def test_align_finds_rewrapped_gold_lines():
    page, labels = fixture_page("zh_news_gbk")
    alignment = align(page, {"body": body_gold(page, labels)})
    assert alignment.gold_found > 0.9  # k-grams across paragraph joins are in no single line
    for line, lab, cov, role in zip(page.lines, labels, alignment.coverage, alignment.roles):
        if lab == "body" and line.text != page.lines[10].text:  # the headline is not in this gold
            assert cov == 1.0 and role == "body", line.text
        if lab in ("chrome", "links"):
            assert role == "", line.text
    assert alignment.coverage[1] == 0.0  # 首页


def test_align_with_unrelated_gold_finds_nothing():
    page, _ = fixture_page("zh_news_gbk")
    alignment = align(page, {"body": "这是另一篇完全无关的文章，讲的是山区的茶叶种植和采摘。" * 3})
    assert alignment.gold_found < 0.2
    assert "body" not in alignment.roles


# --- automatic labels ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["zh_news_gbk", "en_news_bom", "zh_news_utf8"])
def test_auto_labels_agree_with_hand_labels_on_fixture_pages(name):
    page, labels = fixture_page(name)
    auto = auto_labels(page, align(page, {"body": body_gold(page, labels)}))
    bars = {i for i, line in enumerate(page.lines) if "|" in line.text or line.text.startswith(("分享", "Share"))}
    for i, (line, gold, got) in enumerate(zip(page.lines, labels, auto)):
        if gold == "spam" or i in bars:  # spam is not in any gold; share/link bars ("a | b | c") are left
            # out: the gold text of these fixtures does not decide them, so auto labels may go either way
            continue
        assert got == gold, f"{name} line {i + 1} {line.text!r}: auto {got}, hand {gold}"


def test_headline_missing_from_gold_is_body():
    page, labels = fixture_page("zh_news_gbk")
    auto = auto_labels(page, align(page, {"body": body_gold(page, labels)}))
    assert page.lines[10].text == "老旧菜市场变身社区邻里中心 居民买菜看病一站办" and auto[10] == "body"


def test_byline_copied_into_the_gold_is_chrome():
    page = Page(id="p", lines=[Line(text="来源：华东日报 作者：王喆", n=1), Line(text="2024-05-12 09:30", n=2),
                               Line(text="本报讯 走进长宁路上的邻里中心，一楼是整齐的生鲜摊位。", n=3)])
    gold = "来源：华东日报 作者：王喆\n2024-05-12 09:30\n本报讯 走进长宁路上的邻里中心，一楼是整齐的生鲜摊位。"
    assert auto_labels(page, align(page, {"body": gold})) == ["chrome", "chrome", "body"]


def test_date_then_source_line_copied_into_the_gold_is_chrome():
    page, labels = fixture_page("zh_news_gbk")
    gold = body_gold(page, labels) + "\n2024-05-12 09:30 来源：华东日报 作者：王喆"
    auto = auto_labels(page, align(page, {"body": gold}))
    assert page.lines[11].text.startswith("2024-05-12") and auto[11] == "chrome"


def test_short_exact_match_far_from_the_article_is_not_body():
    lines = [Line(text="社会", n=1), Line(text="首页", n=2), Line(text="教育", n=3), Line(text="导航", n=4),
             Line(text="关于社会保障的正文第一段，讲述了很多具体的内容和细节。", n=5),
             Line(text="第二段正文，同样比较长，也出现在标准答案里面。", n=6)]
    page = Page(id="p", lines=lines)
    gold = "关于社会保障的正文第一段，讲述了很多具体的内容和细节。\n第二段正文，同样比较长，也出现在标准答案里面。社会"
    alignment = align(page, {"body": gold})
    assert alignment.roles[0] == "body"  # "社会" occurs in the gold ...
    assert auto_labels(page, alignment)[0] == "chrome"  # ... but a lone menu word far from the body is not body


def test_l3s_roles_override_boilerplate_rules():
    lines = [Line(text="A long paragraph of the article body that the gold marks as content.", n=1),
             Line(text="Reader comment: I disagree with the council on this one.", n=2)]
    page = Page(id="p", lines=lines)
    gold = {"body": lines[0].text, "chrome": lines[1].text}
    assert auto_labels(page, align(page, gold)) == ["body", "chrome"]


def _blog_page(comment_attrs: tuple[str, ...], subset: str = "dragnet_data", *,
               article_attrs: tuple[str, ...] = ("post", "entry", "content")) -> tuple[Page, dict]:
    """A blog post of two paragraphs and two reader comments, with a gold that keeps all four."""
    lines = [Line(text="The council voted on Tuesday to extend the bike lane to the river bank.", n=1,
                  attrs=article_attrs),
             Line(text="Work starts in May and should be finished before the autumn rains arrive.", n=2,
                  attrs=article_attrs),
             Line(text="Great news, I have been waiting for this lane for years now, thank you!", n=3,
                  attrs=comment_attrs),
             Line(text="About time. The old route along the high street was far too dangerous.", n=4,
                  attrs=comment_attrs)]
    page = Page(id="p", lines=lines, metadata={"subset": subset})
    return page, {"body": "\n".join(line.text for line in lines)}


def test_reader_comments_kept_by_the_gold_are_chrome():
    page, gold = _blog_page(("content", "comments", "commentlist", "comment", "body"))
    assert auto_labels(page, align(page, gold)) == ["body", "body", "chrome", "chrome"]
    page, gold = _blog_page(("content", "dsq", "thread", "post", "message"))  # Disqus
    assert auto_labels(page, align(page, gold))[2:] == ["chrome", "chrome"]


@pytest.mark.parametrize("case", ["forum page", "bbPress topic on a blog", "article in a 'comment' section",
                                  "commentary"])
def test_comment_rule_leaves_posts_and_articles_alone(case):
    if case == "forum page":
        page, gold = _blog_page(("thread", "comment", "body"), subset="forum")
    elif case == "bbPress topic on a blog":
        page, gold = _blog_page(("comments", "bbpress", "forums", "bbp", "reply", "body"))
    elif case == "article in a 'comment' section":  # no body line outside the comment markup comes first
        page, gold = _blog_page(("section", "comment", "body"), article_attrs=("section", "comment", "story"))
    else:
        page, gold = _blog_page(("column", "commentary", "body"))
    assert auto_labels(page, align(page, gold)) == ["body"] * 4


def _line(text: str, linked: bool, path: str = "body/div/ul/li") -> Line:
    return Line(text=text, n=0, dom_path=path, link_chars=len(text) if linked else 0, n_links=int(linked))


def test_boilerplate_labels_clusters_of_link_items_become_links():
    lines = [_line("首页", True), _line("正文第一段，正文第一段，正文第一段。", False, "body/div/p"),
             _line("相关推荐", False, "body/div/h3"),
             _line("全市首批社区食堂挂牌 一荤两素十二元", True), _line("地铁四号线延伸段今日试运行", True),
             _line("05-11", False), _line("Copyright © 2024 华东日报社", False, "body/div/p")]
    page = Page(id="p", lines=lines)
    body = [False, True, False, False, False, False, False]
    assert boilerplate_labels(page, body) == ["chrome", "body", "links", "links", "links", "links", "chrome"]


def test_boilerplate_labels_single_link_item_is_chrome_and_prev_next_is_links():
    lines = [_line("全市首批社区食堂挂牌 一荤两素十二元", True), _line("正文。" * 10, False, "body/div/p"),
             _line("上一篇：地铁四号线延伸段今日试运行", True, "body/div/p")]
    assert boilerplate_labels(Page(id="p", lines=lines), [False, True, False]) == ["chrome", "body", "links"]


def test_share_and_footer_link_bars_next_to_a_related_list_are_chrome():
    page, labels = fixture_page("zh_news_gbk")
    auto = auto_labels(page, align(page, {"body": body_gold(page, labels)}))
    bars = [i for i, line in enumerate(page.lines) if "|" in line.text or line.text.startswith("分享")]
    assert [auto[i] for i in bars] == ["chrome", "chrome"]


# --- gold formats -----------------------------------------------------------------------------------------------

def test_gold_plain_formats():
    cleaneval = "URL: http://x.example/1\n<p>第一段正文。\n<h>小标题\n<l>列表项"
    assert gold_plain(entry(gold_format="CleanEval markup"), cleaneval) == {"body": "第一段正文。\n小标题\n列表项"}
    readability = "<div><h1>标题</h1><p>正文 <b>加粗</b></p></div>"
    assert gold_plain(entry(subset="readability", gold_format="html"), readability) == {"body": "标题正文 加粗"}
    l3s = ('<html><body><span class="x-nc-sel1">Headline</span><span class="x-nc-sel2">Full text.</span>'
           '<span class="x-nc-sel4">Related story</span><span class="x-nc-sel5">A comment</span>'
           '<span class="x-nc-sel0">menu</span></body></html>')
    roles = gold_plain(entry(subset="L3S-GN1", gold_format="L3S annotated html"), l3s)
    assert roles == {"body": "Headline\nFull text.", "links": "Related story", "chrome": "A comment"}
    assert gold_plain(entry(), "plain gold") == {"body": "plain gold"}


def test_dragnet_comments_after_the_marker_become_chrome():
    gold = ("Why the river rose\n\nThe council met on Tuesday.\n\n\n!@#$%^&*()  COMMENTS\n\n"
            "Great post, thanks!\n\nPosted by: Jon  Mar 20, 2007 10:19:46 PM\n")
    roles = gold_plain(entry(subset="dragnet_data", gold_format="plain text (Dragnet corrected content)"), gold)
    assert roles["body"].split() == "Why the river rose The council met on Tuesday.".split()
    assert roles["chrome"].split() == "Great post, thanks! Posted by: Jon Mar 20, 2007 10:19:46 PM".split()
    page = Page(id="p", lines=[Line(text=t, n=i) for i, t in enumerate(
        ["Home News Sport", "Why the river rose", "The council met on Tuesday.", "Great post, thanks!",
         "Posted by: Jon Mar 20, 2007 10:19:46 PM"], start=1)])
    assert auto_labels(page, align(page, roles)) == ["chrome", "body", "body", "chrome", "chrome"]


# --- hand labels --------------------------------------------------------------------------------------------------

def test_hand_labels_are_applied_by_line_hash():
    page, labels = fixture_page("zh_news_big5")
    stored = [(line_hash(line.text), lab) for line, lab in zip(page.lines, labels)]
    assert apply_hand_labels(page, stored) == labels


def test_hand_labels_survive_whitespace_and_width_changes():
    page = Page(id="p", lines=[Line(text="Ｈome  News", n=1), Line(text="正文第一段。", n=2)])
    stored = [(line_hash("Home News"), "chrome"), (line_hash("正文第一段。"), "body")]
    assert apply_hand_labels(page, stored) == ["chrome", "body"]


def test_duplicate_lines_take_their_labels_in_order():
    page = Page(id="p", lines=[Line(text=t, n=i) for i, t in enumerate(["首页", "正文。", "首页"], start=1)])
    stored = [(line_hash("首页"), "chrome"), (line_hash("正文。"), "body"), (line_hash("首页"), "links")]
    assert apply_hand_labels(page, stored) == ["chrome", "body", "links"]


def test_hand_labels_that_no_longer_match_give_none():
    page, labels = fixture_page("zh_news_big5")
    stored = [(line_hash(line.text), lab) for line, lab in zip(page.lines, labels)]
    keep = int(len(stored) * MIN_HAND_MATCH) - 1
    assert apply_hand_labels(page, stored[:keep]) is None


def test_a_few_unmatched_lines_inherit_the_previous_label():
    lines = [Line(text=f"第{i}行正文内容。", n=i) for i in range(1, 41)]
    page = Page(id="p", lines=lines)
    stored = [(line_hash(line.text), "body" if i < 20 else "links") for i, line in enumerate(lines)]
    stored[25] = ("0000000000000000", "chrome")  # one line changed since it was labelled
    out = apply_hand_labels(page, stored)
    assert out[25] == "links" and out.count("chrome") == 0


def test_load_hand_labels(tmp_path):
    folder = tmp_path / "labels" / "zh"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_text(
        json.dumps({"page": "site/1.html", "archive": "x.tar.gz", "lines": [["abc", "body"], ["def", "chrome"]]})
        + "\n\n", encoding="utf-8")
    assert load_hand_labels(tmp_path / "labels") == {"site/1.html": [("abc", "body"), ("def", "chrome")]}


def test_hand_labels_with_a_subset_go_to_that_subset_only(tmp_path):
    """CleanEval and Dragnet both have a page "167": a record naming its subset labels one of them."""
    from training.corpora import CorpusEntry

    (tmp_path / "a.jsonl").write_text(
        json.dumps({"page": "167", "subset": "cleaneval-final", "archive": "x.tar.gz", "lines": [["abc", "body"]]})
        + "\n", encoding="utf-8")
    hand = load_hand_labels(tmp_path)
    assert hand == {"cleaneval-final:167": [("abc", "body")]}

    def entry(subset):
        return CorpusEntry(source="s", subset=subset, id="167", url=None, html="h", gold=None, gold_format=None,
                           lang="en", archive="x.tar.gz")

    class Stub:  # both pages have the same markup; only the record's subset tells them apart
        def html(self, e):
            return "<html><body><h1>Bridge reopens</h1><p>The bridge reopened on Monday.</p></body></html>".encode()

        def gold(self, e):
            return None

    page = segment(page_from_bytes(Stub().html(None), id="167", input_format="html"))
    hand["cleaneval-final:167"] = [(line_hash(line.text), "body") for line in page.lines]
    labelled, _ = build_page(entry("cleaneval-final"), Stub(), hand)
    assert labelled is not None and labelled.metadata["labels"] == "hand"
    assert build_page(entry("dragnet_data"), Stub(), hand) == (None, "no gold and no hand labels")


def test_bad_hand_label_record_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"page": "a", "lines": []}\n{"lines": []}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_hand_labels(tmp_path)
    assert str(err.value).startswith(f"{path}:2: ")


def test_stored_hand_labels_use_known_labels():
    hand = load_hand_labels(REPO / "data" / "labels")
    assert hand, "data/labels holds hand labels"
    assert {lab for lines in hand.values() for _, lab in lines} <= set(LABELS)


# --- split and alignment dump -----------------------------------------------------------------------------------

def test_split_is_by_site_and_stable():
    a = entry(id="1", url="https://www.news.example.cn/a/1.html")
    b = entry(id="2", url="https://news.example.cn/b/2.html")
    assert a.site == b.site == "news.example.cn"
    assert is_dev(a) == is_dev(b) == (site_bucket("news.example.cn") < DEV_SHARE)
    buckets = [site_bucket(f"site{i}.example.com") for i in range(2000)]
    assert all(0 <= x < 1 for x in buckets)
    assert 0.15 < sum(x < DEV_SHARE for x in buckets) / len(buckets) < 0.25


def test_dump_alignment_writes_one_row_per_line(tmp_path):
    page, labels = fixture_page("en_news_valley")
    for line, lab in zip(page.lines, labels):
        line.gold = lab
    out = tmp_path / "build" / "align.tsv"
    dump_alignment([page], out)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(page.lines)
    assert rows[0].split("\t")[:3] == ["en_news_valley", "1", "chrome"]


# --- ../shared: a handful of real pages ---------------------------------------------------------------------------

def _mini_corpora(shared: Path, tmp_path: Path, archive: str, ids: set[str] | None = None, n: int = 4) -> Path:
    """A corpora folder whose index lists a few pages of one small archive (no copying of pages)."""
    corpora = shared / "corpora"
    if not (corpora / "INDEX.jsonl").exists():
        pytest.skip("../shared/corpora has no INDEX.jsonl")
    rows = []
    with (corpora / "INDEX.jsonl").open(encoding="utf-8") as fh:
        for raw in fh:
            rec = json.loads(raw)
            if rec["archive"] == archive and (ids is None or rec["id"] in ids):
                rows.append(raw)
            if len(rows) == n:
                break
    if not rows:
        pytest.skip(f"no pages of {archive} in the index")
    mini = tmp_path / "corpora"
    mini.mkdir()
    (mini / "INDEX.jsonl").write_text("".join(rows), encoding="utf-8")
    (mini / archive).symlink_to(corpora / archive)
    return mini


def test_iter_corpus_on_a_few_gold_pages(shared_dir, tmp_path):
    mini = _mini_corpora(shared_dir, tmp_path, "zh-content-extraction.tar.gz", n=6)
    pages = list(iter_corpus(mini, tmp_path / "no-labels", max_pages=3))
    assert 1 <= len(pages) <= 3
    for page in pages:
        assert page.source == "html" and page.lines
        assert all(line.gold in LABELS for line in page.lines)
        assert any(line.gold == "body" for line in page.lines)
        assert page.metadata["labels"] == "auto" and page.metadata["site"]
    assert len(load_index(mini)) == 6


def test_iter_corpus_uses_hand_labels(shared_dir, tmp_path):
    hand = load_hand_labels(REPO / "data" / "labels" / "zh-news")
    page_id = sorted(hand)[0]
    mini = _mini_corpora(shared_dir, tmp_path, "zh-news-unlabelled.tar.gz", ids={page_id}, n=1)
    (page,) = iter_corpus(mini, REPO / "data" / "labels" / "zh-news", max_pages=1)
    assert page.id == page_id and page.metadata["labels"] == "hand"
    assert [line.gold for line in page.lines] == [lab for _, lab in hand[page_id]][: len(page.lines)]


def test_seed_pages_load_with_labels(shared_dir):
    from training.seeds import load_seed_pages

    seeds = shared_dir / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds not found")
    pages = load_seed_pages(seeds)
    assert len(pages) == 5
    assert all(line.gold in LABELS for page in pages for line in page.lines)
    assert {line.gold for page in pages for line in page.lines} == set(LABELS)
    with_spans = {page.id[:3] for page in pages if any(line.gold_spans for line in page.lines)}
    assert {"000", "004"} <= with_spans
    for page in pages:
        for line in page.lines:
            assert all(0 <= s < e <= len(line.text) for s, e in line.gold_spans)


def test_handlabel_patch_changes_only_the_named_lines_and_keeps_one_record(shared_dir, tmp_path):
    from training.handlabel import patch

    mini = _mini_corpora(shared_dir, tmp_path, "zh-content-extraction.tar.gz", n=1)
    labels_dir, out = tmp_path / "labels", tmp_path / "labels" / "fixes.jsonl"
    (page,) = iter_corpus(mini, labels_dir, max_pages=1)
    before = [line.gold for line in page.lines]
    ref = f"{page.metadata['subset']}:{page.id}"
    first, last = page.lines[0].n, page.lines[1].n
    fixes = tmp_path / "fixes.txt"
    fixes.write_text(f"# page {ref}\n{first} spam\n", encoding="utf-8")
    patch(fixes, out, mini, labels_dir)  # no record yet: a new one from the automatic labels
    fixes.write_text(f"# page {ref}\n{last} spam\n", encoding="utf-8")
    patch(fixes, out, mini, labels_dir)  # now the stored record is patched in place
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    (again,) = iter_corpus(mini, labels_dir, max_pages=1)
    assert again.metadata["labels"] == "hand"
    assert [line.gold for line in again.lines] == ["spam", "spam"] + before[2:]


class _OnePage:
    """An ``Archives`` stand-in holding one page and its gold."""

    def __init__(self, html: bytes, gold: str) -> None:
        self._html, self._gold = html, gold

    def html(self, entry: CorpusEntry) -> bytes:
        return self._html

    def gold(self, entry: CorpusEntry) -> str:
        return self._gold


def test_a_page_readable_only_by_a_mend_neither_trains_nor_scores():
    """``linesift clean`` reads a page whose <title> is never closed; the corpus leaves it out."""
    article = "<h1>渡轮票价五月起上调</h1><p>市交通局昨日宣布，轮渡单程票价自五月一日起上调一角，月票价格不变。</p>"
    gold = "渡轮票价五月起上调\n市交通局昨日宣布，轮渡单程票价自五月一日起上调一角，月票价格不变。"
    broken = f"<html><head><title>渡轮票价上调<script>x()</script></head><body>{article}</body></html>"
    whole = f"<html><head><title>渡轮票价上调</title></head><body>{article}</body></html>"
    page, reason = build_page(entry(), _OnePage(whole.encode(), gold), {})
    assert page is not None and reason == ""
    page, reason = build_page(entry(), _OnePage(broken.encode(), gold), {})
    assert page is None and reason == "unreadable: mended (unclosed_raw_text)"
