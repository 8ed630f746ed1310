"""Tests for model/spans.py: candidates, regexes, the detector contract, seeds 000/004.

Fixture texts below were written for these tests. The seed tests read
../shared (skipped without it) and train a detector on the corpora's train split.
"""
from __future__ import annotations

import io
import os
import random
from pathlib import Path

import joblib
import numpy as np
import pytest

from model.records import Page
from model.spans import (
    COMPANY_RE, FORMS, ROW_NAMES, Candidate, CharBigramLM, SpanDetector, TitleIndex, choose_spans,
    detect_spans, english_spam_spans, form_spans, gambling_spans, is_pinyin, page_candidates, predict_spans,
    valid_piece,
)
from training.inject import inject_english, inject_forms, inject_page, page_from_lines
from training.spans_train import candidate_rows

SHARED = Path(os.environ.get("LINESIFT_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))

TITLE = "星河电池厂扩建计划落地：三年内产能翻番"
ARTICLE = [
    TITLE,
    "本报记者 王晓明",
    "记者从星河电池厂获悉，其位于城东开发区的扩建计划已经获得批准，预计三年内产能翻番。厂方表示，新厂房将主要生产储能电池，计划招聘工人八百名。",
    "据介绍，扩建计划总投资约十二亿元，其中一半来自银行贷款。厂方负责人说，产能翻番之后，工厂将成为本省最大的储能电池供应商之一。",
    "业内人士认为，储能市场需求旺盛，但原材料价格波动较大，扩建的效益仍有待观察。",
    "当地政府表示，将在土地、用电等方面给予支持，并督促企业做好环保工作。",
]
#: Legitimate 某某 (an anonymised judgment) and title words right after commas.
COURT_TITLE = "电池厂货款纠纷案二审宣判"
COURT = [
    COURT_TITLE,
    "原告赤峰市某某机械有限公司诉称，被告张某某于2021年向其购买电池设备，货款三十万元至今未付。",
    "经审理查明，上海某某投资管理有限公司系本案第三人，货款纠纷发生时，张某某担任该公司经理。",
    "本院认为，电池设备买卖合同合法有效，货款纠纷应按合同约定处理，二审宣判维持原判。",
    "宣判后，双方当事人均表示服从判决，电池厂负责人称将尽快支付货款。",
]


def _page(lines: list[str], title: str | None = None) -> Page:
    page = page_from_lines(lines, id="fixture", title=title or lines[0])
    for line in page.lines:
        line.label = "body"
    return page


@pytest.fixture(scope="module")
def tiny_detector() -> SpanDetector:
    """A detector fitted in about a second on injected copies of the fixture articles."""
    pages = []
    for k in range(40):
        src = page_from_lines(ARTICLE if k % 2 else COURT, id=f"fx{k}")
        pages.append(inject_page(src, random.Random(k)) if k % 4 else src)
    X, y, _ = candidate_rows(pages, None)
    lm = CharBigramLM(bits=12).fit(ARTICLE + COURT)
    return SpanDetector(char_lm=lm, max_iter=30, random_state=0).fit(X, y)


# ------------------------------------------------------------------ pieces and regexes
def test_title_pieces_take_one_latin_letter_next_to_cjk_but_not_whole_words():
    title = "马斯克AI巨头"
    assert valid_piece(title, 2, 4)      # 克A
    assert valid_piece(title, 4, 6)      # I巨
    assert not valid_piece(title, 3, 6)  # AI巨: a whole Latin word
    index = TitleIndex.build(["马斯克的xAI与甲骨文谈判破裂背后:多少GPU才能满足AI巨头野心?"])
    assert index.decompose("甲I巨") == (2, False)
    assert index.decompose("谈判头野")[0] == 2
    assert index.decompose("骨文")[0] == 1
    assert index.decompose("巨甲") is None  # pieces must keep title order


def test_company_regex_needs_city_shi_mouzhou():
    # the city group is lazy but may start early; candidates pick the split (known city)
    assert COMPANY_RE.match("资阳市某某生态科技运营部布局").group() == "资阳市某某生态科技运营部"
    assert COMPANY_RE.search("领力超资阳市某某生态科技运营部布局").group().endswith("资阳市某某生态科技运营部")
    assert COMPANY_RE.search("原告上海某某投资管理有限公司诉称") is None


def test_gambling_brand_glued_into_text_is_a_span():
    text = "本届大赛吸引了众多观众金沙官方入口，现场气氛热烈。"
    (start, end), = gambling_spans(text)
    assert text[start:end] == "金沙官方入口"
    assert gambling_spans("博鱼boyu登录入口") == [(0, 10)]
    assert gambling_spans("金沙江流域今年降水偏多。") == []


LEGIT_PAGES = {
    # "银河娱乐" (Galaxy Entertainment) or "开云集团官网" (Kering) are names, not ads
    "casino news": ["澳门博彩股集体走强 银河娱乐一季度净收益同比增长62%",
                    "证券时报网讯，5月8日，澳门博彩股集体走强，银河娱乐盘中涨超5%，金沙中国、永利澳门等跟涨。",
                    "此外，威尼斯人官网显示，澳门威尼斯人度假村将于6月举办大型演唱会。",
                    "开云集团官网显示，旗下古驰品牌第一季度收入下降18%。"],
    # courts anonymise the parties of a case in the shape injectors use
    "court report": ["拖欠货款两年不还 法院判决被告公司支付货款及利息",
                     "近日，宁波市鄞州区人民法院审结一起买卖合同纠纷案，判决被告宁波市某某贸易有限公司向原告支付货款32万元及逾期利息。",
                     "法院查明，2021年3月，原告与宁波市某某贸易有限公司签订钢材买卖合同，约定货到后30日内付款。",
                     "法院审理认为，双方签订的买卖合同合法有效，宁波市某某贸易有限公司未按约定支付货款，应承担违约责任。"],
}


@pytest.mark.parametrize("mode", ["rules", "learned"])
@pytest.mark.parametrize("kind", sorted(LEGIT_PAGES))
def test_pages_that_name_casinos_or_anonymised_companies_lose_nothing(kind, mode, tiny_detector):
    page = _page(LEGIT_PAGES[kind])
    assert predict_spans(page, tiny_detector if mode == "learned" else None) == {}


def test_gambling_brands_are_cut_with_any_tail_unless_they_name_a_company_too():
    for glued in ("开云体育", "华体会体育", "亚博官方网站", "太阳城娱乐", "bob体育"):  # brands of nothing but gambling
        text = f"本届大赛吸引了众多观众{glued}，现场气氛热烈。"
        assert [text[s:e] for s, e in gambling_spans(text)] == [glued], glued
    ad = "本届大赛吸引了众多观众金沙官方入口，现场气氛热烈，银河娱乐也有参与。"
    found = predict_spans(_page(LEGIT_PAGES["casino news"][:1] + [ad]), None)
    assert [ad[s:e] for s, e in found[1]] == ["金沙官方入口", "银河娱乐"]  # with an ad, the names go too


def test_a_lesson_on_a_polyphone_keeps_its_readings():
    lines = ["多音字的读法", "例如“行”字：在“行走”中读行(xíng)，在“银行”中读行(háng)，要根据词语判断。"]
    assert form_spans(_page(lines)) == {}


def test_char_lm_prefers_seen_bigrams():
    lm = CharBigramLM(bits=10).fit(["产能翻番", "产能提升"])
    assert lm.log_prob("产", "能") > lm.log_prob("产", "番")


# ------------------------------------------------------------------ detect_spans
def test_clean_page_without_candidates_is_left_alone():
    page = _page(["今日天气", "晴转多云，气温十五到二十度，风力三级。"])
    assert detect_spans(page, None) is page
    assert all(ln.label == "body" and not ln.spans for ln in page.lines)


def test_rule_mode_cuts_fragment_with_glued_company():
    page = _page([TITLE, "记者从星河电池厂获悉，扩建赣州市某某机械有限公司其位于城东开发区的扩建计划已经获得批准。"])
    detect_spans(page, None)
    line = page.lines[1]
    assert line.label == "spam" and line.repair_reason == "spam_span"
    assert line.cleaned_text() == "记者从星河电池厂获悉，其位于城东开发区的扩建计划已经获得批准。"


def test_whole_spam_line_called_spam_stays_spam_without_spans():
    page = _page([TITLE, "注册送彩金，日赚千元，加微信领取"])
    page.lines[1].label = "spam"
    detect_spans(page, None)
    assert page.lines[1].label == "spam" and page.lines[1].spans == []


@pytest.mark.parametrize("mode", ["rules", "learned"])
def test_legit_mouzhou_and_title_words_after_commas_are_kept(mode, tiny_detector):
    detector = tiny_detector if mode == "learned" else None
    for lines in (COURT, ARTICLE):
        page = _page(lines)
        detect_spans(page, detector)
        assert [ln.cleaned_text() for ln in page.lines] == lines
        assert all(ln.label == "body" for ln in page.lines)


def test_learned_mode_repairs_an_injected_fixture(tiny_detector):
    src = page_from_lines(ARTICLE, id="fx")
    injected = inject_page(src, random.Random(12345))
    assert any(ln.gold_spans for ln in injected.lines)
    found = predict_spans(injected, tiny_detector)
    gold = {(i, s, e) for i, ln in enumerate(injected.lines) for s, e in ln.gold_spans}
    pred = {(i, s, e) for i, spans in found.items() for s, e in spans}
    assert len(gold & pred) >= 0.5 * len(gold)  # a 1-second model; accuracy is bench/spam.py's job


def test_fragment_with_glued_company_is_cut_whole_not_just_the_fragment():
    # both candidates start at one place; the bare fragment must not count as
    # support for itself and win over the fragment + company span
    cands = [Candidate(0, 10, 12, 12, "de"), Candidate(0, 10, 24, 12, "de", company=True),
             Candidate(0, 30, 32, 32, "comma")]
    scores = np.array([0.16, 0.99, 0.9])
    chosen = choose_spans(cands, scores, 0.5, ["还作", "还作", "有努"])
    assert chosen == {0: [(10, 24), (30, 32)]}


def test_a_page_whose_every_cut_is_a_whole_title_word_keeps_them_all():
    from model.spans import _drop_whole_title_words

    words = [Candidate(1, 3, 7, 7, "comma", n_pieces=1, aligned=True),
             Candidate(2, 5, 9, 9, "comma", n_pieces=1, aligned=True)]
    found = {1: [(3, 7)], 2: [(5, 9)]}
    assert _drop_whole_title_words(found, words) == {}
    # one cut through a title word ("作频" from "动作频频") shows an injector: all stay
    through = words + [Candidate(3, 0, 2, 2, "comma", n_pieces=1, aligned=False)]
    assert _drop_whole_title_words({**found, 3: [(0, 2)]}, through) == {**found, 3: [(0, 2)]}
    # so does a glued fake company, or a fragment made of two title pieces
    company = words + [Candidate(3, 0, 14, 2, "comma", n_pieces=1, aligned=True, company=True)]
    assert _drop_whole_title_words({**found, 3: [(0, 14)]}, company) == {**found, 3: [(0, 14)]}
    two = [Candidate(1, 3, 7, 7, "comma", n_pieces=2, aligned=False)]
    assert _drop_whole_title_words({1: [(3, 7)]}, two) == {1: [(3, 7)]}


# ------------------------------------------------------------------ other in-sentence forms
def _forms(lines: list[str]) -> dict[int, list[tuple[int, int, str]]]:
    return form_spans(_page(lines))


def _cut_forms(lines: list[str]) -> list[str]:
    page = _page(lines)
    detect_spans(page, None)
    return [ln.cleaned_text() for ln in page.lines]


def test_pinyin_glosses_after_common_or_traditional_characters_are_cut():
    lines = ["新区公交线路调整", "今年以来，新區的公交發(fā)展很快，新(xin)(xin)开通的线路覆盖了所有街道，"
             "乘客对线(xiàn)路调整普遍满意。"]
    assert _cut_forms(lines) == ["新区公交线路调整", "今年以来，新區的公交發展很快，新开通的线路覆盖了所有街道，"
                                 "乘客对线路调整普遍满意。"]
    kinds = {k for spans in _forms(lines).values() for _, _, k in spans}
    assert kinds == {"pinyin"}


def test_real_pinyin_glosses_enumerations_and_english_are_kept():
    lines = ["说说几个难读的字", "“饕餮（tāo tiè）”一词常用来形容贪吃的人。这个字读作䶮（yǎn），很多人第一次见都会读错。",
             "如图(a)所示，旧桥与新桥并排而立，苹果(Apple)的门店就在桥头。"]
    assert _forms(lines) == {}
    assert _cut_forms(lines) == lines
    reader = ["识字课", "我(wǒ)爱(ài)北(běi)京(jīng)天(tiān)安(ān)门(mén)，天(tiān)安(ān)门(mén)上(shàng)太(tài)阳(yáng)升(shēng)。"]
    assert _cut_forms(reader) == reader  # a pinyin reader glosses every character
    assert is_pinyin("(xin)(xin)") and is_pinyin("（diàn）")
    assert not is_pinyin("(a)") and not is_pinyin("(Apple)") and not is_pinyin("(app)")


def test_symbols_before_punctuation_are_cut_in_clusters_only():
    lines = ["新品发布会", "发布会现场气氛热烈🔥，新品预售量持续走高★，多家门店排起长队👍。厂商表示将加快供货。"]
    assert _cut_forms(lines)[1] == "发布会现场气氛热烈，新品预售量持续走高，多家门店排起长队。厂商表示将加快供货。"
    # a blog's two smileys and a temperature are the author's
    blog = ["周末做了一锅红烧肉", "第一次做红烧肉，期待大家的支持😊，做得不好请多指教，谢谢🙏！当天最高气温5℃，很适合吃肉。"]
    assert _cut_forms(blog) == blog


def test_doubled_punctuation_is_cut_but_a_lone_typo_and_ellipses_stay():
    lines = ["社区议事会召开", "会议指出,，老旧小区改造要先听居民意见，。改造方案公示后。,居民可以在一周内提出建议。"]
    assert _cut_forms(lines)[1] == "会议指出，老旧小区改造要先听居民意见。改造方案公示后。居民可以在一周内提出建议。"
    calm = ["社区议事会召开", "会议指出，，老旧小区改造要先听居民意见。大家都说好！？真的吗。。。还要再看看"]
    assert _cut_forms(calm) == calm


@pytest.mark.parametrize("form", FORMS)
def test_generated_forms_have_exact_spans_the_rules_recover(form):
    src = page_from_lines(ARTICLE, id="fx", title=TITLE)
    a = inject_forms(src, random.Random(f"t:{form}"), form)
    b = inject_forms(src, random.Random(f"t:{form}"), form)
    assert [ln.text for ln in a.lines] == [ln.text for ln in b.lines]  # seeded
    gold = {(i, s, e) for i, ln in enumerate(a.lines) for s, e in ln.gold_spans}
    assert len(gold) >= 2
    found = {(i, s, e) for i, spans in form_spans(_page([ln.text for ln in a.lines], TITLE)).items()
             for s, e, _ in spans}
    assert found == gold
    assert [ln.text for ln in src.lines] == ARTICLE  # the source page is not touched


@pytest.mark.parametrize("form", FORMS)
def test_forms_on_a_fragment_injected_page_keep_every_span_exact(form):
    from model.spans import TRAD_PINYIN

    back = {trad: simp for simp, (trad, _) in TRAD_PINYIN.items()}
    src = page_from_lines(ARTICLE, id="fx", title=TITLE)
    both = inject_forms(inject_page(src, random.Random(3)), random.Random(4), form)
    assert sum(len(ln.gold_spans) for ln in both.lines) > sum(
        len(ln.gold_spans) for ln in inject_page(src, random.Random(3)).lines)
    for line, original in zip(both.lines, ARTICLE):
        line.spans = line.gold_spans
        assert "".join(back.get(ch, ch) for ch in line.cleaned_text()) == original


def test_inject_forms_rejects_unknown_forms():
    with pytest.raises(ValueError, match="unknown form"):
        inject_forms(page_from_lines(ARTICLE, id="fx"), random.Random(0), "emoji")


# ------------------------------------------------------------------ English glued anchors
#: (injected line, the span that must be cut). Written for these tests.
EN_GLUED = [
    ("The council approved the budget on Monday, buy cheap viagra online, after a long debate.",
     "buy cheap viagra online, "),
    ("Residents welcomed the new park best online casino bonus and the playground.",
     "best online casino bonus "),
    ("The ferry will resume its winter timetable next week, order tramadol without prescription.",
     ", order tramadol without prescription"),
    ("Volunteers painted the old school hall, visit cheapmeds24.com for discount cialis, before the fair.",
     "visit cheapmeds24.com for discount cialis, "),
    ("The library extended its opening hours, payday loans no credit check, after students asked for more space.",
     "payday loans no credit check, "),
    ("Farmers expect a late harvest this year, free spins no deposit, because of the cold spring.",
     "free spins no deposit, "),
    ("The orchestra rehearsed in the town hall, Bad Credit Loans Instant Approval, while the roof was repaired.",
     "Bad Credit Loans Instant Approval, "),
]
#: News that names drugs, casinos and loans: nothing may be cut.
EN_LEGIT = [
    "The casino in Macau reported record revenue, up twelve percent on the year.",
    "Pfizer's Viagra patent expired in 2012, opening the market to generic versions.",
    "In Britain, payday loans are regulated by the FCA, which capped their interest in 2015.",
    "The state legalized sports betting, online poker, and daily fantasy games last year.",
    "Doctors warned that buying cheap viagra online, often counterfeit, is dangerous for patients.",
    "Spam emails advertising viagra, cheap cialis, and payday loans flooded inboxes in 2004.",
    "The operator, which offers free spins to new players, was fined by the gambling commission.",
    'Searches for "buy viagra online" rose sharply, the study found in the survey data.',
    "Online casino operators must verify the ages of players, the regulator said on Friday.",
    "Men buy cheap viagra online because they are embarrassed, the survey found.",
    "They found cheap viagra online, the report said, and warned readers about fake pills.",
    "Players seeking the best online casino bonus and free spins often lose money, he said.",
    "The largest site, PokerStars.com, reported a rise in players during the lockdown.",
    "Buy cheap viagra online, cialis, tramadol, order now",  # a keyword line: the classifier's job
]


def _english_page(lines: list[str]) -> Page:
    page = page_from_lines(lines, id="en-fixture", title=lines[0], lang="en")
    for line in page.lines:
        line.label = "body"
    return page


@pytest.mark.parametrize("text, cut", EN_GLUED)
def test_english_anchor_glued_into_a_sentence_is_cut_exactly(text, cut):
    start = text.index(cut)
    assert english_spam_spans(text) == [(start, start + len(cut))]


def test_english_glued_anchors_are_cut_and_sentences_read_as_written():
    lines = ["Town news in brief"] + [text for text, _ in EN_GLUED]
    page = detect_spans(_english_page(lines), None)
    for line, (text, cut) in zip(page.lines[1:], EN_GLUED):
        assert line.label == "spam" and line.repair_reason == "spam_span"
        assert line.cleaned_text() == text.replace(cut, "", 1)
        assert "  " not in line.cleaned_text() and ",," not in line.cleaned_text()


@pytest.mark.parametrize("text", EN_LEGIT)
def test_english_news_about_drugs_casinos_and_loans_loses_nothing(text):
    assert english_spam_spans(text) == []


@pytest.mark.parametrize("mode", ["rules", "learned"])
def test_english_legit_page_keeps_every_line(mode, tiny_detector):
    page = _english_page(["Regulators and the gambling trade"] + EN_LEGIT)
    found = predict_spans(page, tiny_detector if mode == "learned" else None)
    assert found == {}


def test_english_generator_is_seeded_and_its_spans_give_back_the_article():
    lines = ["Council approves new budget"] + [text.replace(cut, "", 1) for text, cut in EN_GLUED]
    src = page_from_lines(lines, id="en", title=lines[0], lang="en")
    a = inject_english(src, random.Random("t:en"))
    b = inject_english(src, random.Random("t:en"))
    assert [ln.text for ln in a.lines] == [ln.text for ln in b.lines]
    assert [ln.text for ln in src.lines] == lines  # the source page is not touched
    spans = 0
    for k in range(30):
        page = inject_english(src, random.Random(f"t:en:{k}"))
        for line, original in zip(page.lines, lines):
            line.spans = line.gold_spans
            spans += len(line.gold_spans)
            assert line.cleaned_text() == original
            assert (line.gold == "spam") == bool(line.gold_spans)
    assert spans >= 30


def test_english_generated_comma_anchors_are_mostly_found_and_nothing_else():
    lines = ["Council approves new budget"] + [text.replace(cut, "", 1) for text, cut in EN_GLUED]
    src = page_from_lines(lines, id="en", title=lines[0], lang="en")
    gold_comma = found_comma = wrong = 0
    for k in range(40):
        page = inject_english(src, random.Random(f"t:en:{k}"))
        for line in page.lines:
            found = set(english_spam_spans(line.text))
            gold = set(line.gold_spans)
            wrong += len(found - gold)
            for s, e in gold:
                if line.text[s:e].endswith(", "):
                    gold_comma += 1
                    found_comma += (s, e) in found
    assert wrong == 0
    assert found_comma >= 0.8 * gold_comma > 0


def test_model_does_not_import_training():
    import model.spans

    source = Path(model.spans.__file__).read_text(encoding="utf-8")
    assert "from training" not in source and "import training" not in source

# ------------------------------------------------------------------ estimator contract
def test_detector_is_deterministic_small_and_picklable(tiny_detector):
    page = inject_page(page_from_lines(ARTICLE, id="fx"), random.Random(7))
    _, X, _ = page_candidates(page, tiny_detector.char_lm)
    assert X.shape[1] == len(ROW_NAMES)
    pages = [inject_page(page_from_lines(ARTICLE, id=f"d{k}"), random.Random(k)) for k in range(6)]
    Xt, yt, _ = candidate_rows(pages, None)
    a = SpanDetector(max_iter=10, random_state=3).fit(Xt, yt).predict_proba(X)
    b = SpanDetector(max_iter=10, random_state=3).fit(Xt, yt).predict_proba(X)
    assert np.array_equal(a, b)
    buf = io.BytesIO()
    joblib.dump(tiny_detector, buf, compress=3)
    assert len(buf.getvalue()) < 1_000_000
    restored = joblib.load(io.BytesIO(buf.getvalue()))
    assert np.allclose(restored.predict_proba(X), tiny_detector.predict_proba(X))


def test_detector_fitted_on_features_no_longer_computed_asks_for_retraining(tiny_detector):
    import copy

    stale = copy.deepcopy(tiny_detector)
    stale.feature_names_ = ("retired_feature",) + tiny_detector.feature_names_[1:]
    page = inject_page(page_from_lines(ARTICLE, id="fx"), random.Random(7))
    _, X, _ = page_candidates(page, tiny_detector.char_lm)
    with pytest.raises(ValueError, match="retrain"):
        stale.predict_proba(X)


def test_detector_rejects_rows_of_the_wrong_width():
    with pytest.raises(ValueError, match="candidate rows"):
        SpanDetector().fit(np.zeros((4, 3)), [0, 1, 0, 1])


def test_init_only_stores_params():
    det = SpanDetector(threshold=0.7)
    assert det.get_params()["threshold"] == 0.7
    assert not hasattr(det, "second_")


# ------------------------------------------------------------------ seeds 000 / 004
SEED_000 = {
    2: "财联社5月26日讯(编辑 史正丞)种种迹象显示,随着前世界首富埃隆·马斯克的人工智能初创公司xAI成立接近一周年之际,"
       "这家公司正在加快AI领域的布局,对资本市场的映射也在不断加强。",
    3: "根据最新报道,xAI不仅正在与马斯克的“老对手”扎克伯格争夺与定制化聊天机器人团队Character.ai合作的机会,"
       "同时公司在算力建设方面的消息也颇为吸引眼球。",
    4: "与扎克伯格“冤家路窄”",
    5: "随着马斯克收购推特(现在改名为X)后,他与Meta老板扎克伯格就成了直接竞争对手。而社交媒体平台对定制化聊天AI的独特需求,"
       "也使得他们同时叩响了硅谷创业公司Character.ai的大门。",
    6: "Character.ai是一家专门开发AI聊天机器人创作平台的公司,致力于打造模拟真实人物(例如黄仁勋、爱因斯坦)"
       "或虚拟人物(例如游戏《原神》的里某个角色)语言风格的聊天机器人。",
    8: "(由用户创建并发布在平台上的“爱因斯坦机器人”,来源:Character.ai)",
}
SEED_004 = {
    4: "蓝鲸新闻7月10日讯(记者 朱俊熹)7月10日,埃隆·马斯克在社交平台X上发帖证实,旗下的人工智能初创公司xAI"
       "已结束与软件公司甲骨文关于扩大现有协议的洽谈,转向在内部自建一个用于训练AI模型的系统。",
    5: "“当我们的命运取决于成为迄今为止速度最快的公司时,我们必须自己掌握方向盘,而不是充当后座驾驶员。”马斯克表示。"
       "xAI公司在5月完成了新一轮60亿美元的融资,融资规模仅次于OpenAI,推高公司估值至240亿美元。",
    6: "xAI的野心需要更多算力支持",
    7: "据媒体此前报道,xAI正在建造一台超级计算机,计划连接10万块英伟达H100 GPU,为下一代Grok模型提供算力支持。"
       "马斯克最新透露称,这一系统正在由xAI自行搭建,目标是在本月晚些时候开始训练,将成为世界上最强大的训练集群。",
    8: "马斯克的野心或许导致了与甲骨文新谈判的破裂。硅谷科技媒体The Information报道称,在甲骨文看来,"
       "马斯克要求建造超级计算机的速度是不可能的。同时,甲骨文还担忧xAI首选地点会面临电力供应不足的问题。"
       "该媒体在5月曾报道,xAI与甲骨文已接近达成扩大双方合作关系的协议,xAI打算在未来几年内斥资100亿美元租用甲骨文的云服务器。",
}
SEED_CUTS = {
    "000": ["冤家路窄", "克A克伯", "领力超资阳市某某生态科技运营部", "域动", "作频", "频扎", "格规", "划算",
            "冤家路窄", "克A克伯", "领力超资阳市某某生态科技运营部", "域动", "作频", "频扎", "格规"],
    "004": ["甲I巨", "骨文", "谈判头野崇左市某某投资管理教育中心", "破裂", "背后", "多少", "甲I巨", "骨文",
            "谈判头野", "破裂", "背后", "多少", "甲I巨", "骨文", "谈判头野崇左市某某投资管理教育中心"],
}


@pytest.fixture(scope="module")
def seed_detector() -> SpanDetector:
    if not (SHARED / "seeds").is_dir() or not (SHARED / "corpora" / "INDEX.jsonl").exists():
        pytest.skip("../shared (seeds and corpora) not available")
    from training.spans_train import train_span_detector

    # the whole train split, as the default model's detector is trained (about
    # 15 s): a 30-page detector no longer carries every seed cut
    return train_span_detector(SHARED / "corpora")


def _seed_page(name: str) -> Page:
    from model.read import read_file
    from model.segment import segment

    path = next((SHARED / "seeds").glob(f"{name}_*.txt"))
    page = segment(read_file(path))
    for line in page.lines:  # as if the classifier had kept the article's lines
        line.label = "body"
    return page


@pytest.mark.parametrize("name, expected", [("000", SEED_000), ("004", SEED_004)])
def test_seed_injections_are_cut_and_sentences_read_as_the_article(name, expected, seed_detector):
    page = _seed_page(name)
    detect_spans(page, seed_detector)
    by_n = {ln.n: ln for ln in page.lines}
    for n, sentence in expected.items():
        assert by_n[n].cleaned_text() == sentence
    cut = [ln.text[s:e] for ln in page.lines for s, e in ln.spans]
    assert cut == SEED_CUTS[name]
    assert all(ln.label == "spam" and ln.repair_reason == "spam_span" for ln in page.lines if ln.spans)




def test_a_span_in_a_line_the_classifier_called_spam_does_not_keep_the_rest():
    """The classifier learns injected sentences as body, so its own spam lines are whole
    spam: before, a span found inside one kept the rest ("注册送88元彩金") in the text."""
    gambling = "澳门新葡京官方入口宜宾市某某建材有限公司注册送88元彩金"
    for label, expected in (("spam", ("spam", [], "spam_line")), ("body", ("spam", [(0, 9)], "spam_span"))):
        page = page_from_lines(["长江大桥维修工程今日完工", gambling], id="p", title="长江大桥维修工程今日完工")
        page.lines[0].label, page.lines[1].label = "body", label
        assert predict_spans(page, None) == {1: [(0, 9)]}
        line = detect_spans(page, None).lines[1]
        assert (line.label, line.spans, line.repair_reason) == expected


def test_one_lawsuit_sentence_spares_only_the_companies_in_it():
    from model.spans import _drop_court_parties

    lines = ["拖欠货款案宣判", "近日，法院审理一起合同纠纷案件，判决被告宁波市某某贸易有限公司支付货款。",
             "今年以来，新区的公交发展很快定西市某某影视有限公司，乘客普遍满意。"]
    page = _page(lines)
    found = {1: [(lines[1].index("宁波"), lines[1].index("支付"))], 2: [(lines[2].index("定西"), lines[2].index("，乘客"))]}
    assert _drop_court_parties(page, found, [0, 1, 2]) == {2: found[2]}


def test_a_court_sentence_glued_to_injected_text_keeps_only_the_party():
    from model.spans import _drop_court_parties

    line = "本院认为，相关纠纷已诉至法院领力超资阳市某某生态科技运营部应承担责任。"
    page = _page(["某某公司案宣判", line])
    start = line.index("领力超")
    end = line.index("应承担")
    assert _drop_court_parties(page, {1: [(start, end)]}, [0, 1]) == {1: [(start, line.index("资阳"))]}
