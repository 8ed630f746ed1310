"""model.repair: the headline and gap rules, on plain label lists (no HTML)."""
from __future__ import annotations

import pytest

from model.repair import (
    GAP_MIN_BODY_PROBA,
    HEADLINE_MIN_SIM,
    HEADLINE_WINDOW,
    LONE_BODY_MAX_CHARS,
    TEASER_MAX_CHARS,
    bullet_key,
    find_headline,
    is_comment_heading,
    is_comment_signature,
    is_paragraph,
    is_related_heading,
    is_sentence,
    repair,
    repair_labels,
    signer,
    title_similarity,
)


def proba(body: float) -> tuple[float, float, float, float]:
    """A probability row (body, spam, links, chrome) with the given body share."""
    return (body, 0.0, 0.0, 1.0 - body)


def run(labels, sims=None, body_probas=None):
    sims = sims or [0.0] * len(labels)
    probas = [proba(p) for p in (body_probas or [0.1] * len(labels))]
    return repair_labels(labels, probas, sims)


# --- headline rule -------------------------------------------------------------------------------------

def test_headline_predicted_chrome_becomes_body():
    labels, reasons = run(["chrome", "chrome", "chrome", "body", "body"], sims=[0, 0.2, 0.9, 0.1, 0])
    assert labels == ["chrome", "chrome", "body", "body", "body"]
    assert reasons == ["", "", "headline", "", ""]


def test_best_matching_line_wins():
    labels, reasons = run(["chrome", "chrome", "body"], sims=[0.7, 0.95, 0.0])
    assert labels == ["chrome", "body", "body"]
    assert reasons == ["", "headline", ""]


def test_headline_already_body_has_no_reason():
    labels, reasons = run(["chrome", "body", "body"], sims=[0.1, 0.9, 0.0])
    assert labels == ["chrome", "body", "body"]
    assert reasons == ["", "", ""]


def test_weak_title_match_is_not_a_headline():
    low = HEADLINE_MIN_SIM - 0.01
    labels, reasons = run(["chrome", "chrome", "body"], sims=[0.0, low, 0.0])
    assert labels == ["chrome", "chrome", "body"]
    assert reasons == ["", "", ""]


def test_headline_far_before_the_article_is_not_touched():
    n_before = HEADLINE_WINDOW + 3
    labels = ["chrome"] * n_before + ["body"]
    sims = [0.9] + [0.0] * n_before  # the title matches only the very first line, far from the body
    out, reasons = run(labels, sims=sims)
    assert out == labels and set(reasons) == {""}


def test_headline_is_searched_only_before_the_article():
    # a related-list item after the body start that repeats title words stays links
    labels = ["chrome", "body", "body", "links"]
    out, reasons = run(labels, sims=[0.0, 0.0, 0.0, 0.9])
    assert out == labels and reasons == ["", "", "", ""]


def test_a_page_without_article_gets_no_headline():
    # a list page: nothing is body, the site name matches <title>; it must not become a one-line article
    labels, reasons = run(["chrome", "links", "links"], sims=[0.9, 0.0, 0.0], body_probas=[0.4, 0.1, 0.1])
    assert labels == ["chrome", "links", "links"] and reasons == ["", "", ""]


def test_find_headline_returns_index_or_none():
    assert find_headline(["chrome", "chrome", "body"], [0.0, 0.8, 0.3]) == 1
    assert find_headline(["chrome", "chrome", "body"], [0.0, 0.1, 0.3]) is None


def test_site_name_matching_a_title_piece_loses_the_tie_to_the_headline():
    # <title>Headline | Site Name</title>: the masthead's "Site Name" and the <h1> both match a piece exactly
    title = "Why our allotment switched to drip irrigation | Green Patch Diaries"
    lines = ["Green Patch Diaries", "Home", "Why our allotment switched to drip irrigation", "Last summer ..."]
    sims = [title_similarity(text, title) for text in lines]
    assert sims[0] == sims[2] == 1.0
    assert find_headline(["chrome", "chrome", "chrome", "body"], sims) == 2
    labels, reasons = run(["chrome", "chrome", "chrome", "body"], sims, [0.5, 0.1, 0.3, 0.9])
    assert labels[:3] == ["chrome", "chrome", "body"] and reasons[2] == "headline"


# --- gap rule ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["chrome", "links"])
def test_unsure_line_between_body_lines_becomes_body(label):
    labels, reasons = run(["body", label, "body"], body_probas=[0.9, GAP_MIN_BODY_PROBA, 0.9])
    assert labels == ["body", "body", "body"]
    assert reasons == ["", "gap", ""]


def test_confident_non_body_line_in_a_gap_stays():
    labels, reasons = run(["body", "chrome", "body"], body_probas=[0.9, GAP_MIN_BODY_PROBA - 0.01, 0.9])
    assert labels == ["body", "chrome", "body"] and reasons == ["", "", ""]


def test_spam_in_a_gap_is_never_flipped():
    labels, reasons = run(["body", "spam", "body"], body_probas=[0.9, 0.49, 0.9])
    assert labels == ["body", "spam", "body"] and reasons == ["", "", ""]


def test_two_line_gap_is_not_filled():
    labels, _ = run(["body", "chrome", "chrome", "body"], body_probas=[0.9, 0.4, 0.4, 0.9])
    assert labels == ["body", "chrome", "chrome", "body"]


def test_gap_rule_ignores_the_page_edges():
    labels, _ = run(["chrome", "body", "chrome"], body_probas=[0.9, 0.9, 0.9])
    assert labels == ["chrome", "body", "chrome"]


def test_alternating_gaps_are_each_filled():
    labels, reasons = run(["body", "links", "body", "chrome", "body"], body_probas=[0.9, 0.3, 0.9, 0.3, 0.9])
    assert labels == ["body"] * 5
    assert reasons == ["", "gap", "", "gap", ""]


def test_input_lists_are_not_modified():
    labels = ["body", "chrome", "body"]
    run(labels, body_probas=[0.9, 0.5, 0.9])
    assert labels == ["body", "chrome", "body"]


# --- title similarity ------------------------------------------------------------------------------------

