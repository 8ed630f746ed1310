"""Speed and memory benchmark of `linesift clean` (not a test).

Builds a crawl sample outside the repository from the pages in ../shared/corpora
(a WARC.gz and a JSONL.gz, half of the pages each), then measures, in the same
run and one process tree at a time:

* ``linesift clean`` with --jobs 1 and --jobs 2 (pages/s, peak RSS of the tree),
* trafilatura: a loop over ``trafilatura.extract`` per shard, one process per shard
  (1 job = both shards in one process, 2 jobs = two processes),
  these four in turn, ``--rounds`` times: each ratio is the median of the rounds'
  ratios, since one pair of runs on a shared machine can be off by 15 %,
* lxml parse-only (``lxml.html.document_fromstring``) over the same pages: the floor,
* the per-stage time split of linesift (read+decode, segment, features, classify, repair, spans, write),
* peak RSS at 1x and (with --scale) 10x the sample, to show memory does not grow.

Usage::

    python bench/speed.py --model /tmp/bench-model.joblib [--pages 1600] [--scale 10] [--rounds 3] \
        [--build /tmp/linesift-bench] [--out bench/results/speed.md]
"""
from __future__ import annotations

import argparse
import copy
import gzip
import json
import os
import statistics
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"


# --- sample ------------------------------------------------------------------------------------

def corpus_pages(limit: int) -> list[tuple[str, bytes]]:
    """Up to ``limit`` (url, raw bytes) pages, Chinese and English mixed, read straight from the archives."""
    index = [json.loads(line) for line in (CORPORA / "INDEX.jsonl").read_text(encoding="utf-8").splitlines()]
    wanted: dict[str, dict[str, dict]] = {}
    for entry in index:
        wanted.setdefault(entry["archive"], {})[entry["html"]] = entry
    pages: list[tuple[str, bytes]] = []
    for archive in sorted(wanted, key=lambda a: (CORPORA / a).stat().st_size):  # small (Chinese) archives first
        with tarfile.open(CORPORA / archive, "r:gz") as tar:
            for member in tar:
                entry = wanted[archive].get(member.name)
                if entry is None or not member.isfile():
                    continue
                data = tar.extractfile(member).read()
                url = entry.get("url") or f"http://{entry['source']}.example/{entry['id']}"
                pages.append((url, data))
                if len(pages) >= limit:
                    return pages
    return pages


