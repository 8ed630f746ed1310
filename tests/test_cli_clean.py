"""`linesift clean` and `linesift label` on crawls: inputs, outputs, exit codes, resuming, pipes."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from batch_fixtures import DATA, site_pages, tiny_model, warc_record, write_jsonl, write_warc
from typer.testing import CliRunner

from model.cli import app

runner = CliRunner()


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    return str(tiny_model(tmp_path_factory.mktemp("model")))


@pytest.fixture()
def crawl(tmp_path):
    root = tmp_path / "crawl"
    root.mkdir()
    write_warc(root / "a.warc.gz", [warc_record(u, h.encode()) for u, h in site_pages("zh.example.cn", 4)])
    write_jsonl(root / "b.jsonl.gz", [{"id": f"b{i}", "url": u, "html": h}
                                      for i, (u, h) in enumerate(site_pages("en.example.com", 3, "en"))])
    return root


def _records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_help_should_document_inputs_exit_codes_and_batch_options():
    result = runner.invoke(app, ["clean", "--help"])
    assert result.exit_code == 0
    for words in ("WARC", "--jobs", "--timeout", "--overwrite", "--shard-index", "--two-pass", "--scheduler",
                  "Exit code"):
        assert words in result.output
    assert runner.invoke(app, ["label", "--help"]).exit_code == 0


def test_clean_should_write_one_record_per_page_to_stdout(crawl, model_path):
    result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    records = _records(result.stdout)
    assert len(records) == 7 and all(r["error"] is None and r["text"] for r in records)
    assert records[0]["url"] == "http://zh.example.cn/a/0.html" and records[-1]["id"] == "b2"
    assert list(records[0]) == ["id", "url", "lang", "title", "text", "error"]


def test_two_jobs_to_stdout_should_keep_the_input_order(crawl, model_path):
    one = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-j", "1", "-q"])
    two = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-j", "2", "-q"])
    assert two.exit_code == 0 and two.stdout == one.stdout


def test_failed_pages_should_give_error_records_and_exit_code_1(tmp_path, model_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"id": "ok", "text": "第一行\n第二行文字"}, {"id": "empty", "html": " "},
                                              {"id": "huge", "text": "长" * 400_000}, {"id": "no_page", "body": "x"}])
    result = runner.invoke(app, ["clean", str(path), "-m", model_path, "--max-page-mb", "1"])
    assert result.exit_code == 1
    records = {r["id"]: r for r in _records(result.stdout)}
    assert records["ok"]["error"] is None and records["empty"]["error"].endswith(": empty page")
    assert "no 'html' or 'text'" in records["no_page"]["error"]
    assert "over the" in records["huge"]["error"]
    kinds = [records[k].get("error_kind") for k in ("ok", "empty", "huge", "no_page")]
    assert kinds == [None, "empty", "too_large", "read"]
    assert "3 errors" in result.stderr and "empty 1" in result.stderr


def test_blank_pages_are_errors_of_kind_empty_not_decode(tmp_path, model_path):
    (tmp_path / "a_blank.txt").write_text(" \n\t\n\u3000\n", encoding="utf-8")
    (tmp_path / "b_nothing.txt").write_bytes(b"")
    (tmp_path / "c_image.html").write_text("<html><body><img src='x.png'></body></html>", encoding="utf-8")
    (tmp_path / "d_binary.html").write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(app, ["clean", str(tmp_path), "-m", model_path, "-q"])
    assert result.exit_code == 1
    kinds = [r["error_kind"] for r in _records(result.stdout)]
    assert kinds == ["empty", "empty", "empty", "decode"]


@pytest.mark.parametrize("args, message", [
    (["missing.html"], "no such file"),
    (["{crawl}", "--keep", "body,junk"], "unknown label"),
    ([], "at least one input"),
    (["{crawl}", "--shard-index", "3", "--num-shards", "2"], "shard-index"),
    (["{crawl}", "--jobs", "100000"], "at most"),
    (["{crawl}", "--compress", "-o", "{crawl}/../one.jsonl"], "--compress"),
    ([""], "empty input name"),
    (["{crawl}", "--timeout", "inf"], "less than or equal"),
    (["{crawl}", "--max-page-mb", "1e308"], "less than or equal"),
    (["{crawl}", "--dask", "local"], "--output"),
    (["{crawl}", "--format", "files"], "--output"),
])
def test_usage_errors_should_exit_2(crawl, model_path, args, message):
    args = [a.replace("{crawl}", str(crawl)) for a in args]
    result = runner.invoke(app, ["clean", *args, "-m", model_path])
    assert result.exit_code == 2
    assert message in result.output


def test_output_dir_should_be_resumable_and_report_a_summary(crawl, tmp_path, model_path):
    out = tmp_path / "out"
    args = ["clean", str(crawl), "-m", model_path, "-o", str(out), "--compress", "-j", "2"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.glob("*.jsonl.gz")) == ["a.jsonl.gz", "b.jsonl.gz"]
    assert "7 pages" in first.stderr and "_summary.json" in first.stderr
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "2 resumed" in again.stderr
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["pages"] == 7 and summary["shards"]["resumed"] == 2 and summary["pages_this_run"] == 0


def test_shard_index_should_split_a_run_across_machines(crawl, tmp_path, model_path):
    out = tmp_path / "out"
    for i in (0, 1):
        result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out),
                                     "--shard-index", str(i), "--num-shards", "2"])
        assert result.exit_code == 0
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["a.jsonl", "b.jsonl"]
    assert (out / "_summary-00001-of-00002.json").exists()


def test_text_format_should_separate_pages_by_a_blank_line(tmp_path, model_path):
    for name in ("zh-news.html", "en-news.html"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    result = runner.invoke(app, ["clean", str(tmp_path), "-m", model_path, "--format", "text", "--keep",
                                 "body,links", "--no-templates"])
    assert result.exit_code == 0
    pages = result.stdout.split("\n\n")
    assert len(pages) == 2 and "repair café" in pages[0] and "夜间公交" in pages[1]


def test_files_format_should_write_one_file_per_page_and_resume(crawl, tmp_path, model_path):
    bad = write_jsonl(crawl / "c.jsonl", [{"id": "ok/page 1", "text": "第一行\n第二行文字"}, {"id": "empty", "html": " "}])
    out = tmp_path / "out"
    args = ["clean", str(crawl), "-m", model_path, "-o", str(out), "--format", "files", "-j", "2"]
    first = runner.invoke(app, args)
    assert first.exit_code == 1, first.output  # one page failed; the others are written
    files = {p.parent.name: sorted(q.name for q in p.parent.glob("*.txt")) for p in out.glob("*/*.txt")}
    assert len(files["a"]) == 4 and len(files["b"]) == 3
    assert files["c"] == ["0000001-page_1.txt"]  # ordinal first, then a file-safe id; the error page has none
    stdout = runner.invoke(app, ["clean", str(crawl / "b.jsonl.gz"), "-m", model_path, "--format", "text"]).stdout
    written = [(out / "b" / name).read_text(encoding="utf-8") for name in files["b"]]
    assert "\n".join(written) == stdout  # the same texts as the text stream, one per file
    errors = _records((out / "c.errors.jsonl").read_text(encoding="utf-8"))
    assert [e["id"] for e in errors] == ["empty"]
    again = runner.invoke(app, args)
    assert "3 resumed" in again.stderr
    redo = runner.invoke(app, [*args, "--overwrite"])
    assert redo.exit_code == 1 and sorted(q.name for q in (out / "a").iterdir()) == files["a"]
    assert bad.exists() and not list(out.glob("*.tmp-*"))


def test_stdin_should_take_a_warc_stream(model_path):
    url, html = site_pages("zh.example.cn", 1)[0]
    import gzip

    data = gzip.compress(warc_record(url, html.encode()))
    result = runner.invoke(app, ["label", "-", "-m", model_path, "--format", "jsonl"], input=data)
    assert result.exit_code == 0, result.output
    (record,) = _records(result.stdout)
    assert record["url"] == url and {ln["label"] for ln in record["lines"]} <= {"body", "spam", "links", "chrome"}


def test_label_should_read_jsonl_with_custom_fields_and_explain(tmp_path, model_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"key": "k1", "content": "第一行\n第二行文字"}])
    result = runner.invoke(app, ["label", str(path), "-m", model_path, "--text-field", "content",
                                 "--id-field", "key", "--explain"])
    assert result.exit_code == 0
    (record,) = _records(result.stdout)
    assert record["id"] == "k1" and [ln["n"] for ln in record["lines"]] == [1, 2] and "pred" in record["lines"][0]


@pytest.mark.parametrize("jobs, files", [(1, 1), (2, 1), (2, 4)])
def test_a_closed_pipe_should_not_print_a_traceback(tmp_path, model_path, jobs, files):
    """With workers too: the parent stops them with SIGTERM, which must not surface in them
    as the CLI's KeyboardInterrupt (two jobs on one file share pages, on four take files)."""
    paths = [write_jsonl(tmp_path / f"p{k}.jsonl", [{"id": f"{k}-{i}", "text": f"第{i}行\n" * 50}
                                                     for i in range(150)]) for k in range(files)]
    cmd = (f"{sys.executable} -m model.cli clean {' '.join(map(str, paths))} -m {model_path} -j {jobs} --lines"
           " | head -n 1")
    done = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_an_output_file_in_a_missing_folder_should_be_created(tmp_path, model_path):
    out = tmp_path / "new" / "deeper" / "out.jsonl"
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _records(out.read_text(encoding="utf-8"))] == [str(DATA / "zh-news.html")]