def test_title_similarity_ignores_a_site_suffix():
    assert title_similarity("老旧菜市场变身社区邻里中心", "老旧菜市场变身社区邻里中心_华东日报") == 1.0
    assert title_similarity("Council approves bike lanes", "Council approves bike lanes | Riverside Gazette") == 1.0
    assert title_similarity("首页", "老旧菜市场变身社区邻里中心_华东日报") == 0.0
    assert title_similarity("anything", None) == 0.0


# --- repair() on a classified page ----------------------------------------------------------------------

def test_repair_sets_label_reason_and_score_but_keeps_pred(make_page):
    page = make_page(["首页", "老旧菜市场变身社区邻里中心", "本报讯 居民买菜更方便了。", "图片", "街道还开设了老年食堂。"],
                     title="老旧菜市场变身社区邻里中心_华东日报")
    preds = ["chrome", "chrome", "body", "chrome", "body"]
    rows = [proba(0.05), proba(0.3), proba(0.9), proba(0.4), proba(0.9)]
    for line, pred, row in zip(page.lines, preds, rows):
        line.pred = line.label = pred
        line.proba, line.score = row, max(row)
    repair(page)
    assert [line.label for line in page.lines] == ["chrome", "body", "body", "body", "body"]
    assert [line.pred for line in page.lines] == preds
    assert [line.repair_reason for line in page.lines] == ["", "headline", "", "gap", ""]
    assert page.lines[1].score == pytest.approx(0.3)  # the probability of the new label
    assert page.lines[0].score == pytest.approx(0.95)


def test_repair_of_an_empty_page_is_a_no_op(make_page):
    page = make_page([])
    assert repair(page) is page and page.lines == []


# --- furniture rule (LABELS.md: copyright, ICP lines and empty image placeholders are chrome)

from model.repair import is_furniture  # noqa: E402


@pytest.mark.parametrize("text", [
    "![]()",
    "京ICP备88880000号 违法和不良信息举报电话：010-12345678",
    "北方晨报社主办 版权所有 Copyright © 2024",
    "© 2024 Valley Tribune. All rights reserved.",
])
def test_footer_lines_and_placeholders_are_furniture(text):
    assert is_furniture(text)


@pytest.mark.parametrize("text", [
    "本法规定了著作权人的权利，版权所有人可以许可他人使用作品，也可以转让其权利。",
    "The copyright holder sued the publisher in March.",
    "(来源:英伟达)",
])
def test_sentences_about_copyright_are_not_furniture(text):
    assert not is_furniture(text)


# --- credit rule (LABELS.md: credits without a sentence, 来源/作者/编辑 lines are chrome)

from model.repair import is_credit  # noqa: E402


@pytest.mark.parametrize("text", [
    "（来源：新华社）", "(来源:英伟达)", "图/视觉中国", "责任编辑：王敏", "【编辑：李明】",
    "Source: Reuters", "(Photo: Getty Images)", "Credit: AP Photo", "Image: AP via Getty Images",
    "editor/tolk",  # an editor's handle may be lower case
    "By Michael Vitiello", "by William Moss", "Posted by Ray Peat", "By Leslie Vryenhoek, Canadian Red Cross",
])
def test_bare_attribution_lines_are_credits(text):
    assert is_credit(text)


@pytest.mark.parametrize("text", [
    "图：志愿者在社区门口为老人测量血压",  # a caption: body
    "Source: Principal, v74 n3 p6-9 Jan 1995",  # a reference-list entry
    "来源：新华网 2024-05-01 09:12",  # a dateline, left to the classifier
    "Photo: Protesters gather outside the court on Monday.",  # a caption sentence
    "Photo: Children play in the new park",  # a caption without a full stop: lower-case words
    "Photos: Halloween in Hong Kong looks awesome",
    "据新华社报道，来源：当地政府的消息称，救援仍在进行。",
    "The source: a memo seen by reporters",
    "By invoking existing ethical laws, CSPI hopes to get action",  # a sentence starting with "By"
    "By the time we arrived the shop was shut",
    "By 2030 the line will carry twice as many trains",
])
def test_captions_references_and_sentences_are_not_credits(text):
    assert not is_credit(text)


@pytest.mark.parametrize("text", [
    "（原标题：老街改造完成 周末起恢复通行）", "本文原标题：《小城的夜市又热闹起来了》",
    "（原题为《一座桥的三十年》）", "原标题:山区学校的第一台钢琴",
    "（原标题：单日客流破10万，地铁新线运行首周平稳？）",  # digits, commas, a question mark: still a note
])
def test_original_title_notes_are_credits(text):
    assert is_credit(text)


@pytest.mark.parametrize("text", [
    "这篇报道曾刊于晚报副刊，原标题为《河边的灯》。",  # a sentence that mentions the original title
    "原标题",  # a bare word, no title after it
    "原题目的解法并不唯一，下面给出第二种思路：先把方程两边同时平方，再整理成关于x的二次方程，"
    "然后讨论判别式的符号，最后代回原式检验是否有增根，这样就能得到全部的解。",  # prose: "原题目", no note
])
def test_sentences_mentioning_an_original_title_are_not_credits(text):
    assert not is_credit(text)


def test_credit_rule_turns_body_into_chrome_and_gap_rule_leaves_it():
    labels, reasons = repair_labels(["body", "body", "body"], [(0.6, 0, 0, 0.4)] * 3, [0.0] * 3,
                                    [False, False, False], credit=[False, True, False])
    assert labels == ["body", "chrome", "body"] and reasons == ["", "credit", ""]


@pytest.mark.parametrize("texts, body_probas", [
    (["全国铁路今日起实行新运行图", "（来源：新华社）", "新运行图增开旅客列车。"], (0.9, 0.8, 0.9)),
    # an original-title note the classifier kept (0.9: its headline reads like the article's)
    (["老街改造完成", "（原标题：老街改造完成 周末起恢复通行）", "改造后的老街周末起恢复通行。"], (0.95, 0.9, 0.95)),
])
def test_credit_rule_runs_in_repair_of_a_page(make_page, texts, body_probas):
    page = make_page(texts)
    for line, body in zip(page.lines, body_probas):
        line.pred = line.label = "body"
        line.proba, line.score = proba(body), body
    repair(page)
    assert [line.label for line in page.lines] == ["body", "chrome", "body"]
    assert page.lines[1].repair_reason == "credit"


