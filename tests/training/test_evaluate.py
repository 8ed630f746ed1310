"""training.evaluate: body-token F1, gold text, and the line-level report."""
from __future__ import annotations

from collections import Counter

import pytest

from model.records import LABELS
from training.evaluate import evaluate, format_report, gold_text, predict_pages, token_f1, tokens


# --- tokens and token F1 -----------------------------------------------------------------------------------

def test_tokens_cjk_per_character_other_scripts_per_word():
    assert tokens("居民买菜 Mill Street, 2024!") == ["居", "民", "买", "菜", "mill", "street", "2024"]
    assert tokens("渡輪 ＡＢ 航線") == ["渡", "輪", "ａｂ", "航", "線"]
    assert tokens("カタカナ") == ["カ", "タ", "カ", "ナ"]
    assert tokens("— ，。!") == []


def test_tokens_latin_glued_to_chinese_still_splits_cjk_per_character():
    assert tokens("使用xAI平台") == ["使", "用", "xai", "平", "台"]


def test_token_f1_chinese_is_per_character():
    p, r, f = token_f1("菜市场改造", "菜市场")
    assert (p, r) == (pytest.approx(3 / 5), 1.0)
    assert f == pytest.approx(2 * 0.6 / 1.6)


def test_token_f1_english_is_per_word_and_counts_repeats():
    p, r, f = token_f1("the bike lane the", "the bike lanes")
    assert p == pytest.approx(2 / 4) and r == pytest.approx(2 / 3)
    assert f == pytest.approx(2 * (1 / 2) * (2 / 3) / (1 / 2 + 2 / 3))


@pytest.mark.parametrize("pred, gold, expected", [
    ("", "", (1.0, 1.0, 1.0)),
    ("相同的文本", "相同的文本", (1.0, 1.0, 1.0)),
    ("", "正文", (0.0, 0.0, 0.0)),
    ("首页", "", (0.0, 0.0, 0.0)),
    ("首页 Home", "正文 text", (0.0, 0.0, 0.0)),
])
def test_token_f1_edge_cases(pred, gold, expected):
    assert token_f1(pred, gold) == expected


def test_token_f1_ignores_line_breaks_and_order():
    assert token_f1("第二段\n第一段", "第一段 第二段")[2] == 1.0


# --- gold text -------------------------------------------------------------------------------------------------

def test_gold_text_keeps_body_and_cuts_spans(make_page):
    sentence = "图书馆提供四百个座位，钦州市某某商贸有限公司主要面向学生。"
    start = sentence.index("钦州市")
    page = make_page(["首页", "市图书馆试行夜间开放", sentence, "加微信 bf2024 购买考试答案", "相关新闻", "京ICP备88880000号"],
                     ["chrome", "body", "spam", "spam", "links", "chrome"],
                     spans={2: [(start, start + len("钦州市某某商贸有限公司"))]})
    assert gold_text(page) == "市图书馆试行夜间开放\n图书馆提供四百个座位，主要面向学生。"


def test_gold_text_with_several_spans(make_page):
    page = make_page(["ab某某cd某某ef"], ["spam"], spans={0: [(2, 4), (6, 8)]})
    assert gold_text(page) == "abcdef"


# --- the report ------------------------------------------------------------------------------------------------

def test_evaluate_report(tiny_model, labelled_pages):
    pages = [p for p in labelled_pages if p.source == "text"]
    report = evaluate(tiny_model, pages)
    gold = [line.gold for p in pages for line in p.lines]
    assert report.n_pages == len(pages) and report.n_lines == len(gold)
    assert list(report.per_class) == list(LABELS)
    for label in LABELS:
        assert report.per_class[label]["support"] == gold.count(label)
    assert [sum(row) for row in report.confusion] == [gold.count(label) for label in LABELS]
    assert 0.0 <= report.macro_f1 <= 1.0
    assert len(report.per_page) == len(pages)
    assert report.body_token["f1"] == pytest.approx(sum(r["f1"] for r in report.per_page) / len(pages))
    assert set(report.to_dict()) >= {"macro_f1", "confusion", "baseline_macro_f1", "body_token", "per_class"}
    assert "per_page" not in report.to_dict()


def test_baseline_is_the_prior_classifier(tiny_model, labelled_pages):
    """DummyClassifier(prior) predicts the majority class: its macro F1 is 2f/(1+f) / n_present."""
    pages = [p for p in labelled_pages if p.source == "text"]
    counts = Counter(line.gold for p in pages for line in p.lines)
    share = counts.most_common(1)[0][1] / sum(counts.values())
    report = evaluate(tiny_model, pages)
    assert report.baseline_macro_f1 == pytest.approx(2 * share / (1 + share) / len(counts))
    assert report.macro_f1 > report.baseline_macro_f1


def test_format_report_lists_every_class_and_the_baseline(tiny_model, labelled_pages):
    text = format_report(evaluate(tiny_model, labelled_pages[:2]))
    lines = text.splitlines()
    assert lines[0] == f"2 pages, {sum(len(p.lines) for p in labelled_pages[:2])} lines"
    for label in LABELS:
        assert any(line.startswith(f"{label:8s} ") for line in lines)
    assert "DummyClassifier prior baseline" in text
    assert text.count("\n") == len(lines) - 1


def test_predict_pages_leaves_the_gold_pages_untouched(tiny_model, labelled_pages):
    page = labelled_pages[0]
    gold = [line.gold for line in page.lines]
    (predicted,) = predict_pages(tiny_model, [page])
    assert predicted is not page
    assert all(line.label is None and line.pred is None for line in page.lines)
    assert [line.gold for line in predicted.lines] == gold
    assert all(line.label in LABELS for line in predicted.lines)