def _warc_record(url: str, body: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Date: 2024-05-26T00:00:00Z\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n")
    return head.encode("utf-8") + http + b"\r\n\r\n"


def build_sample(pages: list[tuple[str, bytes]], where: Path, scale: int = 1) -> Path:
    """``where/sample-<scale>x/`` with crawl.warc.gz (first half) and crawl.jsonl.gz (second half)."""
    folder = where / f"sample-{scale}x"
    if (folder / "crawl.warc.gz").exists() and (folder / "crawl.jsonl.gz").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    half = len(pages) // 2
    with open(folder / "crawl.warc.gz", "wb") as fh:
        for rep in range(scale):
            for url, data in pages[:half]:
                fh.write(gzip.compress(_warc_record(f"{url}#{rep}" if rep else url, data), compresslevel=5))
    from model.read import decode_bytes

    with gzip.open(folder / "crawl.jsonl.gz", "wt", encoding="utf-8", compresslevel=5) as fh:
        for rep in range(scale):
            for i, (url, data) in enumerate(pages[half:]):
                try:
                    html, _ = decode_bytes(data)
                except Exception:  # noqa: BLE001 - undecodable pages stay out of the JSONL half
                    continue
                fh.write(json.dumps({"id": f"p{rep}-{i}", "url": url, "html": html}, ensure_ascii=False) + "\n")
    return folder


# --- measuring ---------------------------------------------------------------------------------

def cpu_children() -> float:
    """CPU seconds (user + system) of finished child processes and their waited-for descendants."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: Seconds one measured command may take before the bench kills it and stops: a run
#: of the 1,600-page sample takes well under a minute, and a hung worker must not
#: leave the bench waiting for ever (it did once, at 0 % CPU, for a fork bug).
RUN_TIMEOUT = 900.0


def run_measured(cmd: list[str], timeout: float | None = None, **kw) -> tuple[float, int, int, str]:
    """Run a command; return (seconds, peak RSS of the largest process, peak RSS of the tree, stdout).

    Raises RuntimeError when it exits with a code other than 0 or 1 (1: some pages
    failed), or when it runs longer than ``timeout`` (default ``RUN_TIMEOUT``)
    seconds, after killing it and its children.
    """
    import psutil

    timeout = RUN_TIMEOUT if timeout is None else timeout
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    parent = psutil.Process(proc.pid)
    peak_one = peak_tree = 0
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss)
                except psutil.Error:
                    pass
            peak_one, peak_tree = max(peak_one, max(rss, default=0)), max(peak_tree, sum(rss))
        except psutil.Error:
            pass
        if time.perf_counter() - start > timeout:
            for p in [*parent.children(recursive=True), parent]:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            proc.communicate()
            raise RuntimeError(f"{cmd[:6]}… did not finish in {timeout:.0f} s and was killed (a hang?)")
        time.sleep(0.05)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {err[-2000:]}")
    return seconds, peak_one, peak_tree, out


_LOOP = r"""
import sys, time, json
sys.path.insert(0, {root!r})
from model.read import iter_pages
mode, names = sys.argv[1], sys.argv[2:]
if mode == "trafilatura":
    import trafilatura
    work = lambda raw: trafilatura.extract(raw)
else:
    import lxml.html
    work = lambda raw: lxml.html.document_fromstring(raw.encode("utf-8", "replace"))
n = 0
t_work = 0.0
start = time.perf_counter()
for name in names:
    for page in iter_pages(name):
        if page.error is not None:
            continue
        t = time.perf_counter()
        try:
            work(page.raw)
        except Exception:
            pass
        t_work += time.perf_counter() - t
        n += 1
print(json.dumps({{"pages": n, "seconds": time.perf_counter() - start, "work_seconds": t_work}}))
"""


def loop_cmd(mode: str, files: list[Path]) -> list[str]:
    return [sys.executable, "-c", _LOOP.format(root=str(ROOT)), mode, *map(str, files)]


def linesift_run(sample: Path, model: str, jobs: int, out: Path, timeout: float | None = None) -> dict:
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "model.cli", "clean", str(sample), "--model", model, "--jobs", str(jobs),
           "-o", str(out), "--no-progress", "-q"]
    cpu = cpu_children()
    seconds, one, tree, _ = run_measured(cmd, timeout, cwd=ROOT)
    summary = json.loads((out / "_summary.json").read_text())
    return {"seconds": seconds, "pages": summary["pages"], "rss_one": one, "rss_tree": tree, "summary": summary,
            "cpu": cpu_children() - cpu}


def loop_run(mode: str, files: list[Path], jobs: int, timeout: float | None = None) -> dict:
    """One process for all files (jobs=1), or one process per file in parallel (jobs=2)."""
    cpu = cpu_children()
    if jobs == 1:
        seconds, one, tree, out = run_measured(loop_cmd(mode, files), timeout)
        res = json.loads(out)
        return {"seconds": seconds, "pages": res["pages"], "rss_one": one, "rss_tree": tree,
                "work_seconds": res["work_seconds"], "cpu": cpu_children() - cpu}
    import threading

    results, errors = [], []

    def one_file(f):
        try:
            results.append(run_measured(loop_cmd(mode, [f]), timeout))
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the main thread
            errors.append(exc)

    start = time.perf_counter()
    threads = [threading.Thread(target=one_file, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    seconds = time.perf_counter() - start
    pages = sum(json.loads(r[3])["pages"] for r in results)
    return {"seconds": seconds, "pages": pages, "rss_one": max(r[1] for r in results),
            "rss_tree": sum(r[2] for r in results), "work_seconds": sum(json.loads(r[3])["work_seconds"] for r in results),
            "cpu": cpu_children() - cpu}


def stage_split(sample: Path, model_path: str, limit: int = 400) -> dict[str, float]:
    """Per-stage seconds on the first ``limit`` pages of each shard, in this process."""
    from model.classify import classify, load_model, one_openmp_thread, set_predictions
    from model.read import iter_pages
    from model.repair import repair
    from model.segment import segment
    from model.spans import detect_spans
    from model.write import dumps, page_record

    model = load_model(model_path)
    times = dict.fromkeys(("read+decode", "segment", "features", "classify", "spans", "repair", "write"), 0.0)
    pages = []
    for name in sorted(sample.iterdir()):
        it = iter_pages(str(name))
        while True:
            t = time.perf_counter()
            page = next(it, None)
            times["read+decode"] += time.perf_counter() - t
            if page is None or len([p for p in pages if p.metadata.get("shard") == name.name]) >= limit:
                break
            if page.error is None:
                page.metadata["shard"] = name.name
                pages.append(page)
    ok = []
    t = time.perf_counter()
    for page in pages:
        try:
            ok.append(segment(page))
        except Exception:  # noqa: BLE001
            pass
    times["segment"] = time.perf_counter() - t
    # one-time costs (jieba's dictionary, the span detector's first-use check) are not a stage:
    # warm up on a Chinese page too, since only Chinese pages make the span detector load jieba
    warm = ok[:2] + [p for p in ok if p.lang == "zh"][:1]
    for page in classify(copy.deepcopy(warm), model):
        repair(page)
        detect_spans(page, model.spans)
    for i in range(0, len(ok), 32):
        group = ok[i:i + 32]
        for mode in ("html", "text"):
            sub = [p for p in group if (p.source == "html") == (mode == "html")]
            if sub:
                clf = model.html if mode == "html" else model.text
                t = time.perf_counter()
                matrix = clf.featurizer_.transform(sub)
                times["features"] += time.perf_counter() - t
                t = time.perf_counter()
                with one_openmp_thread():  # as classify() runs it
                    set_predictions(sub, clf.predict_proba_matrix(matrix, [len(p.lines) for p in sub]))
                times["classify"] += time.perf_counter() - t
        t = time.perf_counter()
        for page in group:
            repair(page)
        times["repair"] += time.perf_counter() - t
        t = time.perf_counter()
        for page in group:
            detect_spans(page, model.spans)  # pipeline.process runs it after repair
        times["spans"] += time.perf_counter() - t
        t = time.perf_counter()
        for page in group:
            dumps(page_record(page))
        times["write"] += time.perf_counter() - t
    times["pages"] = len(ok)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "model" / "default" / "linesift.joblib"),
                        help="Model file (default: the bundled model).")
    parser.add_argument("--pages", type=int, default=1600)
    parser.add_argument("--scale", type=int, default=10, help="Also measure RSS on a sample this many times larger (0 = skip).")
    parser.add_argument("--rounds", type=int, default=3,
                        help="Rounds of the linesift and trafilatura runs (1 and 2 jobs each, in turn); the "
                             "report gives each ratio's median over rounds and its range: on a shared machine "
                             "one pair of runs can be off by 15 %%.")
    parser.add_argument("--build", type=Path, default=Path("/tmp/linesift-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "speed.md")
    parser.add_argument("--run-timeout", type=float, default=RUN_TIMEOUT,
                        help="Seconds a measured run of the sample may take before the bench kills it and "
                             "stops (the --scale run gets this times the scale).")
    args = parser.parse_args()
    args.build.mkdir(parents=True, exist_ok=True)
    print(f"reading {args.pages} pages from {CORPORA}", file=sys.stderr)
    pages = corpus_pages(args.pages)
    sample = build_sample(pages, args.build)
    files = sorted(sample.iterdir())
    res: dict[str, list[dict]] = {}
    for round_ in range(1, max(1, args.rounds) + 1):
        for jobs in (1, 2):
            print(f"round {round_}: linesift jobs={jobs}", file=sys.stderr)
            res.setdefault(f"linesift-{jobs}", []).append(
                linesift_run(sample, args.model, jobs, args.build / f"out-{jobs}", args.run_timeout))
            print(f"round {round_}: trafilatura jobs={jobs}", file=sys.stderr)
            res.setdefault(f"trafilatura-{jobs}", []).append(loop_run("trafilatura", files, jobs, args.run_timeout))
    print("lxml parse-only", file=sys.stderr)
    res["lxml-1"] = [loop_run("lxml", files, 1, args.run_timeout)]
    print("stage split", file=sys.stderr)
    stages = stage_split(sample, args.model)
    big = None
    if args.scale > 1:
        print(f"linesift jobs=1 on the {args.scale}x sample", file=sys.stderr)
        big_sample = build_sample(pages, args.build, args.scale)
        big = linesift_run(big_sample, args.model, 1, args.build / "out-big", timeout=args.run_timeout * args.scale)
    write_report(args, res, stages, big, len(pages))


def rate(r: dict) -> float:
    return r["pages"] / r["seconds"]


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (the upper one of an even count)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def ratio_text(values: list[float]) -> str:
    """``1.23x`` for one round; ``1.23x`` (median) and the rounds' values for several."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"**{median:.2f}x**"
    return f"**{median:.2f}x** (median of {len(values)} rounds: " + ", ".join(f"{v:.2f}" for v in values) + ")"


def write_report(args, runs, stages, big, n_pages) -> None:
    """``runs``: every round's result of each run, by name."""
    mb = 1024 * 1024
    res = {k: median_run(v) for k, v in runs.items()}
    ls1, ls2, tr1, tr2, lx = (res[k] for k in ("linesift-1", "linesift-2", "trafilatura-1", "trafilatura-2", "lxml-1"))
    # ratios pair the runs of one round, which ran minutes apart, not the medians of different rounds
    pairs = list(zip(*(runs[k] for k in ("linesift-1", "linesift-2", "trafilatura-1", "trafilatura-2"))))
    n_rounds = len(pairs)
    rows = [
        ("linesift clean, 1 job", ls1), ("linesift clean, 2 jobs", ls2),
        ("trafilatura.extract loop, 1 process", tr1), ("trafilatura.extract loop, 2 processes", tr2),
        ("lxml parse-only loop (incl. read+decode)", lx),
    ]
    lines = [
        "# linesift clean: speed and memory",
        "",
        f"Sample: {n_pages} pages from ../shared/corpora (zh + en), half in a WARC.gz, half in a JSONL.gz "
        f"({ls1['pages']} pages written by linesift). Machine: {os.cpu_count()} cores, shared with other jobs "
        f"(load average {os.getloadavg()[0]:.1f} at the end), so absolute numbers are noisy; ratios come from the "
        "same run; CPU seconds (user+system of the whole process tree) are much less sensitive to other jobs "
        "than wall time. Wall and CPU time include interpreter start and model load. Produced by "
        f"`python bench/speed.py`. The linesift and trafilatura runs were repeated in {n_rounds} round(s), "
        "each round running all four in turn; the table shows each one's median run by wall time, and each "
        "ratio below is the median of the rounds' ratios.",
        "",
        "| run | pages | wall s | pages/s (wall) | CPU s | pages per CPU s | peak RSS, largest process (MB) | "
        "peak RSS, all processes (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['pages']} | {r['seconds']:.1f} | {rate(r):.1f} | {r['cpu']:.1f} | "
                     f"{r['pages'] / r['cpu']:.1f} | {r['rss_one'] / mb:.0f} | {r['rss_tree'] / mb:.0f} |")
    lxml_parse = lx["work_seconds"]
    lines += [
        "",
        "## Ratios and targets",
        "",
        f"- linesift vs trafilatura, 1 job: {ratio_text([rate(a) / rate(c) for a, b, c, d in pairs])} pages/s wall, "
        f"{ratio_text([(c['cpu'] / c['pages']) / (a['cpu'] / a['pages']) for a, b, c, d in pairs])} pages per "
        "CPU second (target >= 2x)",
        f"- linesift vs trafilatura, 2 jobs: {ratio_text([rate(b) / rate(d) for a, b, c, d in pairs])}",
        f"- linesift 2 jobs vs 1 job: {ratio_text([rate(b) / rate(a) for a, b, c, d in pairs])} wall "
        "(target >= 1.7x); CPU per page 2 jobs / 1 job: "
        f"{ratio_text([(b['cpu'] / b['pages']) / (a['cpu'] / a['pages']) for a, b, c, d in pairs])} "
        "(1.0 = no parallel overhead)",
        f"- trafilatura 2 processes vs 1: {ratio_text([rate(d) / rate(c) for a, b, c, d in pairs])} (what this "
        "machine gives two processes that share nothing)",
        f"- linesift (1 job) time vs lxml parse-only time: **{ls1['seconds'] / lxml_parse:.1f}x** "
        f"(lxml parse alone: {lxml_parse:.1f} s, {lx['pages'] / lxml_parse:.0f} pages/s; whole lxml loop incl. "
        f"read+decode: {lx['seconds']:.1f} s) (target <= 3x)",
        f"- peak RSS, 1 job, 1x sample: {ls1['rss_one'] / mb:.0f} MB" + (
            f"; {args.scale}x sample ({big['pages']} pages): {big['rss_one'] / mb:.0f} MB (target < 1 GB, flat)"
            if big else ""),
        "",
        "## Where linesift's time goes",
        "",
        f"In-process split on {stages['pages']} pages, each step run once, in `pipeline.process`'s order "
        "(classify = both passes on the featurized rows):",
        "",
        "| stage | seconds | share |",
        "|---|---:|---:|",
    ]
    total = sum(v for k, v in stages.items() if k != "pages")
    for k, v in stages.items():
        if k != "pages":
            lines.append(f"| {k} | {v:.2f} | {v / total:.0%} |")
    st = ls1["summary"]["stage_seconds"]
    lines += ["", "Stage seconds reported by the 1-job run itself (`_summary.json`; classify includes features, "
              "repair and spans): " + ", ".join(f"{k} {v:.1f}" for k, v in st.items()), ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