def test_furniture_rule_turns_body_into_chrome_with_a_reason():
    labels, reasons = repair_labels(["body", "body", "body"], [(0.9, 0, 0, 0.1)] * 3, [0.0] * 3,
                                    [False, False, True])
    assert labels == ["body", "body", "chrome"] and reasons == ["", "", "furniture"]


def test_gap_rule_does_not_undo_the_furniture_rule():
    labels, reasons = repair_labels(["body", "body", "body"], [(0.6, 0, 0, 0.4)] * 3, [0.0] * 3,
                                    [False, True, False])
    assert labels == ["body", "chrome", "body"] and reasons[1] == "furniture"


# --- container rule ------------------------------------------------------------------------------------

def _container_run(labels, paths, link_free=None, body_probas=None, furniture=None):
    probas = [proba(p) for p in (body_probas or [0.3] * len(labels))]
    return repair_labels(labels, probas, [0.0] * len(labels), furniture,
                         containers=paths, link_free=link_free or [True] * len(labels))


def test_short_line_inside_the_article_container_becomes_body():
    # a WeChat-style article: "此外" sits between paragraphs of the same <div>
    paths = ["body/div/p", "body/div/p", "body/div/p", "body/div/p"]
    labels, reasons = _container_run(["body", "chrome", "chrome", "body"], paths)
    assert labels == ["body"] * 4 and reasons == ["", "container", "container", ""]


def test_container_rule_keeps_links_other_containers_furniture_and_sure_lines():
    paths = ["a/p", "a/p", "a/ul/li", "a/p", "a/p", "a/p", "a/p"]
    labels, reasons = _container_run(
        ["body", "links", "chrome", "chrome", "chrome", "chrome", "body"], paths,
        link_free=[True, True, True, False, True, True, True], body_probas=[0.9, 0.3, 0.3, 0.3, 0.05, 0.3, 0.9],
        furniture=[False, False, False, False, False, True, False])
    # links stay links; another block path; link text; classifier sure; a copyright line
    assert labels == ["body", "links", "chrome", "chrome", "chrome", "chrome", "body"]
    assert reasons == [""] * 7


def test_container_rule_needs_both_neighbours_in_the_same_container_and_markup():
    # body proba 0.2: under the gap rule's 0.25, over the container rule's 0.15
    labels, _ = _container_run(["body", "chrome", "body"], ["a/p", "a/p", "b/p"], body_probas=[0.9, 0.2, 0.9])
    assert labels == ["body", "chrome", "body"]
    labels, _ = _container_run(["body", "chrome", "chrome", "body"], ["", "", "", ""],  # text dump
                               body_probas=[0.9, 0.2, 0.2, 0.9])
    assert labels[1:3] == ["chrome", "chrome"]


# --- contact spam --------------------------------------------------------------------------------------

def test_contact_spam_line_is_spam_wherever_it_sits():
    from model.repair import is_contact_spam

    assert is_contact_spam("加微信 bf2024 购买考试答案 包过 先过后付")
    assert is_contact_spam("代办信用卡，稳赚不赔，加微信：wx12345678")
    for legit in ("欢迎关注我们的微信公众号", "扫码加微信，了解更多活动",
                  "记者加微信采访了当事人，他表示答案还没有公布"):
        assert not is_contact_spam(legit), legit
    labels, reasons = repair_labels(["body", "body", "body"], [proba(0.9)] * 3, [0.0] * 3,
                                    contact_spam=[False, True, False])
    assert labels == ["body", "spam", "body"] and reasons == ["", "contact_spam", ""]


def test_lone_symbol_line_is_never_spam_but_garbled_text_stays_spam():
    from model.repair import is_lone_symbol

    texts = ["★07男人--补肾新药（图）", "-----------------", "·", "??????????????", "\ufffd" * 8,
             "\ufffd" * 6, "| ??? |"]
    symbols = [is_lone_symbol(t) for t in texts]
    # a long run of "?" or U+FFFD is a garbled line; a short one is a lost emoji or icon
    assert symbols == [False, True, True, False, False, True, True]
    labels, reasons = repair_labels(["spam"] * 7, [proba(0.1)] * 7, [0.0] * 7, symbols=symbols)
    assert labels == ["spam", "chrome", "chrome", "spam", "spam", "chrome", "chrome"]
    assert reasons == ["", "lone_symbol", "lone_symbol", "", "", "lone_symbol", "lone_symbol"]
    # other labels are the classifier's business
    assert repair_labels(["links", "body"], [proba(0.1)] * 2, [0.0] * 2, symbols=[True, True])[0] == ["links", "body"]


# --- sentence rule -------------------------------------------------------------------------------------

def test_closing_sentences_after_body_become_body_but_not_furniture_or_sure_chrome():
    from model.repair import is_sentence

    texts = ["正文第一段，记者在现场看到居民排队领取物资。", "哪怕已经过去了一年多，竞争依然在持续升温。",
             "就算是这样，他们也在不断加码，直到追上为止。", "免责声明：本文来自网络，版权归作者所有，如有侵权请联系删除。",
             "来源：网络"]
    sentences = [is_sentence(t) for t in texts]
    assert sentences == [True, True, True, False, False]  # a disclaimer is not a closing sentence
    labels, reasons = repair_labels(["body", "chrome", "chrome", "chrome", "chrome"],
                                    [proba(0.9), proba(0.39), proba(0.34), proba(0.25), proba(0.3)],
                                    [0.0] * 5, sentences=sentences)
    assert labels == ["body", "body", "body", "chrome", "chrome"]
    assert reasons == ["", "sentence", "sentence", "", ""]


# --- no-article rule -----------------------------------------------------------------------------------

def _feed(n_items: int):
    """A section front: per item a linked headline, a channel tag, an age and a share prompt."""
    heads = ["印媒称中印第五轮军长级会谈开始", "失联女生遗骸找到 救援人员哽咽", "美三大股指集体收涨 苹果市值全球最高",
             "南京女大学生在云南失联 警方调查取证", "驻英大使回应中美关系问题", "舆论称中国奶业走上歧路 官方回应",
             "台风过境后城区积水基本排除", "多地出台新政支持小微企业"]
    texts, linked = [], []
    for k in range(n_items):
        texts += [heads[k], "新闻", f"{k + 1}小时前", "分享至好友和朋友圈"]
        linked += [True, True, False, False]
    return texts, linked


