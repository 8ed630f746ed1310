import re
import sys
import unicodedata

from model.records import line_hash, normalize_text


def test_normalize_text_folds_full_width_and_collapses_whitespace():
    assert normalize_text("  ＡＢＣ１２３\u3000长江\t大桥 \n") == "ABC123 长江 大桥"
    assert normalize_text("") == ""
    assert normalize_text(" \u00a0\u2003 ") == ""


def test_normalize_text_splits_on_exactly_what_a_regex_whitespace_run_matches():
    # normalize_text uses str.split for speed; the hashed labels in data/ were made
    # with the regex form, so the two must agree on every character Python knows
    ws = re.compile(r"\s+")
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if ws.fullmatch(c)]
    assert spaces == [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    text = "a" + "b".join(spaces) + " 首页\u00a8\u3000END "  # U+00A8 becomes " \u0308" under NFKC
    assert normalize_text(text) == ws.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def test_line_hash_ignores_width_and_spacing():
    assert line_hash("返回 顶部") == line_hash("返回\u3000顶部 ")
    assert line_hash("Home") != line_hash("home")


def test_line_pickles_and_copies_every_field():
    import copy
    import dataclasses
    import pickle

    from model.records import Line, Page

    # every field off its default, so a field the reduction forgot would come back changed
    line = Line(text="相关推荐：地铁五号线", n=7, tag="li", dom_path="body/div/ul/li", attrs=("related", "list"),
                depth=4, link_chars=9, n_links=1, in_list=True, in_table=True, pred="chrome",
                proba=(0.1, 0.0, 0.7, 0.2), label="links", score=0.7, spans=[(2, 4)], repair_reason="teaser",
                gold="links", gold_spans=[(0, 1)])
    assert all(getattr(line, f.name) != f.default for f in dataclasses.fields(Line)
               if f.default is not dataclasses.MISSING)
    page = Page(id="p1", raw="<html>", source="html", lines=[line, Line(text="正文", n=8)], metadata={"site": "x"})
    for back in (pickle.loads(pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)), copy.deepcopy(page)):
        assert back == page
        assert back.lines[0].spans is not line.spans  # a copy, not the same list