def test_a_gzipped_text_output_file_is_one_file(tmp_path, model_path):
    import gzip

    out = tmp_path / "clean.txt.gz"
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path, "-o", str(out),
                                 "--format", "text", "--keep", "body,links,chrome"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and gzip.decompress(out.read_bytes()).decode("utf-8").strip()


@pytest.mark.parametrize("name", ["out.jsonl.zst", "out.json.bz2", "crawl.warc.gz", "out.csv", "run.log"])
def test_an_output_name_of_a_format_linesift_cannot_write_is_refused_not_made_a_folder(tmp_path, model_path, name):
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path, "-o", str(tmp_path / name)])
    assert result.exit_code == 2 and "linesift writes one file named" in result.output
    assert not (tmp_path / name).exists()


def test_an_output_file_that_cannot_be_written_should_be_a_usage_error(tmp_path, model_path):
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path,
                                 "-o", str(tmp_path / "blocker" / "out.jsonl")])
    assert result.exit_code == 2
    assert "cannot write" in result.output and "blocker" in result.output


def test_an_interrupted_run_should_not_pass_its_part_for_the_whole_output(tmp_path, model_path, monkeypatch):
    """Ctrl-C or SIGTERM during ``-o FILE``: what was done goes to FILE.partial, exit 130."""
    from model import shards

    real = shards.run_to_stream

    def interrupted(*args, **kw):
        report = real(*args, **kw)
        report.interrupted = True
        return report

    monkeypatch.setattr(shards, "run_to_stream", interrupted)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path, "-o", str(out)])
    assert result.exit_code == 130
    assert not out.exists() and len(_records((tmp_path / "out.jsonl.partial").read_text(encoding="utf-8"))) == 1
    assert "interrupted" in result.output
    assert shards.RunReport(interrupted=True).summary()["exit_code"] == 130


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_shard_that_fails_in_a_stdout_run_is_reported_and_the_others_still_come_out(tmp_path, model_path,
                                                                                       monkeypatch, jobs):
    """A full disk or a reader bug on one input file: named on stderr, exit 1, the other files' pages out."""
    from model import shards

    write_jsonl(tmp_path / "a.jsonl", [{"id": "only", "text": "第一行\n今天天气很好，我们去公园散步。"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": f"b{i}", "text": "第二个文件\n内容"} for i in range(3)])
    real = shards.stream_shard

    def failing(shard, *args, **kw):
        if shard.name == "b":
            raise OSError(28, "No space left on device")
        return real(shard, *args, **kw)

    monkeypatch.setattr(shards, "stream_shard", failing)  # forked workers inherit it
    result = runner.invoke(app, ["clean", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "-m", model_path,
                                 "-j", jobs])
    assert result.exit_code == 1
    assert [r["id"] for r in _records(result.stdout)] == ["only"]
    assert "shard b failed: OSError: [Errno 28] No space left on device" in result.stderr


# --- batch runs a data engineer leaves overnight --------------------------------------------------------

@pytest.mark.parametrize("option, why", [(["--two-pass"], "--two-pass reads every input twice"),
                                         (["--dask", "local"], "Dask workers cannot read")])
def test_stdin_is_refused_where_it_would_be_read_twice_or_elsewhere(tmp_path, model_path, option, why):
    result = runner.invoke(app, ["clean", "-", "-m", model_path, "-o", str(tmp_path / "out"), *option],
                           input='{"id": "a", "text": "第一行\\n第二行"}\n')
    said = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2 and why in said and "save it to a file" in said and "stdin or a pipe" in said


def test_the_stdin_shard_is_redone_on_every_run_into_a_folder(tmp_path, model_path):
    out = tmp_path / "out"
    for day in ("monday", "tuesday"):
        result = runner.invoke(app, ["clean", "-", "-m", model_path, "-o", str(out), "-q"],
                               input=json.dumps({"id": day, "text": f"{day}\n今天天气很好。"}) + "\n")
        assert result.exit_code == 0, result.output
    assert [r["id"] for r in _records((out / "stdin.jsonl").read_text(encoding="utf-8"))] == ["tuesday"]


def test_an_interrupted_overwrite_does_not_leave_shards_of_the_old_options_to_resume(crawl, tmp_path, model_path,
                                                                                    monkeypatch):
    from model import shards

    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-j", "1"]).exit_code == 0
    real = shards.run_shard

    def killed_after_the_first(shard, *args, **kw):
        if shard.name == "b":
            raise KeyboardInterrupt
        return real(shard, *args, **kw)

    monkeypatch.setattr(shards, "run_shard", killed_after_the_first)
    result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-j", "1", "--lines",
                                 "--overwrite"])
    assert result.exit_code == 130
    monkeypatch.setattr(shards, "run_shard", real)
    result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-j", "1", "--lines"])
    assert result.exit_code == 0 and "1 resumed" in result.stderr  # a (with --lines) is kept, b redone
    for name in ("a.jsonl", "b.jsonl"):
        assert all("lines" in r for r in _records((out / name).read_text(encoding="utf-8"))), name


def test_an_output_folder_inside_the_input_folder_is_not_read_back(crawl, model_path):
    out = crawl / "cleaned"
    for _ in range(2):  # the second run resumes: it must not take cleaned/ for input
        result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-j", "1"])
        assert result.exit_code == 0, result.output
    summary = json.loads((out / "_summary.json").read_text(encoding="utf-8"))
    assert summary["pages"] == 7 and summary["shards"]["total"] == 2


def test_one_file_named_in_several_spellings_is_read_once(crawl, model_path, monkeypatch):
    monkeypatch.chdir(crawl)
    result = runner.invoke(app, ["clean", "b.jsonl.gz", "./b.jsonl.gz", str(crawl / "b.jsonl.gz"), "-m", model_path])
    assert result.exit_code == 0 and [r["id"] for r in _records(result.stdout)] == ["b0", "b1", "b2"]


def test_jsonl_ids_0_and_false_are_kept_and_other_types_written_as_json(tmp_path, model_path):
    path = write_jsonl(tmp_path / "ids.jsonl", [{"id": v, "text": "第一行\n第二行"} for v in (0, False, 1.5, {"n": 1})]
                       + [{"id": "", "text": "第一行"}])
    result = runner.invoke(app, ["clean", str(path), "-m", model_path])
    assert [r["id"] for r in _records(result.stdout)] == ["0", "false", "1.5", '{"n": 1}', f"{path}:5"]


def test_error_records_say_where_the_bad_record_is(tmp_path, model_path):
    jsonl = write_jsonl(tmp_path / "p.jsonl", [{"id": "dup", "text": "第一行"},
                                               {"id": "dup", "html": "<html><body><img src=x></body></html>"}])
    warc = write_warc(tmp_path / "c.warc.gz", [warc_record("http://x/ok", b"<p>text</p>"),
                                               warc_record("http://x/blank", b"   ")])
    result = runner.invoke(app, ["clean", str(jsonl), str(warc), "-m", model_path, "-j", "1"])
    errors = [r["error"] for r in _records(result.stdout) if r["error"]]
    assert errors[0] == f"dup ({jsonl}:2): no text found on the page"
    assert errors[1].endswith(f"(record 2 of {warc}): empty page")


def test_a_jsonl_line_too_long_to_be_a_page_is_a_too_large_error_and_the_file_goes_on(tmp_path, model_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "第一行\n第二行"}) + "\n" + '{"id": "huge", "text": "'
                    + "x" * 5_000_000 + '"}\n' + json.dumps({"id": "c", "text": "第三行\n第四行"}) + "\n")
    result = runner.invoke(app, ["clean", str(path), "-m", model_path, "--max-page-mb", "1"])
    out = _records(result.stdout)
    assert [r["id"] for r in out] == ["a", f"{path}:2", "c"] and out[1]["error_kind"] == "too_large"