def test_a_feed_of_links_and_repeats_has_no_article():
    from model.repair import NO_ARTICLE_MIN_LINES, template_key

    texts, linked = _feed(6)
    keys = [template_key(t) for t in texts]
    repeated = [keys.count(k) >= 3 for k in keys]
    assert repeated[2] and not repeated[0]  # "1小时前" .. "6小时前" are one template
    n = len(texts)
    assert n >= NO_ARTICLE_MIN_LINES
    # each line takes the classifier's best label other than body
    probas = [(0.7, 0.0, 0.2, 0.1) if is_linked else (0.7, 0.0, 0.1, 0.2) for is_linked in linked]
    labels, reasons = repair_labels(["body"] * n, probas, [0.0] * n, linked=linked, repeated=repeated)
    assert labels[:4] == ["links", "links", "chrome", "chrome"]
    assert set(reasons) == {"no_article"} and "body" not in labels


def test_one_line_of_own_text_or_a_short_page_keeps_the_article():
    texts, linked = _feed(6)
    repeated = [texts.count(t) >= 3 for t in texts]
    own = ["body"] * len(texts)
    # an unlinked line that occurs once: the page has text of its own
    linked_own = list(linked)
    linked_own[0] = False
    labels, reasons = repair_labels(own, [proba(0.7)] * len(own), [0.0] * len(own), linked=linked_own,
                                    repeated=repeated)
    assert labels == own and not any(reasons)
    # fewer than NO_ARTICLE_MIN_LINES body lines: left alone
    labels, _ = repair_labels(["body"] * 8, [proba(0.7)] * 8, [0.0] * 8, linked=[True] * 8, repeated=[False] * 8)
    assert labels == ["body"] * 8


def test_repair_finds_a_feed_page_but_not_an_article_printed_twice(make_page):
    texts, linked = _feed(6)
    page = make_page(texts, title="新闻频道")
    for line, is_linked in zip(page.lines, linked):
        line.pred = line.label = "body"
        line.proba = proba(0.7)
        line.link_chars = len(line.text) if is_linked else 0
    repair(page)
    assert [line.label for line in page.lines].count("body") == 0
    article = ["街道办事处今年新建了三处社区食堂，老人用餐更方便。", "食堂由社区统一管理，菜价比市场低两成。",
               "记者中午在现场看到，不少老人结伴前来就餐。", "居民王阿姨说，以前一个人做饭麻烦，现在方便多了。",
               "街道负责人介绍，明年还将在另外两个社区试点。", "此外，食堂还为行动不便的老人提供送餐服务。",
               "送餐员每天上午十一点出发，覆盖周边五个小区。", "部分居民建议增加晚餐供应，街道表示正在研究。",
               "据统计，三处食堂开业一个月共接待老人近万人次。", "社区还组织志愿者在高峰时段维持秩序。",
               "有关部门将定期检查食品安全。", "街道表示，欢迎居民继续提出意见和建议。"]
    page = make_page(article + article, title="社区食堂")
    for line in page.lines:
        line.pred = line.label = "body"
        line.proba = proba(0.7)
    repair(page)
    assert all(line.label == "body" for line in page.lines)


def test_a_closing_sentence_with_an_editor_tag_is_a_sentence():
    from model.repair import is_sentence

    assert is_sentence("“好吧，我们还需要改进，”马斯克回答说。(辰辰)")
    assert is_sentence("双方将于下月在北京举行第二轮会谈。（完）")
    assert not is_sentence("相关阅读：马斯克谈人工智能（图）")  # no sentence end before the parenthesis
    assert not is_sentence("他说今年的目标已经完成。（记者 张三 通讯员 李四 王五）")  # a byline, not a short tag


def test_a_disclaimer_is_not_a_closing_sentence():
    from model.repair import is_sentence

    assert not is_sentence("特别声明：以上内容为自媒体平台用户上传并发布，本平台仅提供信息存储服务。")
    assert not is_sentence("Disclaimer: the views expressed here are the author's own.")
    assert is_sentence("他在声明中表示，公司将继续履行合同义务。")


# --- teaser rule ---------------------------------------------------------------------------------------

def test_teaser_bits_between_related_items_are_links():
    labels = ["body", "links", "chrome", "chrome", "chrome", "links", "chrome", "links", "chrome", "chrome"]
    texts = ["正文最后一段。", "港警婚宴遭捣乱 网友斥示威者", "新京报", "7小时前", "21980 跟贴", "湖南最强执行局长走红",
             "|", "美三大股指集体收涨", "联系我们", "京ICP证130304号"]
    furniture = [False] * 9 + [True]
    out, reasons = repair_labels(labels, [proba(0.05)] * len(labels), [0.0] * len(labels), furniture,
                                 lengths=[len(t) for t in texts])
    assert out == ["body", "links", "links", "links", "links", "links", "links", "links", "chrome", "chrome"]
    assert reasons[2:5] == ["teaser"] * 3 and reasons[8:] == ["", ""]  # the footer after the list stays


def test_long_or_long_runs_of_chrome_between_links_stay_chrome():
    labels = ["links", "chrome", "chrome", "chrome", "chrome", "links", "chrome", "links"]
    lengths = [10] * 6 + [TEASER_MAX_CHARS + 1, 10]
    out, _ = repair_labels(labels, [proba(0.05)] * 8, [0.0] * 8, lengths=lengths)
    assert out == labels


# --- disclaimers and the lone-link rule ----------------------------------------------------------------

def test_the_gap_rule_does_not_make_a_disclaimer_body():
    labels = ["body", "chrome", "body"]
    probas = [proba(0.9), proba(0.47), proba(0.9)]
    disclaimer = "免责声明：本文来自合作媒体，不代表本站观点，如有侵权请联系删除。"
    assert repair_labels(labels, probas, [0.0] * 3)[0] == ["body", "body", "body"]
    out, reasons = repair_labels(labels, probas, [0.0] * 3, legal=[False, True, False])
    assert out == labels and not any(reasons)
    from model.repair import is_disclaimer

    assert is_disclaimer(disclaimer) and is_disclaimer("Disclaimer: views are the author's own.")
    assert not is_disclaimer("他在声明中表示，公司将继续履行合同义务。")


