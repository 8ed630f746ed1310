"""Tests for training/inject.py: the spam generator. Fixture text written for these tests."""
from __future__ import annotations

import random
import re

import pytest

from model.spans import COMPANY_RE, TitleIndex
from training.inject import inject_page, make_cycle, make_company, page_from_lines, spam_lines

TITLE = "星河电池厂扩建计划落地：三年内产能翻番"
LINES = [
    TITLE,
    "记者从星河电池厂获悉，其位于城东开发区的扩建计划已经获得批准，预计三年内产能翻番。厂方表示，新厂房将主要生产储能电池，"
    "计划招聘工人800名，首批设备来自ABB公司。",
    "据介绍，扩建计划总投资约十二亿元，其中一半来自银行贷款。厂方负责人说，产能翻番之后，工厂将成为本省最大的储能电池供应商之一。",
    "业内人士认为，储能市场需求旺盛，但原材料价格波动较大，扩建的效益仍有待观察。当地政府表示，将在土地、用电等方面给予支持。",
    "当地政府还表示，将督促企业做好环保工作，确保扩建项目按期完工，并定期公开排放数据，接受社会监督。",
]


def _page():
    return page_from_lines(LINES, id="fx", title=TITLE)


def _cut(text, spans):
    out, prev = [], 0
    for s, e in spans:
        out.append(text[prev:s])
        prev = e
    return "".join(out) + text[prev:]


def test_cutting_gold_spans_gives_back_the_original_text():
    for seed in range(30):
        page = inject_page(_page(), random.Random(seed))
        assert [_cut(ln.text, ln.gold_spans) for ln in page.lines] == LINES
        for ln in page.lines:
            assert (ln.gold == "spam") == bool(ln.gold_spans)


def test_injection_is_seeded_and_leaves_the_input_alone():
    src = _page()
    a = inject_page(src, random.Random(3))
    b = inject_page(src, random.Random(3))
    assert [ln.text for ln in a.lines] == [ln.text for ln in b.lines]
    assert [ln.text for ln in src.lines] == LINES and a is not src


def test_headline_is_never_touched_and_title_is_set():
    src = page_from_lines(LINES, id="fx")  # no title: taken from the first body line
    for seed in range(10):
        page = inject_page(src, random.Random(seed))
        assert page.title == TITLE
        assert page.lines[0].text == TITLE and not page.lines[0].gold_spans


def test_fragments_are_title_pieces_in_order():
    index = TitleIndex.build([TITLE])
    for seed in range(20):
        cycle = make_cycle(TITLE, random.Random(seed))
        assert 4 <= len(cycle) <= 8
        for frag in cycle:
            assert 2 <= len(frag) <= 4
            assert index.decompose(frag) is not None


def test_whole_latin_words_and_punctuation_are_never_used():
    title = "马斯克的xAI与甲骨文谈判破裂背后:多少GPU才能满足AI巨头野心?"
    for seed in range(30):
        for frag in make_cycle(title, random.Random(seed)):
            assert len(re.findall(r"[A-Za-z]", frag)) <= 1
            assert not re.search(r"[:?\s]", frag)


def test_slots_respect_numbers_latin_words_and_punctuation():
    for seed in range(40):
        page = inject_page(_page(), random.Random(seed))
        for ln in page.lines:
            for s, e in ln.gold_spans:
                before, after = ln.text[s - 1:s], ln.text[e:e + 1]
                assert not (before.isdigit() and after.isdigit())
                assert not (before.isascii() and before.isalpha() and after.isascii() and after.isalpha())
                assert after not in set("，。、；：！？”）")


def test_injection_rate_is_in_the_observed_range():
    shares = []
    for seed in range(60):
        page = inject_page(_page(), random.Random(seed))
        touched = [ln for ln in page.lines if ln.gold_spans]
        if not touched:
            continue
        injected = sum(e - s for ln in touched for s, e in ln.gold_spans)
        last = max(e for ln in touched for _, e in ln.gold_spans[-1:])
        zone = sum(len(ln.text) for ln in touched[:-1]) + last
        shares.append(injected / zone)
    mean = sum(shares) / len(shares)
    assert 0.08 < mean < 0.40, mean


def test_company_shape():
    rng = random.Random(1)
    for _ in range(20):
        company = make_company(rng)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}市某某[\u4e00-\u9fff]+", company)
        assert COMPANY_RE.fullmatch(company)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_spam_lines_are_seeded(lang):
    a = spam_lines(lang, random.Random(5), 12)
    assert a == spam_lines(lang, random.Random(5), 12)
    assert len(a) == 12 and all(a) and len(set(a)) > 6


def test_spam_lines_unknown_language():
    with pytest.raises(ValueError, match="expected 'zh' or 'en'"):
        spam_lines("fr", random.Random(0), 1)


def test_synthetic_spam_lines_come_scattered_or_as_one_block_and_are_reproducible():
    from training.commands import add_synthetic_spam

    def pages():
        return [page_from_lines([f"第{k}段正文，记者在现场看到居民排队领取物资。" for k in range(30)], id=f"p{i}")
                for i in range(200)]

    first, info = add_synthetic_spam(pages(), seed=3)
    again, _ = add_synthetic_spam(pages(), seed=3)
    assert [[l.text for l in p.lines] for p in first] == [[l.text for l in p.lines] for p in again]
    runs = []
    for page in first:
        assert [l.n for l in page.lines] == list(range(1, len(page.lines) + 1))
        flags = [l.gold == "spam" and not l.gold_spans for l in page.lines]
        if any(flags):
            longest = max(len(r) for r in "".join("s" if f else "." for f in flags).split(".") if r)
            runs.append((sum(flags), longest))
    assert info["line_pages"] == len(runs) > 20
    assert any(longest >= 3 and longest == total for total, longest in runs)  # an ad column
    assert any(total <= 3 for total, _ in runs)  # scattered lines
    # a page's spam depends on the seed and its id only, not on the pages before it
    alone, _ = add_synthetic_spam(pages()[150:], seed=3)
    assert [[l.text for l in p.lines] for p in alone] == [[l.text for l in p.lines] for p in first[150:]]
    other, _ = add_synthetic_spam(pages(), seed=4)
    assert [[l.text for l in p.lines] for p in other] != [[l.text for l in p.lines] for p in first]