def test_an_output_folder_that_cannot_be_made_is_a_usage_error(tmp_path, model_path):
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", model_path, "-o", str(tmp_path / "afile" / "out")])
    assert result.exit_code == 2 and "cannot write" in result.output


def test_a_clean_redo_removes_the_errors_file_of_the_run_before(tmp_path, model_path):
    path = write_jsonl(tmp_path / "e.jsonl", [{"id": "a", "text": "第一行\n第二行"}, {"id": "b", "html": " "}])
    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(path), "-m", model_path, "-o", str(out), "-f", "text"]).exit_code == 1
    assert (out / "e.errors.jsonl").exists()
    write_jsonl(path, [{"id": "a", "text": "第一行\n第二行"}])
    assert runner.invoke(app, ["clean", str(path), "-m", model_path, "-o", str(out), "-f", "text",
                               "--overwrite"]).exit_code == 0
    assert not (out / "e.errors.jsonl").exists()


def test_dask_with_an_unusable_model_is_a_usage_error(tmp_path):
    pytest.importorskip("distributed")
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a model")
    result = runner.invoke(app, ["clean", str(DATA / "zh-news.html"), "-m", str(bad), "-o", str(tmp_path / "o"),
                                 "--dask", "local"])
    assert result.exit_code == 2


def test_done_markers_record_real_input_paths_and_resume_through_a_symlink(crawl, tmp_path, model_path,
                                                                            monkeypatch):
    import os

    monkeypatch.chdir(crawl.parent)
    assert runner.invoke(app, ["clean", "crawl", "-m", model_path, "-o", str(tmp_path / "o"), "-j", "1"]).exit_code == 0
    marker = json.loads((tmp_path / "o" / "_done" / "a.json").read_text(encoding="utf-8"))
    assert marker["inputs"] == [os.path.realpath(crawl / "a.warc.gz")]
    (tmp_path / "link").symlink_to(crawl)
    result = runner.invoke(app, ["clean", str(tmp_path / "link"), "-m", model_path, "-o", str(tmp_path / "o"), "-j", "1"])
    assert result.exit_code == 0 and "2 resumed" in result.stderr