def test_a_page_whose_only_body_is_a_hesitant_link_has_no_article():
    # a list page: its linked masthead slogan is the one body line, at 0.45
    labels = ["chrome", "body", "links", "links"]
    probas = [proba(0.1), (0.45, 0.0, 0.24, 0.31), (0.1, 0.0, 0.8, 0.1), (0.1, 0.0, 0.8, 0.1)]
    linked = [True] * 4
    out, reasons = repair_labels(labels, probas, [0.0] * 4, linked=linked)
    assert out[1] == "chrome" and reasons[1] == "lone_link"


@pytest.mark.parametrize("case", ["confident", "unlinked", "three_lines"])
def test_the_lone_link_rule_leaves_image_posts_and_articles_alone(case):
    n = 5
    labels, probas, linked = ["chrome"] * n, [proba(0.1)] * n, [True] * n
    labels[1], probas[1] = "body", proba(0.45)
    if case == "confident":  # an image post's linked title, its only text
        probas[1] = proba(0.9)
    elif case == "unlinked":
        linked[1] = False
    else:  # three hesitant linked lines: left to the classifier
        labels[1:4] = ["body"] * 3
        probas[1:4] = [proba(0.45)] * 3
    out, reasons = repair_labels(labels, probas, [0.0] * n, linked=linked)
    assert out == labels and not any(reasons)


def test_body_lines_in_a_bulleted_run_of_related_items_are_links():
    texts = ["文章最后一段，讲完了。"] + [f"- ·相关新闻标题{i}" for i in range(6)] + ["• 关于我们", "• 联系我们"]
    labels = ["body", "body", "links", "links", "links", "body", "links", "chrome", "chrome"]
    out, reasons = repair_labels(labels, [proba(0.5)] * 9, [0.0] * 9,
                                 bullets=[bullet_key(t) for t in texts], lengths=[len(t) for t in texts])
    assert out == ["body"] + ["links"] * 6 + ["chrome", "chrome"]  # another bullet: another run
    assert reasons == ["", "list_run", "", "", "", "list_run", "", "", ""]


def test_an_articles_own_bullet_list_stays_body():
    texts = ["• First, the stalls reopened", "• Second, rents fell", "• Third, traders came back",
             "• Fourth, buyers followed", "• See also: market report"]
    labels = ["body", "body", "body", "links", "links"]
    out, reasons = repair_labels(labels, [proba(0.5)] * 5, [0.0] * 5,
                                 bullets=[bullet_key(t) for t in texts], lengths=[len(t) for t in texts])
    assert out == labels and not any(reasons)


def test_bullet_key():
    assert bullet_key("- ·普京：西方同俄作战") == "-·"
    assert bullet_key("  • item") == "•"
    assert bullet_key("No bullet here") == ""
    assert bullet_key("-1.5 degrees") == "-"


# --- comments and related-heading rules ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["Comments", "12 Comments", "Leave a Reply", "Post a comment", "发表评论",
                                  "网友评论 (35)", "3 thoughts on “Bridge reopens”",
                                  "12 Responses to “Bridge reopens”", "One Response to “Bridge reopens”",
                                  "45 users responded in “Bridge reopens”", "跟贴32", "热门跟贴", "跟帖 (8)"])
def test_comment_headings(text):
    assert is_comment_heading(text)


@pytest.mark.parametrize("text", ["Discussion", "Comments are closed for maintenance until Friday.",
                                  "评论员文章：城市更新要慢一点", "45 people responded to the survey.",
                                  "Responses to the plan were mixed, officials said", "目前没有热门跟贴",
                                  "跟贴广场"])
def test_not_comment_headings(text):
    assert not is_comment_heading(text)


def _thread(body_probas, labels):
    texts = ["The Bridge Reopens", "The council voted to reopen the bridge.", "It shut in May.",
             "Comments", "Great post.", "Posted by: Jon | March 20", "I drove over it today, all fine.",
             "Posted by: Ann | March 21"]
    n = len(texts)
    out, reasons = repair_labels(labels, [proba(p) for p in body_probas], [0.0] * n,
                                 containers=["div/p"] * n, link_free=[True] * n,
                                 comment_heads=[is_comment_heading(t) for t in texts])
    return out, reasons


def test_reader_comments_after_a_comment_heading_leave_the_article():
    labels = ["body", "body", "body", "chrome", "chrome", "chrome", "body", "chrome"]
    out, reasons = _thread([0.95, 0.97, 0.95, 0.05, 0.3, 0.02, 0.6, 0.02], labels)
    # without the rule the container rule would make "Great post." body (0.3 >= 0.15, same <p> path)
    assert out == ["body", "body", "body", "chrome", "chrome", "chrome", "chrome", "chrome"]
    assert reasons[6] == "comments" and reasons[4] == ""


def test_a_netease_comment_count_heading_opens_the_thread():
    texts = ["老街改造完成", "改造后的老街周末起恢复通行。", "跟贴32", "网易北京市网友2024-05-01 10:12:30",
             "早该修了，路面坑坑洼洼好多年。", "|回复"]
    n = len(texts)
    out, reasons = repair_labels(["body", "body", "chrome", "body", "body", "chrome"],
                                 [proba(p) for p in (0.97, 0.95, 0.02, 0.5, 0.55, 0.02)], [0.0] * n,
                                 comment_heads=[is_comment_heading(t) for t in texts])
    assert out == ["body", "body", "chrome", "chrome", "chrome", "chrome"]
    assert reasons[3:5] == ["comments", "comments"]


def test_a_comment_link_above_the_article_opens_no_thread():
    # a sure paragraph (0.95) below the heading: the "Comments" line is a masthead link
    labels = ["body", "body", "body", "chrome", "body", "chrome", "body", "chrome"]
    out, reasons = _thread([0.95, 0.97, 0.95, 0.05, 0.6, 0.3, 0.95, 0.02], labels)
    assert out[4] == "body" and out[5] == "body" and reasons[5] == "container"
    assert "comments" not in reasons


def test_a_sure_comment_stays_body():
    labels = ["body", "body", "body", "chrome", "chrome", "chrome", "body", "chrome"]
    out, _ = _thread([0.95, 0.97, 0.95, 0.05, 0.3, 0.02, 0.8, 0.02], labels)
    assert out[6] == "body"  # 0.8 >= 0.7: left to the classifier


