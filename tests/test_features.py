"""model.features: shapes, individual columns, neighbours and the hashed token block."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from model.features import (
    DENSE_GROUPS,
    LENGTH_COLUMN,
    LINKS_WORDS_COLUMN,
    LineFeaturizer,
    char_counts,
    dense_feature_names,
    count_matrix,
    dense_page,
    line_columns,
    line_tokens,
    page_context,
    token_column,
)
import model.features as features_module
from model.read import page_from_bytes
from model.segment import segment

from conftest import PAGES

NAMES = dense_feature_names()
COL = {name: i for i, name in enumerate(NAMES)}
DOM_COLS = [i for i, name in enumerate(NAMES) if name.startswith("dom_")]
#: What the markup flags of ``dom_features`` (its columns after the first 8) stand for.
DOM_FLAG_NAMES = ([f"tag:{t}" for t in features_module._TAGS] + [f"path:{t}" for t in features_module._PATH_TAGS]
                  + [f"attr:{name}" for name, _ in features_module.ATTR_FLAGS])


def html_page(name: str = "zh_news_gbk.html"):
    return segment(page_from_bytes((PAGES / name).read_bytes(), id=name))


# --- shapes ------------------------------------------------------------------------------------------

def test_group_shapes(make_page):
    page = make_page(["首页", "正文第一段，讲述菜市场的改造。", "Copyright © 2024"])
    ctx = page_context(page)
    widths = {"text": 24, "position": 4, "page": 5, "dom": 46}
    for name, fn in DENSE_GROUPS.items():
        assert fn(page, ctx).shape == (3, widths[name]), name


def test_dense_page_shape_matches_feature_names():
    page = html_page()
    dense = dense_page(page)
    assert dense.shape == (len(page.lines), len(NAMES))
    assert len(NAMES) == len(set(NAMES))
    assert np.isfinite(dense).all()


def test_transform_shape_with_hashed_block_and_feature_names():
    pages = [html_page(), html_page("en_news_bom.html")]
    featurizer = LineFeaturizer(hash_bits=8)
    matrix = featurizer.fit_transform(pages)
    n_lines = sum(len(p.lines) for p in pages)
    assert matrix.shape == (n_lines, len(NAMES) + 2 ** 8)
    assert matrix.format == "csr"
    assert len(featurizer.get_feature_names_out()) == matrix.shape[1]
    assert len(LineFeaturizer(tokens=False).get_feature_names_out()) == len(NAMES)
    assert LineFeaturizer(tokens=False).transform(pages).shape == (n_lines, len(NAMES))


def test_rows_follow_page_order(make_page):
    a = make_page(["第一页的第一行", "第一页的第二行。"], id="a")
    b = make_page(["Second page only line."], id="b")
    featurizer = LineFeaturizer(hash_bits=8)
    both = featurizer.transform([a, b]).toarray()
    assert np.array_equal(both[:2], featurizer.transform([a]).toarray())
    assert np.array_equal(both[2:], featurizer.transform([b]).toarray())


def test_empty_input_and_single_page_errors():
    assert LineFeaturizer().dense([]).shape == (0, len(NAMES))
    with pytest.raises(TypeError, match="sequence of Page"):
        LineFeaturizer().transform(html_page())


# --- individual columns ----------------------------------------------------------------------------------

def test_cjk_sentence_punctuation_is_counted(make_page):
    page = make_page(["居民说，以前买菜要走很远；现在下楼就到。真方便！", "无标点的短语", "Plain, English. Text"])
    dense = dense_page(page)
    assert dense[0, COL["text_6"]] == pytest.approx(math.log1p(4))  # ， ； 。 ！
    assert dense[1, COL["text_6"]] == 0.0
    assert dense[2, COL["text_6"]] == 0.0
    assert dense[2, COL["text_7"]] == pytest.approx(math.log1p(2))  # "," and ". "
    assert dense[0, COL["text_8"]] == 1.0  # ends with terminal punctuation
    assert dense[1, COL["text_8"]] == 0.0
    assert dense[0, COL["text_2"]] > 0.7  # CJK share
    assert dense[2, COL["text_3"]] > 0.7  # Latin share


def test_char_counts_equal_the_regex_counts():
    from model.features import _COUNTED

    texts = ["新华社北京5月12日电，记者：王小明。", "Price: $12.50 — 3 items | See more » ·", "",
             "ＡＢＣ１２３　全角", "Ã©tÃ© mojibake \ufffd", "emoji 😀 and 𠀋 outside the BMP", "\ud800 lone half",
             "x" * 3000, ""]  # an empty text in the middle and at the end
    counts = char_counts(texts)
    assert counts.shape == (len(texts), len(_COUNTED))
    assert char_counts([]).shape == (0, len(_COUNTED))
    for text, row in zip(texts, counts):
        assert list(row) == [len(rx.findall(text)) for rx in _COUNTED], text[:20]


def test_line_bigram_counts_equal_the_sets_of_char_bigrams():
    from model.features import char_bigrams, line_bigram_counts

    texts = ["新华社北京5月12日电 记者 王小明", "ΣΟΦΟΣ ΛΟΓΟΣ and ὈΔΥΣΣΕΥΣ", "İstanbul İzmir", "",
             "a\tb\u3000c\u00a0d\u2028e  f", "emoji 😀😀 and 𠀋𠀋 outside the BMP", "\ud800 lone half",
             "aaaa aaaa", "x", "北京 北京 北京", ""]
    for title in ("北京新闻 王小明", "ΛΟΓΟΣ 😀 İz", ""):
        wanted = char_bigrams(title)
        sizes, shared = line_bigram_counts(texts, wanted)
        assert list(sizes) == [len(char_bigrams(t)) for t in texts], title
        assert list(shared) == [len(char_bigrams(t) & wanted) for t in texts], title
    assert [len(a) for a in line_bigram_counts([], frozenset({"ab"}))] == [0, 0]


#: Near misses and hits for the pattern prechecks: each shortcut must answer as the full regex does.
PRECHECK_TEXTS = [
    "2024-05-12 09:30", "发布时间：2024年5月12日", "5月12日", "5 月 12 日电", "12月", "May 12, 2024",
    "posted 12 march 2024", "may I ask, 12 of 2024", "decimal 3.14 and december", "version 1.2.3",
    "see www.example.com/path", "HTTPS://News.Example.CN/a", "email me at x.org", "Dr. Smith went home.",
    "no digits, no dots", "sub.domain-name.gov.", "ftp://files.example.net", "192.168.0.1",
]


def test_date_and_url_prechecks_agree_with_the_full_patterns():
    import re

    from model.features import _DATE_LC, _URL_LC, _URL_NEEDS, _has_date

    for text in PRECHECK_TEXTS:
        lower = text.lower()
        assert _has_date(lower) == bool(_DATE_LC.search(lower)), text
        assert (any(s in lower for s in _URL_NEEDS) and bool(_URL_LC.search(lower))) == bool(_URL_LC.search(lower)), text
    # the capitalised-word count: the lookahead form counts what the word form matches
    from model.features import _UPPER_WORD

    word = re.compile(r"\b[A-Z][a-z]+")
    for text in ["Hello World", "ABc DeF ghI", "iPhone McDonald O'Neil", "Élan Vital", "NASA Launches", ""]:
        assert len(_UPPER_WORD.findall(text)) == len(word.findall(text)), text


def test_pattern_columns(make_page):
    page = make_page(["2024-05-12 09:30 来源：华东日报", "沪ICP备12345678号-1", "Copyright © 2024 Gazette",
                      "加微信 hd8866 领取内部计划", "相关推荐", "钦州市某某商贸有限公司"])
    dense = dense_page(page)
    assert dense[0, COL["text_14"]] == 1.0 and dense[0, COL["text_15"]] == 1.0  # date, time
    assert dense[1, COL["text_18"]] == 1.0  # ICP
    assert dense[2, COL["text_17"]] == 1.0  # copyright
    assert dense[3, COL["text_19"]] == 1.0  # contact (微信)
    assert dense[4, COL["text_23"]] == 1.0  # links heading word
    assert dense[5, COL["text_21"]] == 1.0  # 某某
    assert dense[4, COL["text_13"]] == 1.0  # short line (<= 4 chars)


def test_columns_pass_two_reads_by_position(make_page):
    # model.classify.block_features finds block headings through these two indices
    texts = ["相关推荐", "More stories", "今天天气很好，我们去公园散步。"]
    dense = dense_page(make_page(texts))
    assert dense[:, LINKS_WORDS_COLUMN].tolist() == [1.0, 1.0, 0.0]
    assert np.allclose(dense[:, LENGTH_COLUMN], [math.log1p(len(t)) for t in texts])


def test_title_similarity_repetition_and_position(make_page):
    page = make_page(["首页", "老旧菜市场变身社区邻里中心", "正文。", "首页"], title="老旧菜市场变身社区邻里中心_华东日报")
    dense = dense_page(page)
    assert dense[1, COL["page_0"]] > 0.8 > dense[2, COL["page_0"]]
    assert dense[1, COL["page_1"]] == 1.0  # every bigram of the line is in the title
    assert dense[0, COL["page_3"]] == pytest.approx(math.log1p(1))  # "首页" occurs twice
    assert dense[2, COL["page_3"]] == 0.0
    assert dense[:, COL["position_0"]].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])


def test_dom_columns_are_zero_in_text_mode():
    page = html_page()
    with_dom = LineFeaturizer(use_dom=True).dense([page])
    without = LineFeaturizer(use_dom=False).dense([page])
    assert with_dom[:, DOM_COLS].any()
    assert not without[:, DOM_COLS].any()
    dom_derived = [COL[f"nb{off:+d}_{c}"] for off in (-2, -1, 1, 2) for c in (33, 35)] + [COL["win_link"]]
    assert not without[:, dom_derived].any()
    text_cols = [i for i, name in enumerate(NAMES) if name.startswith(("text_", "page_", "position_"))]
    assert np.array_equal(with_dom[:, text_cols], without[:, text_cols])


def test_link_and_list_columns_on_html(page_lines):
    page = html_page()
    dense = dense_page(page)
    labels = [item["label"] for item in page_lines("zh_news_gbk")]
    links = [i for i, lab in enumerate(labels) if lab == "links"]
    body = [i for i, lab in enumerate(labels) if lab == "body"]
    assert dense[links[1:], COL["dom_0"]].min() > 0.9  # link ratio of the related headlines
    assert dense[body, COL["dom_0"]].max() == 0.0
    assert dense[links[1:], COL["dom_2"]].min() == 1.0  # in a list


def test_path_run_and_markup_columns_follow_each_line():
    page = html_page()
    dense = dense_page(page)
    run, expected = 0, []
    for i, line in enumerate(page.lines):
        run = run + 1 if i and line.dom_path == page.lines[i - 1].dom_path else 0
        expected.append(math.log1p(run))
    assert dense[:, COL["dom_6"]].tolist() == expected
    assert max(expected) > math.log1p(2)  # the fixture has runs to count
    nav = next(i for i, line in enumerate(page.lines) if line.text == "首页")
    flags = dict(zip(DOM_FLAG_NAMES, dense[:, [COL[f"dom_{8 + k}"] for k in range(len(DOM_FLAG_NAMES))]].T))
    assert flags["attr:nav"][nav] == 1.0 and flags["tag:li"][nav] == 1.0
    assert [flags["tag:" + line.tag][i] for i, line in enumerate(page.lines) if "tag:" + line.tag in flags] == \
        [1.0] * sum("tag:" + line.tag in flags for line in page.lines)


# --- neighbours ----------------------------------------------------------------------------------------------

def test_neighbour_columns_copy_the_neighbours_values(make_page):
    page = make_page(["一", "二二二二，二。", "three three three", "四四", "the fifth line, longer than the others."])
    dense = dense_page(page)
    own = dense[:, COL["text_0"]]  # log length
    assert dense[1:, COL["nb-1_0"]].tolist() == pytest.approx(own[:-1].tolist())
    assert dense[:-2, COL["nb+2_0"]].tolist() == pytest.approx(own[2:].tolist())
    assert dense[0, COL["nb-1_0"]] == 0.0 and dense[:2, COL["nb-2_0"]].tolist() == [0.0, 0.0]
    assert dense[-1, COL["nb+1_0"]] == 0.0
    assert dense[1, COL["nb-1_6"]] == 0.0 and dense[0, COL["nb+1_6"]] == pytest.approx(math.log1p(2))
    # window mean over lines 0..3 for line 0 (window of 3 on each side)
    assert dense[0, COL["win_len"]] == pytest.approx(own[:4].mean())


def test_same_path_with_previous_line():
    page = html_page()
    dense = dense_page(page)
    same = dense[:, COL["same_path_prev"]]
    expected = [float(i > 0 and page.lines[i].dom_path == page.lines[i - 1].dom_path) for i in range(len(page.lines))]
    assert same.tolist() == expected
    assert 0 < same.sum() < len(page.lines)


# --- hashed tokens -----------------------------------------------------------------------------------------

def test_line_tokens_use_jieba_words_for_chinese(make_page):
    (line,) = make_page(["居民买菜看病一站办"]).lines
    tokens = line_tokens(line, use_dom=False)
    words = [t[2:] for t in tokens if t.startswith("w:")]
    assert "".join(words) == "居民买菜看病一站办"
    assert 1 < len(words) < 9  # words, not characters
    assert "L:居民买菜看病一站办" in tokens  # short lines are also kept whole


def test_line_tokens_dom_tokens_only_with_dom():
    page = html_page()
    line = next(ln for ln in page.lines if ln.text == "首页")
    assert "a:nav" in line_tokens(line, use_dom=True)
    assert any(t.startswith("t:") for t in line_tokens(line, use_dom=True))
    assert not [t for t in line_tokens(line, use_dom=False) if t.startswith(("a:", "t:"))]


def test_hashed_block_counts_the_tokens(make_page):
    page = make_page(["Home", "Council approves protected bike lanes on Mill Street", "Home"])
    bits = 10
    matrix = LineFeaturizer(use_dom=False, hash_bits=bits).transform([page]).toarray()
    hashed = matrix[:, len(NAMES):]
    assert hashed.shape[1] == 2 ** bits
    for row, line in zip(hashed, page.lines):
        assert row.sum() == len(line_tokens(line, use_dom=False))  # counts, no alternating signs
        assert row.min() >= 0
    assert np.array_equal(hashed[0], hashed[2])
    assert not np.array_equal(hashed[0], hashed[1])


def test_featurizer_is_stateless_and_deterministic(make_page):
    page = make_page(["首页", "正文第一段。", "Copyright"])
    a = LineFeaturizer(hash_bits=8).transform([page])
    b = LineFeaturizer(hash_bits=8).fit([make_page(["other"])]).transform([page])
    assert (a != b).nnz == 0


def test_a_1_mb_line_is_featurized_fast(make_page):
    huge = "菜市场改造完成，居民买菜更方便了。" * (1024 * 1024 // 17) + " and some English words"
    page = make_page(["首页", huge, "Copyright © 2024"])
    started = time.perf_counter()
    matrix = LineFeaturizer(hash_bits=10).transform([page])
    assert time.perf_counter() - started < 3.0
    assert matrix.shape == (3, len(NAMES) + 2 ** 10)
    assert np.isfinite(matrix.toarray()).all()


def _fixture_lines():
    return [line for name in sorted(PAGES.glob("*.html")) for line in html_page(name.name).lines]


def test_cut_gives_jiebas_own_words():
    # rjieba stands in for jieba's Python cut only as long as the words are the same
    import jieba

    runs = [run for line in _fixture_lines() for run in features_module._CJK_RUN.findall(line.text)]
    runs += ["南京市长江大桥", "我们中出了一个叛徒", "北京市某某科技有限公司今日发布新品"]
    assert len(runs) > 50
    assert [features_module._cut(run) for run in runs] == [tuple(jieba.lcut(run, HMM=False)) for run in runs]


def _hashed(rows, width):
    return count_matrix([[token_column(t, width) for t in tokens] for tokens in rows], width)


def test_token_columns_counted_equal_feature_hasher():
    from sklearn.feature_extraction import FeatureHasher

    rows = [line_tokens(line) for line in _fixture_lines()] + [[], ["w:x", "w:x", "a:nav"]]
    for bits in (4, 16):
        ours = _hashed(rows, 2 ** bits)
        theirs = FeatureHasher(n_features=2 ** bits, input_type="string", alternate_sign=False).transform(rows)
        assert ours.shape == theirs.shape and ours.has_sorted_indices
        assert (ours != theirs).nnz == 0
    assert _hashed(rows, 16)[-1].sum() == 3


@pytest.mark.parametrize("use_dom", [True, False])
def test_line_columns_are_the_columns_of_line_tokens(use_dom):
    lines = _fixture_lines()
    for width in (2 ** 16, 2 ** 5):
        for line in lines + lines:  # the second time from the caches
            tokens = line_tokens(line, use_dom=use_dom)
            expected = [token_column(t, width) for t in tokens]
            assert line_columns(line, use_dom=use_dom, n_features=width) == expected


def test_sentence_end_check_matches_a_dollar_anchored_search():
    import re

    from model.features import _TERMINAL_CHARS, _ends_sentence

    search = re.compile("[" + re.escape("".join(sorted(_TERMINAL_CHARS))) + "]$").search
    samples = ["他说。", "He left.", "He left.\n", "He left.\n\n", "“好”", "(见图）", "Home", "", "\n", "a.\nb"]
    assert [_ends_sentence(s) for s in samples] == [bool(search(s)) for s in samples]
    assert [_ends_sentence(s) for s in samples] == [True, True, True, False, True, True, False, False, False, False]
