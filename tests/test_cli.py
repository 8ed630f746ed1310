"""The ``linesift`` command line, through typer's CliRunner (as typer's own tutorial tests)."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from model.classify import load_model
from model.cli import app
from model.records import LABELS

from conftest import LABELLED, PAGES

runner = CliRunner()
WIDE = {"COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"}


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# --- help --------------------------------------------------------------------------------------------------

def test_app_help_lists_the_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("label", "clean", "train", "evaluate"):
        assert re.search(rf"\b{command}\b", result.stdout), command


@pytest.mark.parametrize("command, options", [
    ("label", ["--model", "--format", "--explain", "--input-format", "--output"]),
    ("clean", ["--model", "--format", "--keep", "--lines", "--output"]),
    ("train", ["--out", "--corpora", "--holdout", "--hash-bits", "--cv", "--seed"]),
    ("evaluate", ["--model", "--corpora", "--json"]),
])
def test_command_help_mentions_the_key_options(command, options):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    for option in options:
        assert option in result.stdout, f"{command} --help lacks {option}"


# --- label -------------------------------------------------------------------------------------------------

def test_label_text_dump_gives_input_line_numbers(tiny_model_path):
    path = PAGES / "en_news_bom.txt"
    result = invoke("label", "--model", tiny_model_path, "--format", "jsonl", path)
    assert result.exit_code == 0, result.output
    (record,) = records(result)
    assert record["id"] == str(path) and record["error"] is None
    file_lines = path.read_text(encoding="utf-8").splitlines()
    expected = [(n, text) for n, text in enumerate(file_lines, start=1) if text.strip()]
    assert [(line["n"], line["text"]) for line in record["lines"]] == expected
    assert expected[-1][0] == len(file_lines) > len(expected)  # blank lines were really skipped
    assert all(line["label"] in LABELS and 0.0 <= line["score"] <= 1.0 for line in record["lines"])
    assert "Riverside city council voted 7-2" in record["text"]


def test_label_html_pages_one_record_each_in_input_order(tiny_model_path, page_lines):
    names = ["zh_news_gbk.html", "en_news_cp1252.html", "zh_news_big5.html"]
    result = invoke("label", "--model", tiny_model_path, "--format", "jsonl", *[PAGES / n for n in names])
    assert result.exit_code == 0, result.output
    out = records(result)
    assert [r["id"] for r in out] == [str(PAGES / n) for n in names]
    for record, name in zip(out, names):
        assert [line["text"] for line in record["lines"]] == [x["text"] for x in page_lines(name[:-5])]
        assert [line["n"] for line in record["lines"]] == list(range(1, len(record["lines"]) + 1))
    assert out[0]["lang"] == "zh" and out[1]["lang"] == "en"
    assert out[0]["title"] == "老旧菜市场变身社区邻里中心 居民买菜看病一站办_华东日报"


def test_label_pretty_view_into_a_file_is_a_usage_error(tiny_model_path, tmp_path):
    result = invoke("label", "--model", tiny_model_path, "-f", "pretty", "-o", tmp_path / "x.jsonl",
                    PAGES / "zh_forum.html")
    assert result.exit_code == 2 and "pretty view" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_label_explain_adds_pred_and_repair(tiny_model_path):
    result = invoke("label", "--model", tiny_model_path, "--format", "jsonl", "--explain", PAGES / "zh_forum.html")
    assert result.exit_code == 0, result.output
    line = records(result)[0]["lines"][0]
    assert "pred" in line and "repair" in line


def test_label_pretty_view_shows_explain_for_repaired_lines(tiny_model_path):
    import io

    from rich.console import Console

    from model.cli import _show_pretty
    from model.pipeline import label_bytes

    page = label_bytes((PAGES / "zh_forum.html").read_bytes(), model=tiny_model_path)
    page.lines[0].pred, page.lines[0].label, page.lines[0].repair_reason = "chrome", "body", "headline"
    views = {}
    for explain in (False, True):
        out = io.StringIO()
        _show_pretty(page, Console(file=out, width=300, no_color=True), explain=explain)
        views[explain] = out.getvalue().splitlines()
    assert views[True][1].endswith("[chrome -> body: headline]")
    assert "->" not in views[False][1]
    assert len(views[True]) == len(views[False]) == len(page.lines) + 1


def test_output_above_the_progress_bar_is_printed_in_whole_lines():
    import io

    from rich.console import Console

    from model.cli import _AboveBar, _RichProgress

    out = _AboveBar(_RichProgress())
    assert out.console is not None  # the bar's own console, which prints above the bar
    printed = io.StringIO()
    out.console = Console(file=printed, width=300, no_color=True)
    out.write("第一行的前半")
    assert printed.getvalue() == ""  # half a line waits for its end
    out.write("和后半\nsecond line\nthird")
    out.flush()
    assert printed.getvalue() == "第一行的前半和后半\nsecond line\nthird"
    assert out.isatty()  # so the record writer flushes each page


def test_bad_pages_in_a_label_batch_become_error_records(tiny_model_path, tmp_path):
    good_html = tmp_path / "a_good.html"
    shutil.copy(PAGES / "zh_news_lying.html", good_html)
    empty = tmp_path / "b_empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "c_image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 8)
    good_text = tmp_path / "d_good.txt"
    shutil.copy(PAGES / "en_news_valley.txt", good_text)
    inputs = [good_html, empty, binary, good_text]
    result = invoke("label", "--model", tiny_model_path, "--format", "jsonl", *inputs)
    assert result.exit_code == 1, result.output
    out = records(result)
    assert [r["id"] for r in out] == [str(p) for p in inputs]
    assert out[0]["error"] is None and out[0]["lines"]
    assert out[3]["error"] is None and out[3]["lines"]
    assert out[1]["error"].startswith(str(empty)) and "empty" in out[1]["error"]
    assert out[2]["error"].startswith(str(binary)) and "binary" in out[2]["error"]
    for bad in out[1:3]:
        assert bad["text"] == "" and "\n" not in bad["error"]
    assert "2 errors" in result.stderr or "2 of 4" in result.stderr


def test_label_with_a_tampered_model_exits_2(tiny_model_path, tmp_path):
    model = tmp_path / "m.joblib"
    shutil.copy(tiny_model_path, model)
    shutil.copy(tiny_model_path.with_suffix(".json"), model.with_suffix(".json"))
    with model.open("ab") as fh:
        fh.write(b"tampered")
    result = invoke("label", "--model", model, "--format", "jsonl", PAGES / "en_news_bom.txt")
    assert result.exit_code == 2
    assert "sha256" in result.stderr
    assert result.stdout == ""


# --- train -------------------------------------------------------------------------------------------------

def test_train_writes_model_and_manifest_and_prints_metrics(tmp_path):
    out = tmp_path / "cli-model.joblib"
    result = invoke("train", LABELLED / "html_pages.jsonl", LABELLED / "hand.tsv", "--out", out,
                    "--cv", "1", "--hash-bits", "10", "--holdout", "0.3")
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".json").exists()
    manifest = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["labels"] == list(LABELS)
    assert manifest["config"]["hash_bits"] == 10
    assert manifest["training"]["train_pages"] + manifest["training"]["dev_pages"] == 10
    for label in LABELS:
        assert re.search(rf"^{label}\s+\d\.\d{{3}}\s+\d\.\d{{3}}\s+\d\.\d{{3}}\s+\d+$", result.stdout, re.M), label
    assert "macro F1" in result.stdout
    assert "DummyClassifier" in result.stdout
    load_model(out)  # the manifest checks pass


@pytest.mark.parametrize("bad_line, message", [
    ('{"id": "p", "lines": [{"text": "首页", "label": "menu"}]}', "unknown label 'menu'"),
    ('{"id": "p", "lines": [{"text": "首页"}]}', "needs 'text' and 'label'"),
    ('{"id": "p"}', "missing or empty 'lines'"),
    ('{"id": "p", "lines": [', "not valid JSON"),
])
def test_train_input_errors_name_file_and_line(tmp_path, bad_line, message):
    data = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "ok", "lines": [{"text": "首页", "label": "chrome"}, {"text": "正文。", "label": "body"}]},
                      ensure_ascii=False)
    data.write_text(good + "\n" + bad_line + "\n", encoding="utf-8")
    result = invoke("train", data, "--out", tmp_path / "m.joblib")
    assert result.exit_code != 0
    assert f"{data}:2" in result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one clear line, no traceback
    assert not (tmp_path / "m.joblib").exists()


def test_train_checks_its_output_path_before_training(tmp_path):
    data = tmp_path / "d.tsv"
    data.write_text("chrome\t首页\nbody\t正文第一段。\n", encoding="utf-8")
    (tmp_path / "blocker").write_text("a file")
    for out in (tmp_path, tmp_path / "blocker" / "m.joblib"):
        result = invoke("train", data, "--out", out)
        assert result.exit_code == 2 and "--out" in result.stderr and "Traceback" not in result.stderr
        assert "training" not in result.stderr  # refused before any work


def test_train_says_why_it_reports_no_held_out_metrics(tmp_path):
    data = tmp_path / "one-site.jsonl"
    pages = [{"id": f"p{i}", "url": f"https://news.example.cn/{i}.html",
              "lines": [{"text": "首页 国内 国际", "label": "chrome"}, {"text": f"正文第{i}段。", "label": "body"}]}
             for i in range(3)]
    data.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    result = invoke("train", data, "--out", tmp_path / "m.joblib")
    assert result.exit_code == 0, result.output
    assert "no held-out metrics: the data comes from one site" in result.stderr
    assert "training on 3 pages of 1 sites" in result.stderr


def test_train_on_one_class_is_a_message_not_a_traceback(tmp_path):
    data = tmp_path / "d.tsv"
    data.write_text("#id a\nbody\t正文第一段。\nbody\t正文第二段。\n\n#id b\nbody\t另一页正文。\n", encoding="utf-8")
    result = invoke("train", data, "--out", tmp_path / "m.joblib", "--holdout", "0")
    assert result.exit_code == 1
    assert "cannot train on this data: training data must contain at least two different labels" in result.stderr
    assert "Traceback" not in result.stderr


def test_train_tsv_with_unknown_label_names_file_and_line(tmp_path):
    data = tmp_path / "bad.tsv"
    data.write_text("#id page\nchrome\t首页\nbody\t正文第一段。\nnavigation\t国内\n", encoding="utf-8")
    result = invoke("train", data, "--out", tmp_path / "m.joblib")
    assert result.exit_code == 1
    assert f"{data}:4" in result.stderr and "unknown label 'navigation'" in result.stderr


def test_train_without_data_is_an_error(tmp_path):
    result = invoke("train", "--out", tmp_path / "m.joblib")
    assert result.exit_code != 0
    assert "nothing to train on" in result.stderr


def test_train_missing_file_is_an_error(tmp_path):
    result = invoke("train", tmp_path / "absent.jsonl", "--out", tmp_path / "m.joblib")
    assert result.exit_code == 1
    assert "absent.jsonl: no such file" in result.stderr


# --- evaluate ----------------------------------------------------------------------------------------------

def test_evaluate_prints_macro_f1_confusion_and_writes_json(tiny_model_path, tmp_path):
    report = tmp_path / "report.json"
    result = invoke("evaluate", LABELLED / "text_pages.jsonl", "--model", tiny_model_path, "--json", report)
    assert result.exit_code == 0, result.output
    assert re.search(r"macro F1 \d\.\d{3}", result.stdout)
    assert "confusion (rows = gold, columns = predicted)" in result.stdout
    assert "body-token P/R/F1" in result.stdout
    for label in LABELS:
        assert re.search(rf"^  {label}\s+(\d+\s+){{3}}\d+$", result.stdout, re.M), label
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["n_pages"] == 4
    assert len(data["confusion"]) == 4 and sum(map(sum, data["confusion"])) == data["n_lines"]
    assert len(data["per_page"]) == 4


def test_evaluate_bad_data_exits_1_naming_the_file(tiny_model_path, tmp_path):
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "p", "lines": [{"text": "x", "label": "header"}]}\n', encoding="utf-8")
    result = invoke("evaluate", data, "--model", tiny_model_path)
    assert result.exit_code == 1
    assert f"{data}:1" in result.stderr


def test_evaluate_with_missing_manifest_exits_2(tiny_model_path, tmp_path):
    model = tmp_path / "m.joblib"
    shutil.copy(tiny_model_path, model)
    result = invoke("evaluate", LABELLED / "hand.tsv", "--model", model)
    assert result.exit_code == 2
    assert "no manifest" in result.stderr