@pytest.mark.parametrize("text", ["Jacob said,", "Max says:", "K.G. Schneider wrote:", "3. Ann Lee Says:",
                                  "On May 3, 2012 at 10:52 am Ann said:", "Jason @ SaveMore says:"])
def test_comment_signatures(text):
    assert is_comment_signature(text)


@pytest.mark.parametrize("text", ["Papa Says", "Bridge to reopen in May, council says",
                                  "Recommended: Flu cases fall, health board says:",
                                  "The mayor, who opened the bridge on Monday, said:", "Simon says"])
def test_not_comment_signatures(text):
    assert not is_comment_signature(text)


def _signed_thread(body_probas, n_comments=3, heading="45 users responded in “The Bridge Reopens”"):
    texts = ["The Bridge Reopens", "The council voted to reopen the bridge.", "It shut in May.",
             "Traffic is back to normal.", heading]
    for name in ["Ann", "Bo Li", "Cy"][:n_comments]:
        texts += [f"{name} said,", f"{name} drove over it today and it was fine."]
    labels = ["body"] * len(texts)
    out, reasons = repair_labels(labels, [proba(p) for p in body_probas[:len(texts)]], [0.0] * len(texts),
                                 comment_heads=[is_comment_heading(t) for t in texts],
                                 signers=[signer(t) for t in texts])
    return out, reasons


def test_a_heading_over_signed_comments_takes_the_thread_out():
    # commenters' prose reads like the article's (body 0.8-0.97): heading + signatures tell them apart
    out, reasons = _signed_thread([0.97, 0.96, 0.95, 0.96, 0.9, 0.8, 0.9, 0.7, 0.85, 0.75, 0.97])
    assert out[:4] == ["body"] * 4
    assert out[4:] == ["chrome"] * 7 and reasons[4] == reasons[10] == "comment_signatures"


def test_signatures_without_a_heading_are_a_forum_or_quotes_and_stay():
    # forum posts open with "X said:" quotes, articles quote "Y wrote:": LABELS.md keeps both as body
    out, reasons = _signed_thread([0.97, 0.96, 0.95, 0.96, 0.9, 0.8, 0.9, 0.7, 0.85, 0.75, 0.97],
                                  heading="The repairs took a year.")
    assert out == ["body"] * 11 and not any(reasons)


def test_two_signatures_are_not_a_thread():
    out, reasons = _signed_thread([0.97, 0.96, 0.95, 0.96, 0.9, 0.8, 0.9, 0.7, 0.85], n_comments=2)
    assert out == ["body"] * 9 and not any(reasons)


@pytest.mark.parametrize("text", ["Posted by: Ann | Mar 3, 2011 9:05:12 PM", "Posted by Bo Li on May 3, 2012 4:15 PM",
                                  "posted by cy @ 7/30/2010 10:15:32 AM |", "Submitted by Dee at 11:40 am",
                                  "Posted by Ed Moss, Leeds, on June 1, 2012 8:02 AM"])
def test_post_stamps_sign_comments(text):
    assert is_comment_signature(text)


@pytest.mark.parametrize("text", ["Posted by Ann on May 3, 2012", "Posted by Ann on May 3, 2012 | Permalink",
                                  "Posted in News at 10:15", "The bridge was posted by the council at 9:00 PM today."])
def test_not_post_stamps(text):
    assert not is_comment_signature(text)


def test_signer_names():
    assert signer("Posted by: Ann | Mar 3, 2011 9:05:12 PM") == "ann"
    assert signer("Posted by Ed Moss, Leeds, on June 1, 2012 8:02 AM") == "ed moss"
    assert signer("Bo Li said,") == "bo li"
    assert signer("The council met today.") is None


def _stamped_thread(labels, body_probas, names=("Ann", "Bo", "Cy"), gap=0):
    texts = ["The Bridge Reopens", "The council voted to reopen the bridge.", "It shut in May.",
             "Traffic is back to normal.", "Comments"] + ["Filler line."] * gap
    for k, name in enumerate(names):
        texts += [f"Comment number {k} about the bridge.", f"Posted by {name} on May {k + 4}, 2012 9:1{k} PM"]
    n = len(texts)
    labels = labels + ["chrome"] * (n - len(labels))
    body_probas = body_probas + [0.05] * (n - len(body_probas))
    for k in range(len(names)):  # comments: body, stamps: chrome
        i = 5 + gap + 2 * k
        labels[i], labels[i + 1] = "body", "chrome"
    out, reasons = repair_labels(labels, [proba(p) for p in body_probas], [0.0] * n,
                                 containers=["div/p"] * n, link_free=[True] * n,
                                 comment_heads=[is_comment_heading(t) for t in texts],
                                 signers=[signer(t) for t in texts])
    return texts, out, reasons


def test_a_heading_and_post_stamps_take_the_whole_thread_out():
    # stamps follow their comments: the thread opens at the heading, which the classifier kept
    # (0.6), and a comment it is sure of (0.97) leaves with the rest
    labels = ["body"] * 5
    texts, out, reasons = _stamped_thread(labels, [0.97, 0.96, 0.95, 0.96, 0.6, 0.97, 0.05, 0.8, 0.05, 0.5])
    assert out[:4] == ["body"] * 4
    assert all(label != "body" for label in out[4:])
    assert reasons[4] == reasons[5] == "comment_signatures"


def test_stamps_of_one_author_are_a_blog_front_page_not_a_thread():
    labels = ["body"] * 5
    _, out, reasons = _stamped_thread(labels, [0.97, 0.96, 0.95, 0.96, 0.6, 0.97, 0.05, 0.8, 0.05, 0.5],
                                      names=("Ann", "Ann", "Ann"))
    assert "comment_signatures" not in reasons and out[5] == "body"


def test_a_heading_far_above_the_first_stamp_does_not_open_the_thread():
    # five lines between heading and first comment: farther than the stamps' spacing (2)
    labels = ["body"] * 5 + ["body"] * 5
    _, out, reasons = _stamped_thread(labels, [0.97, 0.96, 0.95, 0.96, 0.6] + [0.9] * 5 + [0.97, 0.05, 0.8],
                                      gap=5)
    assert out[4:13] == ["body"] * 6 + ["body", "chrome", "body"]  # left to the classifier
    assert "comment_signatures" not in reasons