def test_two_pass_parts_of_a_sharded_run_label_pages_as_the_whole_run(tmp_path, model_path):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for k in range(4):  # one site over four files: its template counts need them all
        write_jsonl(crawl / f"p{k}.jsonl", [{"id": f"p{k}-{i}", "url": u, "html": h}
                                           for i, (u, h) in enumerate(site_pages("zh.example.cn", 12)[3 * k:3 * k + 3])])
    opts = ["-m", model_path, "--two-pass", "--template-min-pages", "8", "--lines", "-j", "1"]  # 12 pages, 6 a part
    whole = tmp_path / "whole"
    runner.invoke(app, ["clean", str(crawl), "-o", str(whole), *opts])
    assert "site_template" in (whole / "_summary.json").read_text(encoding="utf-8")
    parts = tmp_path / "parts"
    for i in (0, 1):
        runner.invoke(app, ["clean", str(crawl), "-o", str(parts), *opts, "--shard-index", str(i), "--num-shards", "2"])
    for name in sorted(p.name for p in whole.glob("*.jsonl")):
        assert (parts / name).read_text(encoding="utf-8") == (whole / name).read_text(encoding="utf-8"), name


def test_leftovers_of_a_killed_run_are_swept(crawl, tmp_path, model_path):
    import os

    out = tmp_path / "out"
    out.mkdir()
    mine = out / f"a.txt.tmp-{os.getpid()}"  # a restarted container reuses the pid of the killed run
    mine.write_text("half a shard")
    gone = out / "a.errors.jsonl.tmp-4194303"  # an errors file of a process that no longer exists
    gone.write_text("{}")
    result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-f", "text", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert not mine.exists() and not gone.exists()


