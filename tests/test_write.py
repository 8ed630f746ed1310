"""model.write: the JSON Lines record contract and the cleaned text."""
from __future__ import annotations

import json

import pytest

from model.write import KEEP_DEFAULT, dumps, error_record, page_record, page_text

RECORD_KEYS = ["id", "url", "lang", "title", "text", "error"]


@pytest.fixture
def labelled(make_page):
    page = make_page(
        ["首页", "市图书馆试行夜间开放", "图书馆提供四百个座位，钦州市某某商贸有限公司主要面向学生。",
         "加微信 bf2024 购买考试答案", "相关新闻", "全市中小学图书馆将向社区开放", "京ICP备88880000号"],
        title="市图书馆试行夜间开放_北方晨报", id="lib.html")
    labels = ["chrome", "body", "spam", "spam", "links", "links", "chrome"]
    for line, label in zip(page.lines, labels):
        line.pred = line.label = label
        line.score = 0.87654
    injected = "钦州市某某商贸有限公司"
    start = page.lines[2].text.index(injected)
    page.lines[2].spans = [(start, start + len(injected))]
    page.lines[2].repair_reason = "spam_span"
    page.url, page.lang = "https://example.cn/1.html", "zh"
    return page


def test_record_has_the_contract_keys_in_order(labelled):
    record = page_record(labelled)
    assert list(record) == RECORD_KEYS
    assert record["id"] == "lib.html" and record["url"] == "https://example.cn/1.html"
    assert record["lang"] == "zh" and record["title"] == "市图书馆试行夜间开放_北方晨报"
    assert record["error"] is None


def test_record_with_lines(labelled):
    record = page_record(labelled, with_lines=True)
    assert list(record) == ["id", "url", "lang", "title", "text", "lines", "error"]
    assert len(record["lines"]) == len(labelled.lines)
    first = record["lines"][0]
    assert list(first) == ["n", "text", "label", "score", "spans"]
    assert first == {"n": 1, "text": "首页", "label": "chrome", "score": 0.8765, "spans": []}
    assert record["lines"][2]["spans"] == [[list(s) for s in labelled.lines[2].spans][0]]
    assert [entry["n"] for entry in record["lines"]] == [line.n for line in labelled.lines]


def test_record_with_repair_fields(labelled):
    entry = page_record(labelled, with_lines=True, with_repair=True)["lines"][2]
    assert entry["pred"] == "spam" and entry["repair"] == "spam_span"
    assert page_record(labelled, with_lines=True, with_repair=True)["lines"][0]["repair"] is None


def test_missing_score_is_null(labelled):
    labelled.lines[0].score = None
    assert page_record(labelled, with_lines=True)["lines"][0]["score"] is None


def test_text_keeps_body_and_cuts_spam_spans(labelled):
    text = page_text(labelled)
    assert text.split("\n") == ["市图书馆试行夜间开放", "图书馆提供四百个座位，主要面向学生。"]
    assert "某某" not in text and "加微信" not in text
    assert KEEP_DEFAULT == {"body"}


def test_keep_option_selects_labels(labelled):
    assert page_text(labelled, keep={"links"}).split("\n") == ["相关新闻", "全市中小学图书馆将向社区开放"]
    both = page_text(labelled, keep={"body", "chrome"}).split("\n")
    assert both[0] == "首页" and both[-1] == "京ICP备88880000号" and len(both) == 4
    spam = page_text(labelled, keep={"spam"}).split("\n")
    assert spam == [labelled.lines[2].text, "加微信 bf2024 购买考试答案"]  # spam kept whole, spans not cut
    body_and_spam = page_text(labelled, keep={"body", "spam"}).split("\n")
    assert body_and_spam == ["市图书馆试行夜间开放", labelled.lines[2].text, "加微信 bf2024 购买考试答案"]
    assert page_text(labelled, keep=set()) == ""


def test_text_is_written_in_line_order(make_page):
    page = make_page(["b", "a", "c"])
    for line in page.lines:
        line.label = "body"
    assert page_text(page) == "b\na\nc"


def test_a_line_made_only_of_spans_leaves_nothing(make_page):
    page = make_page(["某某某某"])
    page.lines[0].label, page.lines[0].spans = "spam", [(0, 4)]
    assert page_text(page) == ""


def test_error_record_shape():
    record = error_record("crawl/bad.html", "crawl/bad.html: binary content", url="https://x.example/bad",
                          kind="decode")
    assert list(record) == RECORD_KEYS + ["error_kind"]
    assert record == {"id": "crawl/bad.html", "url": "https://x.example/bad", "lang": None, "title": None,
                      "text": "", "error": "crawl/bad.html: binary content", "error_kind": "decode"}


def test_page_with_error_becomes_an_error_record(labelled):
    labelled.error = "lib.html: cannot parse HTML"
    labelled.metadata["error_kind"] = "segment"
    record = page_record(labelled, with_lines=True)
    assert record["error"] == "lib.html: cannot parse HTML" and record["error_kind"] == "segment"
    # the keys of a page's record, in order (README: label always emits lines), then error_kind
    assert list(record) == ["id", "url", "lang", "title", "text", "lines", "error", "error_kind"]
    assert record["text"] == "" and record["lines"] == []
    assert "lines" not in page_record(labelled)


def test_dumps_is_one_line_of_utf8_json(labelled):
    out = dumps(page_record(labelled, with_lines=True))
    assert "\n" not in out
    assert "市图书馆" in out  # not \\u-escaped
    assert json.loads(out)["lines"][1]["text"] == "市图书馆试行夜间开放"
