"""End to end: train a tiny model on all fixture pages but one, then label the held-out page.

Seeded and tiny (STYLE.md): the assertions compare with the prior baseline on
one deterministic held-out page; accuracy on real data is the eval gate's job.
"""
from __future__ import annotations

import pytest

from model.pipeline import label_bytes
from model.records import LABELS
from model.write import page_text
from training.evaluate import evaluate, gold_text, token_f1
from training.labelled import read_labelled
from training.train import TrainConfig, as_text_page, fit_model

from conftest import LABELLED_FILES, PAGES, TINY

HELD_OUT = "zh_news_utf8"
HELD_OUT_SITE = "beifang-morning.example.cn"


@pytest.fixture(scope="module")
def split():
    pages = read_labelled(LABELLED_FILES)
    train = [p for p in pages if p.metadata["site"] != HELD_OUT_SITE]
    held = [p for p in pages if p.metadata["site"] == HELD_OUT_SITE]
    assert [p.id for p in held] == [f"{HELD_OUT}.html"]
    assert not any(HELD_OUT in p.id for p in train)
    return train, held[0]


@pytest.fixture(scope="module")
def model(split):
    train, _ = split
    return fit_model(train, TrainConfig(**TINY), log=lambda message: None)


def test_held_out_html_page_beats_the_prior_baseline(model, split):
    _, held = split
    report = evaluate(model, [held])
    assert report.n_lines == len(held.lines)
    assert report.macro_f1 > report.baseline_macro_f1 + 0.4
    assert report.body_token["f1"] >= 0.9
    assert report.per_class["body"]["recall"] >= 0.8
    assert report.per_class["chrome"]["f1"] >= 0.8


def test_held_out_text_dump_beats_the_prior_baseline(model, split):
    _, held = split
    report = evaluate(model, [as_text_page(held)])
    assert report.macro_f1 > report.baseline_macro_f1 + 0.3
    assert report.body_token["f1"] >= 0.85


def test_labelling_raw_bytes_cleans_the_held_out_page(model, split):
    _, held = split
    page = label_bytes((PAGES / f"{HELD_OUT}.html").read_bytes(), model=model, id="held.html")
    assert page.source == "html" and page.lang == "zh" and page.error is None
    assert [line.text for line in page.lines] == [line.text for line in held.lines]
    assert all(line.label in LABELS for line in page.lines)
    text = page_text(page)
    assert token_f1(text, gold_text(held))[2] >= 0.9
    assert "市图书馆试行夜间开放 自习座位晚上也能预约" in text
    for junk in ("首页", "京ICP备", "相关新闻", "公共文化场馆预约服务指南", "加微信"):
        assert junk not in text, junk


def test_training_is_deterministic(split, model):
    train, held = split
    again = fit_model(train, TrainConfig(**TINY), log=lambda message: None)
    assert (again.html.predict_proba([held]) == model.html.predict_proba([held])).all()


def test_cookie_banner_first_in_a_text_dump_is_not_body(tiny_model):
    page = label_bytes((PAGES / "en_news_bom.txt").read_bytes(), model=tiny_model, id="en.txt")
    banner = page.lines[0]
    assert banner.text.startswith("We use cookies")
    assert banner.label == "chrome"


def test_clean_article_sentences_get_no_spam_spans(tiny_model):
    page = label_bytes((PAGES / "zh_news_gbk.html").read_bytes(), model=tiny_model, id="gbk.html")
    marked = [line.text[:20] for line in page.lines if line.spans]
    assert marked == []
    assert "本报讯 走进长宁路上的邻里中心" in page_text(page)


def test_label_bytes_takes_a_model_path_and_any_bytes_like_page(tiny_model, tiny_model_path):
    data = (PAGES / "en_news_bom.txt").read_bytes()
    expected = page_text(label_bytes(data, model=tiny_model, id="p"))
    for page in (label_bytes(bytearray(data), model=tiny_model_path, id="p"),
                 label_bytes(memoryview(data), model=str(tiny_model_path), id="p")):
        assert page_text(page) == expected
    for bad in (None, 42, ["<p>x</p>"]):
        with pytest.raises(TypeError, match="bytes or str"):
            label_bytes(bad, model=tiny_model)