def test_a_named_pipe_is_read_like_stdin_and_refused_where_stdin_is(tmp_path, model_path):
    import os
    import threading

    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["clean", str(fifo), "-m", model_path, "--two-pass"])
    assert result.exit_code == 2 and "a pipe can be read only once" in " ".join(result.output.replace("│", " ").split())

    def feed(day: str) -> threading.Thread:
        def write():
            with open(fifo, "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"id": day, "text": f"{day}\n今天天气很好。"}) + "\n")
        thread = threading.Thread(target=write)
        thread.start()
        return thread

    out = tmp_path / "out"
    for day in ("monday", "tuesday"):  # sniffed as JSON Lines, and redone on every run
        writer = feed(day)
        result = runner.invoke(app, ["clean", str(fifo), "-m", model_path, "-o", str(out), "-q", "-j", "1"])
        writer.join()
        assert result.exit_code == 0, result.output
    (shard,) = out.glob("*.jsonl")
    assert [r["id"] for r in _records(shard.read_text(encoding="utf-8"))] == ["tuesday"]


def test_an_output_file_with_a_failed_shard_is_left_as_partial(tmp_path, model_path, monkeypatch):
    from model import shards

    write_jsonl(tmp_path / "a.jsonl", [{"id": "only", "text": "第一行\n今天天气很好，我们去公园散步。"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": "b0", "text": "第二个文件\n内容"}])
    real = shards.stream_shard

    def failing(shard, *args, **kw):
        if shard.name == "b":
            raise OSError(28, "No space left on device")
        return real(shard, *args, **kw)

    monkeypatch.setattr(shards, "stream_shard", failing)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["clean", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"), "-m", model_path,
                                 "-o", str(out), "-j", "1"])
    assert result.exit_code == 1 and "1 shard(s) failed" in result.stderr
    assert not out.exists() and (tmp_path / "out.jsonl.partial").exists()


def test_an_input_named_as_the_output_file_is_refused(tmp_path, model_path):
    crawl = write_jsonl(tmp_path / "b.jsonl", [{"id": "b0", "text": "第一行\n第二行"}])
    result = runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(crawl)])
    said = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 2 and "is one of the inputs" in said
    assert "b0" in crawl.read_text(encoding="utf-8")  # the crawl file is untouched


def test_crawl_files_kept_under_the_output_folder_are_still_inputs(tmp_path, model_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "raw").mkdir()
    write_jsonl(tmp_path / "raw" / "a.jsonl", [{"id": "a0", "text": "第一行\n第二行"}])
    for _ in range(2):  # the second run resumes, and reads neither its own files nor loses raw/
        result = runner.invoke(app, ["clean", "raw", "-m", model_path, "-o", "."])
        assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "_summary.json").read_text(encoding="utf-8"))
    assert summary["pages"] == 1 and summary["shards"]["total"] == 1