@pytest.mark.parametrize("text", ["Related posts:", "You may also like", "相关阅读", "Also on HuffPost",
                                  "» Most Popular", "您可能感兴趣的文章", "延伸 · 推荐", "相关报道：",
                                  "24小时排行", "为你推荐", "相关事件"])
def test_related_headings(text):
    assert is_related_heading(text)


@pytest.mark.parametrize("text", ["Also on Tuesday, a judge in Philadelphia ordered the count to go on.",
                                  "Related", "Popular demand brought the band back", "不感兴趣", "相关用户",
                                  "相关部门已介入调查"])
def test_not_related_headings(text):
    assert not is_related_heading(text)


def _related(texts, labels, linked=None):
    n = len(texts)
    return repair_labels(labels, [proba(0.6)] * n, [0.0] * n, lengths=[len(t) for t in texts],
                         sentences=[is_sentence(t) for t in texts],
                         related_heads=[is_related_heading(t) for t in texts], linked_items=linked)


#: A related list printed as "linked headline + the first lines of its summary", one item a line.
_TEASERS = ["相关推荐",
            "旧厂房变身图书馆 这座小城的周末有了新去处。去年秋天，闲置多年的纺织厂房完成改造，"
            "一楼是开放书架，二楼是自习区，开放首月接待读者两万余人次，不少家长带着孩子从邻县赶来……",
            "山区公路通车 村民赶集从两小时缩短到二十分钟。这条公路全长十八公里，沿线经过六个行政村，"
            "通车当天不少村民骑着摩托车专程来走一走，镇上的集市也比往常热闹了许多……",
            "全市今年新增停车位一万个，中心城区的老旧小区将优先安排。"]


def test_a_related_heading_takes_long_linked_items_with_it():
    labels = ["body", "body", "body", "body"]
    out, reasons = _related(_TEASERS, labels, linked=[False, True, True, False])
    # the linked items go however long; the unlinked sentence below ends the list
    assert out == ["links", "links", "links", "body"]
    assert reasons[:3] == ["related_heading"] * 3


def test_long_items_without_links_stay_in_the_article():
    out, _ = _related(_TEASERS, ["body", "body", "body", "body"], linked=[False] * 4)
    assert out == ["links", "body", "body", "body"]  # the heading kept in the article is still links


def test_a_chrome_related_heading_takes_linked_items_only():
    out, reasons = _related(_TEASERS, ["chrome", "body", "body", "body"], linked=[False, True, True, False])
    assert out == ["chrome", "links", "links", "body"] and reasons[1] == "related_heading"
    out, _ = _related(_TEASERS, ["chrome", "body", "body", "body"], linked=[False] * 4)
    assert out == ["chrome", "body", "body", "body"]  # no linked item: the heading opens nothing


def test_a_related_heading_kept_in_the_article_takes_its_list_with_it():
    texts = ["In addition to the first set, here are a few more sample images from the lens.",
             "Related posts:", "More sample images from the 35mm lens", "Nikon D3200 sample images",
             "This entry was posted in Lenses and tagged 70-200. Bookmark the permalink, or leave a trackback."]
    out, reasons = _related(texts, ["body"] * 5)
    assert out == ["body", "links", "links", "links", "body"]  # the long closing line ends the list
    assert reasons == ["", "related_heading", "related_heading", "related_heading", ""]


def test_a_related_heading_does_not_take_finished_sentences():
    texts = ["相关阅读", "大桥维修工程今日完工，夜间限行措施同步取消。", "工程共更换伸缩缝48道。"]
    out, _ = _related(texts, ["chrome", "body", "body"])
    assert out == ["chrome", "body", "body"]  # a chrome heading with no list under it: left alone
    out, _ = _related(texts, ["links", "body", "body"])
    assert out == ["links", "body", "body"]  # sentences are not list items


# --- feed-records rule (records cut by a recurring share prompt are related items) ------------

def _feed_dump(n_items: int, *, clock: bool = False):
    """A text dump of a recommendation feed: per item a headline, a channel, a source, an age,
    a comment count and two share prompts that recur in every item."""
    heads = ["城南旧厂房改造成青年创业园", "地铁九号线北延段完成轨道铺设", "本市新增三处口袋公园",
             "老城区雨污分流工程进入收尾", "秋季蔬菜价格小幅回落", "图书馆夜间开放延长至十点"]
    texts = []
    for k in range(n_items):
        age = f"{k + 1}小时前" if not clock else f"2024-03-0{k + 1} 1{k}:2{k}"
        texts += [heads[k], ["本地", "民生", "城建"][k % 3], ["江城晚报", "城市日报"][k % 2], age, f"{k * 7} 评论",
                  "扫码分享", "分享至好友"]
    return texts


def _classified(make_page, texts, label="chrome", source="text"):
    page = make_page(texts, title="城南旧厂房改造", source=source)
    for line in page.lines:
        line.pred = line.label = label
        line.proba = (0.05, 0.0, 0.15, 0.8)
    return page


def test_feed_records_in_a_text_dump_are_links_and_their_share_prompts_stay_chrome(make_page):
    page = repair(_classified(make_page, _feed_dump(6)))
    labels = [line.label for line in page.lines]
    # records run from one share prompt to the next, so the first item's lines before its
    # prompts are not read; items 2-6 are, five own lines each
    assert labels[:5] == ["chrome"] * 5
    assert labels[7:12] == ["links"] * 5 and labels[12:14] == ["chrome", "chrome"]
    assert page.lines[8].repair_reason == "feed_records"
    assert labels.count("links") == 5 * 5


def test_feed_records_need_four_records_a_timestamp_and_no_clock_times(make_page):
    assert all(line.label == "chrome" for line in repair(_classified(make_page, _feed_dump(4))).lines)
    # a thread whose posts are stamped with a clock time is comments, not a feed
    assert all(line.label == "chrome" for line in repair(_classified(make_page, _feed_dump(6, clock=True))).lines)
    no_time = [t for t in _feed_dump(6) if not t.endswith("小时前")]
    assert all(line.label == "chrome" for line in repair(_classified(make_page, no_time)).lines)


