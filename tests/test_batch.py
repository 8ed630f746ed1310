"""Batch machinery: site templates, shard planning, resumable shard runs, timeouts, workers, Dask."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from batch_fixtures import DATA, site_pages, tiny_model, warc_record, write_jsonl, write_warc

from model import batch, shards
from model.batch import RunStats, label_pages
from model.read import page_from_text
from model.records import Line, Page
from model.templates import SiteTemplates, host_of, page_keys, template_labels


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    return str(tiny_model(tmp_path_factory.mktemp("model")))


@pytest.fixture()
def crawl(tmp_path):
    """A small mixed crawl: a WARC of one site, a JSONL of another, a folder of page files."""
    root = tmp_path / "crawl"
    (root / "pages").mkdir(parents=True)
    records = [warc_record(u, h.encode()) for u, h in site_pages("zh.example.cn", 8)]
    records.insert(2, warc_record("http://zh.example.cn/gone", b"x", status=404))
    write_warc(root / "a.warc.gz", records)
    write_jsonl(root / "b.jsonl", [{"id": f"b{i}", "url": u, "html": h}
                                   for i, (u, h) in enumerate(site_pages("en.example.com", 7, "en"))]
                + [{"id": "broken"}])
    for name in ("zh-news.html", "en-news.html"):
        (root / "pages" / name).write_bytes((DATA / name).read_bytes())
    return root


def _outputs(directory):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.jsonl"))}


# --- site templates on plain data --------------------------------------------------------------

def test_template_lines_should_become_chrome_or_links_next_to_links():
    labels = ["links", "body", "body", "body", "spam"]
    new, reasons = template_labels(labels, [False, True, True, False, True], [0.0, 0.0, 0.0, 0.0, 0.9])
    assert new == ["links", "links", "chrome", "body", "links"]
    assert reasons == ["", "site_template", "site_template", "", "site_template"]


def test_the_headline_and_non_body_lines_should_never_be_relabelled():
    new, reasons = template_labels(["body", "chrome"], [True, True], [0.0, 0.0], [True, False])
    assert new == ["body", "chrome"] and reasons == ["", ""]


def _page(host: str, texts: list[str], labels: list[str]) -> Page:
    page = Page(id=f"http://{host}/x", url=f"http://www.{host}/x")
    page.lines = [Line(text=t, n=i + 1, label=lab) for i, (t, lab) in enumerate(zip(texts, labels))]
    return page


def test_a_line_should_count_as_template_only_after_min_pages_and_min_share():
    tpl = SiteTemplates(min_pages=3, min_share=0.5)
    seen = []
    for i in range(4):
        page = _page("a.cn", ["关于我们  ", f"正文第{i}段"], ["body", "body"])
        tpl.observe(page)
        tpl.apply(page)
        seen.append(page.lines[0].label)
    assert seen == ["body", "body", "chrome", "chrome"]  # third page: count 3 >= 3 and 3/3 >= 0.5
    other = _page("b.cn", ["关于我们"], ["body"])
    tpl.observe(other)
    assert tpl.apply(other).lines[0].label == "body"  # counts are per host


def test_precomputed_keys_should_count_and_relabel_as_the_page_itself_does():
    plain, given = SiteTemplates(min_pages=2, min_share=0.5), SiteTemplates(min_pages=2, min_share=0.5)
    for i in range(3):
        texts, labels = ["首页 | 新闻", "Ｃｏｐｙｒｉｇｈｔ  2024", f"正文第{i}段"], ["body", "body", "body"]
        a, b = _page("a.cn", texts, labels), _page("a.cn", texts, labels)
        plain.observe(a)
        plain.apply(a)
        keys = page_keys(b)
        given.observe(b, keys)
        given.apply(b, keys)
        assert [line.label for line in a.lines] == [line.label for line in b.lines]
    assert plain.counts == given.counts
    assert [line.label for line in b.lines] == ["chrome", "chrome", "body"]  # template from the second page on


def test_counts_should_stay_bounded_and_merge_across_shards():
    tpl = SiteTemplates(min_pages=2, max_keys=50)
    for i in range(40):
        tpl.observe(_page(f"h{i % 3}.cn", [f"unique {i} {k}" for k in range(5)] + ["footer"], ["body"] * 6))
    assert tpl._n_keys <= 50
    a, b = SiteTemplates(min_pages=2), SiteTemplates(min_pages=2)
    a.observe(_page("a.cn", ["nav"], ["body"]))
    b.observe(_page("a.cn", ["nav"], ["body"]))
    merged = a.merge(b).compact()
    assert merged.pages == {"a.cn": 2} and merged.is_template("a.cn", next(iter(merged.counts["a.cn"])))


def test_host_should_come_from_the_url_or_the_folder_of_a_page_file():
    assert host_of(Page(id="x", url="https://www.news.example.cn/a/1.html")) == "news.example.cn"
    page = Page(id="crawl/site-a/1.html")
    page.metadata["from_file"] = True
    assert host_of(page) == "dir:crawl/site-a" and host_of(Page(id="-")) is None


# --- planning ----------------------------------------------------------------------------------

def test_shards_should_be_one_per_container_and_page_files_grouped_per_folder(crawl):
    from model.read import expand_inputs

    plan = shards.plan_shards(expand_inputs([str(crawl), "-"]), files_per_shard=1)
    assert [s.name for s in plan] == ["a", "b", "pages__pages-00000", "pages__pages-00001", "stdin"]
    assert shards.select_shards(plan, 1, 2) == [plan[1], plan[3]]
    with pytest.raises(ValueError, match="shard index"):
        shards.select_shards(plan, 2, 2)


# --- running -----------------------------------------------------------------------------------

def test_a_run_should_write_one_file_per_shard_a_marker_and_a_summary(crawl, tmp_path, model_path):
    from model.read import expand_inputs

    config = shards.RunConfig(model_path=model_path)
    plan = shards.plan_shards(expand_inputs([str(crawl)]))
    report = shards.run_to_dir(plan, config, tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(_outputs(out)) == ["a.jsonl", "b.jsonl", "pages__pages-00000.jsonl"]
    assert sorted(p.name for p in (out / "_done").iterdir()) == ["a.json", "b.json", "pages__pages-00000.json"]
    records = [json.loads(line) for line in (out / "a.jsonl").read_text().splitlines()]
    assert [r["url"] for r in records] == [u for u, _ in site_pages("zh.example.cn", 8)]  # ordered, 404 skipped
    assert set(records[0]) == {"id", "url", "lang", "title", "text", "error"}
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["pages"] == 8 + 8 + 2 and summary["errors"] == 1 and summary["error_kinds"] == {"read": 1}
    assert summary["skipped"] == {"http_404": 1} and report.exit_code == 1
    assert summary["relabelled"].get("site_template", 0) > 0  # the template lines of 8 pages of one site


def test_a_rerun_should_redo_only_unfinished_shards_without_duplicates(crawl, tmp_path, model_path):
    from model.read import expand_inputs

    config = shards.RunConfig(model_path=model_path)
    plan = shards.plan_shards(expand_inputs([str(crawl)]))
    out = tmp_path / "out"
    shards.run_to_dir(plan, config, out)
    before = _outputs(out)
    # simulate a kill -9 in the middle of shard b: no marker, a half-written temp file of a dead process
    (out / "_done" / "b.json").unlink()
    (out / "b.jsonl").unlink()
    (out / "b.jsonl.tmp-999999").write_text('{"id": "half"')
    report = shards.run_to_dir(plan, config, out)
    assert (report.resumed, report.done_now) == (2, 1)
    assert _outputs(out) == before
    assert not list(out.glob("*.tmp-*"))
    assert report.stats.pages == 18  # resumed shards' stats are counted from their markers
    again = shards.run_to_dir(plan, config, out, overwrite=True)
    assert again.done_now == 3 and _outputs(out) == before


@pytest.mark.parametrize("files_per_shard, by_pages", [(1000, True), (1, False)])
def test_two_jobs_should_write_the_same_files_as_one(crawl, tmp_path, model_path, files_per_shard, by_pages):
    from model.read import expand_inputs

    config = shards.RunConfig(model_path=model_path, with_lines=True, batch_pages=2)
    plan = shards.plan_shards(expand_inputs([str(crawl)]), files_per_shard=files_per_shard)
    assert shards.use_page_pool(len(plan), 2) is by_pages  # 3 shards share pages, 4 go whole to workers
    one = shards.run_to_dir(plan, config, tmp_path / "one", jobs=1)
    two = shards.run_to_dir(plan, config, tmp_path / "two", jobs=2)
    assert two.done_now == len(plan) and not two.failed
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")
    for report in (one, two):
        report.stats.seconds = {}
    assert two.stats == one.stats


def test_a_page_pool_should_use_every_job_on_one_shard_and_stream_in_order(crawl, tmp_path, model_path):
    import io
    import os

    from model.read import expand_inputs

    config = shards.RunConfig(model_path=model_path, batch_pages=2)
    plan = shards.plan_shards(expand_inputs([str(crawl / "a.warc.gz")]))
    streams = []
    for jobs in (1, 2):
        out = io.StringIO()
        report = shards.run_to_stream(plan, config, out=out, jobs=jobs)
        assert report.stats.pages == 8 and not report.failed
        streams.append(out.getvalue())
    assert streams[0] == streams[1]
    with shards.page_pool(2, config) as pool:
        pages = list(pool.label(shards.shard_pages(plan[0], config, Counter()), config, RunStats()))
        worker = pool.executor.submit(os.getpid).result()
    assert worker != os.getpid()
    assert [p.url for p in pages] == [u for u, _ in site_pages("zh.example.cn", 8)]
    assert all(p.lines and p.raw == "" for p in pages)  # labelled by ``_label_chunk`` in a worker


def test_use_page_pool_should_share_pages_only_when_shards_would_leave_cores_idle():
    assert not shards.use_page_pool(1, 1)
    assert shards.use_page_pool(1, 2) and shards.use_page_pool(3, 2)
    assert not shards.use_page_pool(4, 2)
    assert shards.use_page_pool(20, 32)  # fewer shards than jobs: always share pages
    assert not shards.use_page_pool(40, 32)  # one parent would not keep 32 workers busy


def test_a_slow_page_in_a_page_pool_should_time_out_into_an_error_record(slow_segment, tmp_path, model_path):
    path = write_jsonl(tmp_path / "c.jsonl", [{"id": i, "text": t} for i, t in
                                              (("a", "第一行\n第二行"), ("slow", "x\ny"), ("b", "one\ntwo"))])
    config = shards.RunConfig(model_path=model_path, timeout=0.3, batch_pages=1)
    report = shards.run_to_dir(shards.plan_shards([str(path)]), config, tmp_path / "out", jobs=2)
    records = [json.loads(line) for line in (tmp_path / "out" / "c.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", "slow", "b"]
    assert report.stats.error_kinds == {"timeout": 1} and report.exit_code == 1


def test_two_pass_should_relabel_template_lines_on_every_page(crawl, tmp_path, model_path):
    from model.read import expand_inputs

    plan = shards.plan_shards(expand_inputs([str(crawl / "a.warc.gz")]))
    config = shards.RunConfig(model_path=model_path, with_lines=True, templates="two-pass",
                              template_min_pages=3)
    shards.run_to_dir(plan, config, tmp_path / "out")
    records = [json.loads(line) for line in (tmp_path / "out" / "a.jsonl").read_text().splitlines()]
    footer = [[ln["label"] for ln in r["lines"] if ln["text"].startswith("Copyright")] for r in records]
    assert footer == [["chrome"]] * 8  # the first page too, which a one-pass run cannot know about


@pytest.fixture()
def slow_segment(monkeypatch):
    """Segmenting the page with id "slow" takes 5 s (forked workers inherit the patch)."""
    real = batch.segment

    def slow(page):
        if page.id == "slow":
            time.sleep(5)
        return real(page)

    monkeypatch.setattr(batch, "segment", slow)


def test_a_slow_page_should_time_out_into_an_error_record(slow_segment, model_path):
    from model.classify import load_model

    pages = [page_from_text(t, id=i) for i, t in (("a", "第一行\n第二行"), ("slow", "x\ny"), ("b", "one\ntwo"))]
    out = list(label_pages(pages, load_model(model_path), timeout=0.3))
    assert [p.id for p in out] == ["a", "slow", "b"]
    assert [p.metadata.get("error_kind") for p in out] == [None, "timeout", None]


def test_the_time_limit_is_per_page_even_among_fast_pages(monkeypatch, model_path):
    """Classifying "slow" takes 0.5 s, over the 0.3 s limit, but under the 1.5 s the five pages
    of its group would have had at 0.3 s each."""
    from model.classify import load_model

    real = batch.process

    def slow_process(pages, model):
        if any(page.id == "slow" for page in pages):
            time.sleep(0.5)
        return real(pages, model)

    monkeypatch.setattr(batch, "process", slow_process)
    ids = ["a", "b", "slow", "c", "d"]
    pages = [page_from_text(f"第{i}行\nline {i}", id=i) for i in ids]
    out = list(label_pages(pages, load_model(model_path), timeout=0.3, batch_pages=5))
    assert [p.id for p in out] == ids
    assert [p.metadata.get("error_kind") for p in out] == [None, None, "timeout", None, None]


def test_a_parser_crash_should_be_an_error_record_and_the_run_go_on(monkeypatch, model_path):
    from model.classify import load_model

    real = batch.segment

    def crash(page):
        if page.id == "bad":
            raise RecursionError("maximum recursion depth exceeded")
        return real(page)

    monkeypatch.setattr(batch, "segment", crash)
    pages = [page_from_text("x\ny", id="bad"), page_from_text("one\ntwo", id="ok")]
    out = list(label_pages(pages, load_model(model_path)))
    assert out[0].metadata["error_kind"] == "segment" and "RecursionError" in out[0].error
    assert out[1].error is None and out[1].lines[0].label


def test_run_stats_should_merge_and_round_trip():
    a, b = RunStats(pages=2, errors=1, error_kinds={"decode": 1}, lines={"body": 3}), RunStats(pages=1)
    b.time("read", 0.5)
    merged = a.merge(b)
    assert RunStats.from_dict(merged.to_dict()) == merged and merged.pages == 3 and merged.seconds == {"read": 0.5}


def test_dask_local_cluster_should_match_the_local_run(crawl, tmp_path, model_path):
    pytest.importorskip("dask.distributed")
    from model.read import expand_inputs

    config = shards.RunConfig(model_path=model_path)
    plan = shards.plan_shards(expand_inputs([str(crawl)]))
    shards.run_to_dir(plan, config, tmp_path / "local", jobs=1)
    report = shards.run_to_dir(plan, config, tmp_path / "dask", jobs=2, dask="local")
    assert not report.failed and report.done_now == 3
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    summary = json.loads((tmp_path / "dask" / "_summary.json").read_text())
    assert summary["pages"] == 18 and summary["shards"]["done_now"] == 3


def test_pool_workers_should_exit_when_their_parent_is_killed(tmp_path):
    """``kill -9`` of ``linesift clean --jobs N`` must not leave N idle workers, each with a model."""
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    script = ("import os\n"
              "from model import shards\n"
              "executor, _ = shards._pool(1, shards.RunConfig())\n"
              "print(executor.submit(os.getpid).result(), flush=True)\n"
              "os._exit(0)  # as a kill -9 would: no shutdown, no cleanup\n")
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root)
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10 * shards.PARENT_CHECK_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(worker, 9)
    pytest.fail(f"worker {worker} outlived its parent")


def test_a_rerun_with_options_that_change_the_output_should_be_refused(crawl, tmp_path, model_path):
    from model.errors import InputError
    from model.read import expand_inputs

    plan = shards.plan_shards(expand_inputs([str(crawl)]))
    out = tmp_path / "out"
    shards.run_to_dir(plan, shards.RunConfig(model_path=model_path), out)
    with pytest.raises(InputError, match=r"other options \(keep \['body'\] -> \['body', 'links'\]\)"):
        shards.run_to_dir(plan, shards.RunConfig(model_path=model_path, keep=("body", "links")), out)
    assert json.loads((out / shards.CONFIG_NAME).read_text())["config"]["keep"] == ["body"]  # not rewritten
    # limits may change, and --overwrite redoes everything with the new options
    again = shards.run_to_dir(plan, shards.RunConfig(model_path=model_path, timeout=30.0), out)
    assert again.resumed == len(plan)
    redone = shards.run_to_dir(plan, shards.RunConfig(model_path=model_path, keep=("body", "links")), out,
                               overwrite=True)
    assert redone.resumed == 0


def test_a_page_folder_shard_should_be_redone_when_its_files_change(crawl, tmp_path, model_path):
    from model.read import expand_inputs

    out = tmp_path / "out"
    config = shards.RunConfig(model_path=model_path)
    first = shards.run_to_dir(shards.plan_shards(expand_inputs([str(crawl)])), config, out)
    (crawl / "pages" / "added.html").write_text("<html><body><p>A page added after the first run.</p></body></html>")
    plan = shards.plan_shards(expand_inputs([str(crawl)]))
    second = shards.run_to_dir(plan, config, out)
    assert second.resumed == len(plan) - 1 and second.stats.pages == first.stats.pages + 1