def test_stdin_with_two_jobs_and_other_shards_is_read_in_this_process(tmp_path, model_path):
    files = [write_jsonl(tmp_path / f"m{k}.jsonl", [{"id": f"m{k}", "text": "第一行\n第二行"}]) for k in range(3)]
    result = runner.invoke(app, ["clean", "-", *map(str, files), "-m", model_path, "-j", "2"],
                           input=json.dumps({"id": "piped", "text": "第一行\n第二行"}) + "\n")
    assert result.exit_code == 0, result.output
    assert sorted(r["id"] for r in _records(result.stdout)) == ["m0", "m1", "m2", "piped"]


def test_an_output_file_the_disk_refuses_keeps_its_part_and_says_so(tmp_path, model_path):
    pages = write_jsonl(tmp_path / "p.jsonl", [{"id": f"p{i}", "text": "第一行\n" + "今天天气很好。" * 200}
                                               for i in range(40)])
    out = tmp_path / "out.jsonl"
    run = subprocess.run(["bash", "-c", f"ulimit -f 16; exec {sys.executable} -m model.cli clean {pages} "
                          f"-m {model_path} -o {out} -j 1 --lines"], capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert "cannot write" in run.stderr and (tmp_path / "out.jsonl.partial").exists() and not out.exists()


def test_finished_shards_the_run_no_longer_plans_are_named(crawl, tmp_path, model_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(crawl), "-m", model_path, "-o", str(out), "-j", "1"]).exit_code == 0
    (tmp_path / "more").mkdir()  # a file from another folder: the shards are named from a new common folder
    extra = write_jsonl(tmp_path / "more" / "m.jsonl", [{"id": "m0", "text": "第一行\n第二行"}])
    result = runner.invoke(app, ["clean", str(crawl), str(extra), "-m", model_path, "-o", str(out), "-j", "1"])
    assert result.exit_code == 0
    said = " ".join(result.stderr.split())
    assert "also holds 2 finished shard(s) this run does not plan (a, b)" in said
    assert json.loads((out / "_summary.json").read_text(encoding="utf-8"))["shards"]["stale"] == ["a", "b"]