def test_a_comment_thread_cut_by_reply_is_not_a_feed(make_page):
    texts = []
    for name in ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"]:
        texts += [name, "March 3, 2024", "Lovely photos of the old mill", "Reply"]
    assert all(line.label == "chrome" for line in repair(_classified(make_page, texts)).lines)


def test_feed_records_rule_reads_html_pages_too(make_page):
    # with link marks the classifier still calls a feed's records chrome (NetEase's feed on dev)
    page = repair(_classified(make_page, _feed_dump(6), source="html"))
    assert [line.label for line in page.lines].count("links") == 5 * 5


def test_feed_headlines_below_a_comment_heading_are_links_not_comments(make_page):
    # NetEase prints its feed below the comment box: the classifier reads each headline as
    # hesitant body, the comment rule makes it chrome, and the feed rule must still see a feed
    article = ["城南旧厂房改造成青年创业园，首批四十家企业入驻。", "改造工程历时两年，保留了原有的红砖厂房。"]
    feed = _feed_dump(6)
    page = _classified(make_page, article + ["跟贴"] + feed)
    heads = {t for t in feed if len(t) >= 8}
    for line in page.lines:
        if line.text in article:
            line.pred = line.label = "body"
            line.proba = (0.95, 0.0, 0.02, 0.03)
        elif line.text in heads:
            line.pred = line.label = "body"
            line.proba = (0.55, 0.0, 0.15, 0.3)
    page = repair(page)
    labels = [line.label for line in page.lines]
    assert labels[:2] == ["body", "body"]
    records = [line for line in page.lines[3 + 7:] if line.text in heads]  # items 2-6
    assert records and all(line.label == "links" and line.repair_reason == "feed_records" for line in records)


def test_records_holding_a_long_line_are_comments_not_a_feed(make_page):
    long_comment = ("the biggest single contributor to social mobility in this country was the grammar school "
                    "and nobody in power will say so")
    assert len(long_comment) > 100
    texts = []
    for name in ["Danny Betts", "CityBoyCityBoy", "Valerie Moss", "focus63 reader", "Tom Allinson", "Ruth K"]:
        texts += [name, "2 Hours ago", f"{long_comment}, says {name}", "Recommend this comment"]
    assert all(line.label == "chrome" for line in repair(_classified(make_page, texts)).lines)
    # the same records with a short line instead are read as a feed: the length is what decides
    short = [t.replace(long_comment, "grammar schools") for t in texts]
    assert any(line.label == "links" for line in repair(_classified(make_page, short)).lines)


# --- lone-paragraph rule -------------------------------------------------------------------------------

_POST = ["hanneli.com About / Contact", "At Carven, Paris",
         "Leave it to Carven to attract the cutest French girls, like lovely Ana here: the way she wears "
         "that coat is something I keep coming back to.",
         "It was cold that morning, and the light over the Seine was the softest I have seen all week.",
         "38 Comments", "kcomekarolina",
         "omg! such a cool style! I want that dress so much, where can I find one like it in Rome?"]


def _lone(labels, body_probas, texts=_POST):
    return repair_labels(labels, [proba(p) for p in body_probas], [0.0] * len(labels),
                         paragraphs=[is_paragraph(t) for t in texts], lengths=[len(t) for t in texts])


def test_is_paragraph():
    assert [is_paragraph(t) for t in _POST] == [False, False, True, True, False, False, True]
    assert is_paragraph("记者在现场看到，居民们排着队领取物资，" * 4 + "场面井然有序。”")
    assert not is_paragraph("Disclaimer: the views expressed here are the author's own and do not reflect "
                            "those of this site.")  # legal lines stay chrome


def test_the_paragraphs_under_a_lone_headline_are_body_down_to_the_first_non_paragraph():
    labels, reasons = _lone(["chrome", "body", "chrome", "links", "chrome", "chrome", "chrome"],
                            [0.05, 0.9, 0.1, 0.3, 0.02, 0.02, 0.2])
    assert labels == ["chrome", "body", "body", "body", "chrome", "chrome", "chrome"]
    assert reasons == ["", "", "lone_paragraph", "lone_paragraph", "", "", ""]


@pytest.mark.parametrize("labels, body_probas", [
    # no body at all: no article to complete
    (["chrome"] * 7, [0.05, 0.3, 0.3, 0.3, 0.02, 0.02, 0.2]),
    # the classifier is sure the line below the headline is not body
    (["chrome", "body", "chrome", "chrome", "chrome", "chrome", "chrome"], [0.05, 0.9, 0.01, 0.3, 0.02, 0.02, 0.2]),
])
def test_the_lone_paragraph_rule_leaves_other_pages_alone(labels, body_probas):
    assert _lone(labels, body_probas) == (labels, [""] * len(labels))


def test_lone_paragraph_runs_in_repair_of_a_text_dump(make_page):
    page = make_page(_POST, title="At Carven, Paris | hanneli.com")
    for line, pred, body in zip(page.lines, ["chrome", "body", "chrome", "chrome", "chrome", "chrome", "chrome"],
                                [0.05, 0.6, 0.1, 0.3, 0.02, 0.02, 0.2]):
        line.pred = line.label = pred
        line.proba = proba(body)
    repair(page)
    assert [line.label for line in page.lines][:5] == ["chrome", "body", "body", "body", "chrome"]
    assert page.lines[2].repair_reason == "lone_paragraph"


def test_an_article_with_more_than_a_headline_of_body_is_left_to_the_other_rules():
    texts = ["Storm closes the harbour for a second day", _POST[2], _POST[3] + " " + _POST[3], _POST[3]]
    labels = ["body", "body", "chrome", "chrome"]
    assert len(texts[0]) + len(texts[1]) < LONE_BODY_MAX_CHARS  # this two-line article is still "lone"
    assert _lone(labels, [0.9, 0.9, 0.2, 0.2], texts)[0] == ["body", "body", "body", "body"]
    texts[1] = texts[1] + " " + _POST[3]  # a paragraph long enough to be an article
    assert len(texts[0]) + len(texts[1]) >= LONE_BODY_MAX_CHARS
    assert _lone(labels, [0.9, 0.9, 0.2, 0.2], texts) == (labels, [""] * 4)
