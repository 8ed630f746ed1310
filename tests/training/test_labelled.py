"""training.labelled: JSONL (html and text sources) and TSV training data, and its errors."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from model.errors import InputError
from training.labelled import read_labelled, read_tsv, write_jsonl

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"


def write(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def record(**kw):
    base = {"id": "p1", "url": "https://a.example.cn/1.html",
            "lines": [{"text": "首页", "label": "chrome"}, {"text": "正文第一段。", "label": "body"}]}
    base.update(kw)
    return base


# --- the fixture files -------------------------------------------------------------------------------------

def test_reads_all_fixture_files():
    pages = read_labelled([LABELLED / "html_pages.jsonl", LABELLED / "text_pages.jsonl", LABELLED / "hand.tsv"])
    assert len(pages) == 8 + 4 + 2
    assert all(line.gold in ("body", "spam", "links", "chrome") for p in pages for line in p.lines)
    assert {p.source for p in pages} == {"html", "text"}


def test_html_records_are_segmented_and_matched(page_lines):
    pages = {p.id: p for p in read_labelled([LABELLED / "html_pages.jsonl"])}
    page = pages["zh_news_gbk.html"]
    expected = page_lines("zh_news_gbk")
    assert page.source == "html"
    assert [(line.text, line.gold) for line in page.lines] == [(x["text"], x["label"]) for x in expected]
    assert [line.n for line in page.lines] == list(range(1, len(expected) + 1))
    # matched lines carry the DOM context of the real segmentation
    nav = page.lines[1]
    assert nav.text == "首页" and nav.tag == "li" and "nav" in nav.attrs
    assert page.metadata["site"] == "hd-daily.example.cn"
    assert page.lang == "zh"
    assert page.title == "老旧菜市场变身社区邻里中心 居民买菜看病一站办_华东日报"


def test_text_records_keep_gold_spans():
    pages = {p.id: p for p in read_labelled([LABELLED / "text_pages.jsonl"])}
    page = pages["zh_news_lying.txt"]
    assert page.source == "text" and page.lines[0].tag == ""
    (spam,) = [line for line in page.lines if line.gold_spans]
    assert spam.gold == "spam"
    (start, end), = spam.gold_spans
    assert spam.text[start:end] == "钦州市某某商贸有限公司"


def test_tsv_pages_ids_and_comments():
    pages = list(read_tsv(LABELLED / "hand.tsv"))
    assert [p.id for p in pages] == ["zh_forum.tsv", "en_news_valley.tsv"]
    assert pages[0].lines[0].text == "绿洲论坛 登录 立即注册 找回密码"
    assert pages[1].lang == "en" and pages[0].lang == "zh"
    assert pages[0].metadata["site"] == "zh_forum.tsv"
    assert not any(line.text.startswith("#") for p in pages for line in p.lines)


def test_a_tsv_id_line_starts_a_new_page_even_without_a_blank_line(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("#id a\nchrome\t首页\nbody\t正文一。\n#id b\nbody\t正文二。\n", encoding="utf-8")
    assert [(p.id, [ln.text for ln in p.lines]) for p in read_tsv(path)] == [("a", ["首页", "正文一。"]),
                                                                             ("b", ["正文二。"])]


def test_tsv_without_ids_numbers_its_pages(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("chrome\tHome\nbody\tText one.\n\n\nBODY\tSecond page.\n", encoding="utf-8")
    pages = list(read_tsv(path))
    assert [p.id for p in pages] == [f"{path}#1", f"{path}#2"]
    assert pages[1].lines[0].gold == "body"  # labels are case-insensitive


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(record(), ensure_ascii=False) + "\n")
    (page,) = read_labelled([path])
    assert [line.gold for line in page.lines] == ["chrome", "body"]


def test_write_jsonl_round_trip(tmp_path):
    pages = read_labelled([LABELLED / "text_pages.jsonl"])
    out = tmp_path / "copy.jsonl"
    assert write_jsonl(pages, out) == 4
    again = read_labelled([out])
    assert [[(l.text, l.gold, l.gold_spans) for l in p.lines] for p in again] == \
           [[(l.text, l.gold, l.gold_spans) for l in p.lines] for p in pages]


# --- errors name the file and the line ---------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    (record(lines=[{"text": "首页", "label": "nav"}]), "lines[0]: unknown label 'nav'"),
    (record(lines=[{"text": "首页"}]), "lines[0] needs 'text' and 'label'"),
    (record(lines=[{"label": "body"}]), "lines[0] needs 'text' and 'label'"),
    (record(lines=[]), "missing or empty 'lines'"),
    ({"id": "p"}, "missing or empty 'lines'"),
    ([1, 2], "expected a JSON object"),
    (record(source="pdf"), "'source' must be 'html' or 'text'"),
    (record(lines=[{"text": "首页", "label": "spam", "spans": [[0, 9]]}]), "span [0, 9] is outside the line"),
    (record(lines=[{"text": "首页", "label": "spam", "spans": "0-1"}]), "'spans' must be a list"),
    (record(lines=[{"text": "", "label": "body"}]), "lines[0]: 'text' must be a non-empty string"),
    (record(lines=[{"text": "首页内容", "label": "spam", "spans": [[1.7, 2.2]]}]), "pairs of integers"),
    (record(lines=[{"text": None, "label": "body"}]), "lines[0]: 'text' must be a non-empty string"),
    (record(url=123), "'url' must be a string or null, not int"),
    (record(title=["a"]), "'title' must be a string or null, not list"),
])
def test_jsonl_errors_name_file_and_line(tmp_path, bad, message):
    path = write(tmp_path / "data.jsonl", record(), bad)
    with pytest.raises(InputError) as err:
        read_labelled([path])
    assert str(err.value).startswith(f"{path}:2: ")
    assert message in str(err.value)


def test_invalid_json_names_file_and_line(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(record()) + "\n\n{broken\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON") as err:
        read_labelled([path])
    assert str(err.value).startswith(f"{path}:3: ")


def test_a_file_that_cannot_be_read_to_its_end_names_file_and_line(tmp_path):
    good = (json.dumps(record(), ensure_ascii=False) + "\n").encode()
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(good + "\n".join([json.dumps(record())] * 3000).encode() + b"\n\xff\xfe\n")
    not_gz = tmp_path / "plain.jsonl.gz"
    not_gz.write_bytes(good)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(good * 500)[:200])
    for path, message in ((latin, "not UTF-8"), (not_gz, "BadGzipFile"), (cut, "cannot read further")):
        with pytest.raises(InputError, match=message) as err:
            read_labelled([path])
        assert str(err.value).startswith(f"{path}:")


def test_a_bom_before_the_first_record_is_dropped(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(record(), ensure_ascii=False) + "\n").encode())
    tsv = tmp_path / "bom.tsv"
    tsv.write_bytes("\ufeffbody\t正文第一段。\nchrome\t首页\n".encode())
    assert len(read_labelled([path])) == 1 and [ln.gold for ln in read_labelled([tsv])[0].lines] == ["body", "chrome"]


def test_html_record_whose_lines_are_not_in_the_page(tmp_path):
    bad = record(source="html", html="<html><body><p>完全不同的页面内容</p><p>另一段</p></body></html>")
    path = write(tmp_path / "data.jsonl", bad)
    with pytest.raises(InputError, match="only 0 of 2 labelled lines were found") as err:
        read_labelled([path])
    assert str(err.value).startswith(f"{path}:1: ")


def test_html_record_drops_unlabelled_segments_and_renumbers(tmp_path):
    html = "<html><body><ul><li>首页</li></ul><p>广告位</p><p>正文第一段。</p></body></html>"
    (page,) = read_labelled([write(tmp_path / "d.jsonl", record(source="html", html=html))])
    assert [(line.n, line.text, line.gold) for line in page.lines] == [(1, "首页", "chrome"), (2, "正文第一段。", "body")]


@pytest.mark.parametrize("content, line, message", [
    ("chrome\t首页\nheader\t国内\n", 2, "unknown label 'header'"),
    ("chrome\t首页\nbody 正文没有制表符\n", 2, "expected 'label<TAB>text'"),
    ("# c\nchrome\t\n", 2, "expected 'label<TAB>text'"),
])
def test_tsv_errors_name_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "hand.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_labelled([path])
    assert str(err.value).startswith(f"{path}:{line}: ")
    assert message in str(err.value)


def test_unknown_extension_missing_file_and_no_pages(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown training data format"):
        read_labelled([csv])
    with pytest.raises(InputError, match="no such file"):
        read_labelled([tmp_path / "absent.jsonl"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no labelled pages"):
        read_labelled([empty])


def test_a_page_id_given_twice_is_an_error_naming_both_places(tmp_path):
    first = write(tmp_path / "a.jsonl", record(id="p1"), record(id="p2"))
    second = write(tmp_path / "b.jsonl", {"id": "p9", "lines": [{"text": "正文。", "label": "body"}]}, record(id="p2"))
    with pytest.raises(InputError, match=rf"b\.jsonl:2: page id 'p2' was already given at .*a\.jsonl:2"):
        read_labelled([first, second])
    tsv = tmp_path / "hand.tsv"
    tsv.write_text("#id t1\nbody\t第一页正文。\n\n#id t2\nbody\t第二页。\n\n\n#id t1\nchrome\t首页\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"hand\.tsv:8: page id 't1' was already given at .*hand\.tsv:1"):
        read_labelled([tsv])
    assert [p.id for p in read_labelled([first])] == ["p1", "p2"]  # distinct ids pass


def test_spans_of_an_html_record_follow_the_text_as_linesift_segments_it(tmp_path):
    text = "Hello   world,  this is a sentence.  CASINO  bonus here"
    start = text.index("CASINO")
    path = write(tmp_path / "lab.jsonl", {
        "id": "p1", "html": f"<p>{text}</p><p>Second line here.</p>",
        "lines": [{"text": text, "label": "spam", "spans": [[start, start + len("CASINO  bonus")]]},
                  {"text": "Second line here.", "label": "body"}]})
    (page,) = read_labelled([path])
    line = page.lines[0]
    assert line.text == "Hello world, this is a sentence. CASINO bonus here"
    assert [line.text[a:b] for a, b in line.gold_spans] == ["CASINO bonus"]


def test_a_span_missing_from_the_segmented_line_is_an_error_naming_the_line(tmp_path):
    # full-width letters in the labels, half-width in the page: the lines match (NFKC), the span's text does not
    path = write(tmp_path / "lab.jsonl", {
        "id": "p1", "html": "<p>点击  CASINO 立即领取</p><p>第二行。</p>",
        "lines": [{"text": "点击 ＣＡＳＩＮＯ 立即领取", "label": "spam", "spans": [[3, 9]]},
                  {"text": "第二行。", "label": "body"}]})
    with pytest.raises(InputError, match=r"lab\.jsonl:1: lines\[0\]: span \[3, 9\] \('ＣＡＳＩＮＯ'\) is not in the line"):
        read_labelled([path])


def test_an_html_record_with_no_text_names_its_file_and_line(tmp_path):
    path = write(tmp_path / "lab.jsonl", record(id="p1"),
                 {"id": "p2", "html": "<html><body><script>x</script></body></html>",
                  "lines": [{"text": "a", "label": "body"}]})
    with pytest.raises(InputError, match=r"lab\.jsonl:2: p2: no text found"):
        read_labelled([path])


def test_a_moved_span_stays_on_the_same_occurrence_of_its_words(tmp_path):
    text = "Claim    your    bonus now, or read about the casino bonus rules below."
    start = text.index("bonus")
    path = write(tmp_path / "lab.jsonl", {
        "id": "p1", "html": f"<p>{text}</p><p>Second line here.</p>",
        "lines": [{"text": text, "label": "spam", "spans": [[start, start + 5]]},
                  {"text": "Second line here.", "label": "body"}]})
    line = read_labelled([path])[0].lines[0]
    (a, b), = line.gold_spans
    assert line.text[a:b] == "bonus" and line.text[:b] == "Claim your bonus"
