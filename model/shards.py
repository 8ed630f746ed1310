"""Shard running: a crawl -> one output file per shard, resumable, in parallel.

A *shard* is the unit of work and of output: one container file (JSON Lines,
WARC, ARC) or a group of up to ``FILES_PER_SHARD_DEFAULT`` page files from
one folder. ``run_shard`` is the whole per-shard job, a plain top-level
function of picklable arguments, so a process pool (``_run_pool``) and a Dask
cluster (``model.dask_runner``) run exactly the same code:

1. read the shard's records as a stream of pages (``model.read.iter_pages``),
2. segment, classify and repair them in small groups (``model.batch.label_pages``),
3. relabel site-template lines (``model.templates``),
4. write each record to ``<name>.jsonl[.gz].tmp-<pid>`` as it comes,
5. rename the file to ``<name>.jsonl[.gz]`` and write the marker
   ``_done/<name>.json`` holding the shard's stats.

A rerun skips shards with a marker, and a shard interrupted anywhere before
step 5 is simply redone from the start: no duplicates, no losses. Nothing
but one group of pages is ever held in memory, so memory stays flat however
large a shard is. With fewer shards than workers (one big WARC), step 2 is
spread over a ``PagePool`` instead and the rest stays in one process.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from itertools import chain
from pathlib import Path

from model.batch import BATCH_PAGES_DEFAULT, RunStats, label_pages, timed_reads
from model.classify import LinesiftModel, load_model
from model.errors import InputError
from model.read import MAX_PAGE_BYTES_DEFAULT, RecordFields, input_kind, is_stream, iter_pages
from model.records import LABELS, Page
from model.templates import MIN_PAGES_DEFAULT, MIN_SHARE_DEFAULT, SiteTemplates, count_pages, page_keys
from model.write import dumps, page_record, page_text

#: Page files (one page each) grouped into one shard, per folder.
FILES_PER_SHARD_DEFAULT = 1000
#: Largest ``--jobs`` for which a run with fewer than ``2 * jobs`` shards shares pages (see ``use_page_pool``).
PAGE_POOL_MAX_JOBS = 8
#: What a shard's failure says when a worker process was killed under it.
WORKER_DIED = "worker process died (out of memory or killed?)"
#: Seconds between progress reports from a running shard.
PROGRESS_EVERY = 0.5
DONE_DIR = "_done"
SUMMARY_NAME = "_summary.json"
CONFIG_NAME = "_config.json"
TEMPLATES_NAME = "_templates.pkl"
TEMPLATE_MODES = ("off", "run", "two-pass")
OUTPUT_FORMATS = ("jsonl", "text", "files")

_CONTAINER_SUFFIX = re.compile(r"\.(jsonl|ndjson|jl|warc|arc)(\.(gz|zst|zstd))?$", re.I)
_UNSAFE = re.compile(r"[^A-Za-z0-9._\-]+")


@dataclass(frozen=True)
class Shard:
    """One unit of work: ``name`` names its output file, ``inputs`` are read in order."""

    name: str
    inputs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Everything a shard run needs besides its inputs; built once by the CLI, shipped to workers.

    Parameters
    ----------
    model_path : str, optional
        Model file; None means the bundled model.
    input_format : {"auto", "html", "text"}
    fields : RecordFields
        JSON Lines field names.
    max_bytes : int
        Larger pages become ``too_large`` error records.
    timeout : float, optional
        Per-page time limit in seconds (process workers only; see ``model.batch.time_limit``).
    output_format : {"jsonl", "text", "files"}
        ``files`` writes one text file per page into a folder per shard (``--output`` only).
    with_lines, with_repair : bool
        JSONL records carry every line (``label``) and its pre-repair prediction (``--explain``).
    keep : tuple of str
        Labels whose lines make up ``text``.
    compress : bool
        Shard files are ``.jsonl.gz`` (JSONL output only).
    templates : {"off", "run", "two-pass"}
        Site-template step: off, counted over each shard as it runs, or from a first pass over all shards.
    template_min_pages, template_min_share
        Thresholds of ``model.templates.SiteTemplates``.
    batch_pages : int
        Pages classified together.
    """

    model_path: str | None = None
    input_format: str = "auto"
    fields: RecordFields = field(default_factory=RecordFields)
    max_bytes: int = MAX_PAGE_BYTES_DEFAULT
    timeout: float | None = None
    output_format: str = "jsonl"
    with_lines: bool = False
    with_repair: bool = False
    keep: tuple[str, ...] = ("body",)
    compress: bool = False
    templates: str = "run"
    template_min_pages: int = MIN_PAGES_DEFAULT
    template_min_share: float = MIN_SHARE_DEFAULT
    batch_pages: int = BATCH_PAGES_DEFAULT

    def __post_init__(self):
        if self.output_format not in OUTPUT_FORMATS:
            raise ValueError(f"output_format={self.output_format!r}; expected one of {OUTPUT_FORMATS}")
        if self.templates not in TEMPLATE_MODES:
            raise ValueError(f"templates={self.templates!r}; expected one of {TEMPLATE_MODES}")
        bad = sorted(set(self.keep) - set(LABELS))
        if bad:
            raise ValueError(f"keep has unknown labels {bad}; expected some of {LABELS}")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"timeout={self.timeout}; expected a positive number of seconds")

    @property
    def suffix(self) -> str:
        if self.output_format == "files":
            return ""  # a folder named after the shard
        if self.output_format == "text":
            return ".txt"
        return ".jsonl.gz" if self.compress else ".jsonl"


# --- planning ----------------------------------------------------------------------------------

def _stem(rel: str) -> str:
    return _UNSAFE.sub("_", _CONTAINER_SUFFIX.sub("", rel).replace(os.sep, "__")).strip("_") or "shard"


def plan_shards(names: Sequence[str], *, files_per_shard: int = FILES_PER_SHARD_DEFAULT) -> list[Shard]:
    """Group expanded input names into shards, in input order, with stable unique names.

    Containers (JSONL, WARC, ARC) are a shard each, named after their path
    relative to the inputs' common folder; page files are grouped per folder
    in runs of ``files_per_shard``; stdin is the shard ``stdin``.
    """
    real = [n for n in names if n != "-"]
    base = os.path.commonpath([os.path.dirname(os.path.abspath(n)) for n in real]) if real else ""
    shards: list[Shard] = []
    groups: dict[str, list[list[str]]] = {}
    order: list[tuple[str, object]] = []
    for name in names:
        if name == "-":
            order.append(("stdin", None))
        elif input_kind(name) != "page":
            order.append(("container", name))
        else:
            folder = os.path.dirname(os.path.abspath(name))
            runs = groups.get(folder)
            if runs is None:
                runs = groups[folder] = [[]]
                order.append(("pages", folder))
            if len(runs[-1]) >= files_per_shard:
                runs.append([])
            runs[-1].append(name)
    used: set[str] = set()

    def unique(name: str) -> str:
        candidate, k = name, 2
        while candidate in used:
            candidate, k = f"{name}-{k}", k + 1
        used.add(candidate)
        return candidate

    for kind, item in order:
        if kind == "stdin":
            shards.append(Shard(unique("stdin"), ("-",)))
        elif kind == "container":
            shards.append(Shard(unique(_stem(os.path.relpath(os.path.abspath(item), base))), (item,)))
        else:
            rel = os.path.relpath(item, base)
            prefix = "" if rel == "." else _stem(rel) + "__"
            for k, run in enumerate(groups[item]):
                shards.append(Shard(unique(f"{prefix}pages-{k:05d}"), tuple(run)))
    return shards


def select_shards(shards: Sequence[Shard], index: int, count: int) -> list[Shard]:
    """Shard ``index`` of ``count`` of a job array: every ``count``-th shard from ``index``."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard index {index} of {count}: expected 0 <= index < count")
    return list(shards[index::count])


# --- per-worker state ----------------------------------------------------------------------------

_MODELS: dict[str | None, LinesiftModel] = {}
_TABLES: dict[str, SiteTemplates] = {}


def get_model(path: str | None, *, warm: bool = False) -> LinesiftModel:
    """The model at ``path``, loaded once per process (workers reuse it across shards).

    ``warm`` also labels a two-line page, which loads the lazy parts (jieba's
    dictionary); done in the parent before forking workers, they inherit it.
    """
    if path not in _MODELS:
        _MODELS[path] = load_model(path)
        if warm:
            from model.pipeline import process
            from model.read import page_from_text

            try:
                process([page_from_text("首页 新闻\n今天天气很好，我们去公园散步。", id="warm-up")], _MODELS[path])
            except Exception:  # noqa: BLE001 - only a warm-up; real pages report their own errors
                pass
    return _MODELS[path]


def _get_table(path: str) -> SiteTemplates:
    if path not in _TABLES:
        import pickle

        with open(path, "rb") as fh:
            _TABLES[path] = pickle.load(fh)
    return _TABLES[path]


# --- one shard ----------------------------------------------------------------------------------

def shard_pages(shard: Shard, config: RunConfig, skipped: Counter) -> Iterator[Page]:
    return chain.from_iterable(
        iter_pages(name, fields=config.fields, input_format=config.input_format, max_bytes=config.max_bytes,
                   skipped=skipped)
        for name in shard.inputs
    )


def _label_chunk(pages: list[Page], model_path: str | None, batch_pages: int,
                 timeout: float | None) -> tuple[list[Page], dict[str, float]]:
    """Worker side of a page pool: label one chunk of a shard's pages.

    ``raw`` is emptied before the pages travel back: nothing after
    classification reads it, and it is most of a page's pickled size.
    """
    stats = RunStats()
    done = list(label_pages(pages, get_model(model_path), batch_pages=batch_pages, timeout=timeout, stats=stats))
    for page in done:
        page.raw = ""
    return done, stats.seconds


@dataclass(frozen=True)
class PagePool:
    """Worker processes that share the pages of one shard, for runs with fewer shards than jobs.

    Shards are the unit of parallel work when there are enough of them (no
    pages cross a process boundary). One big WARC with ``--jobs 8`` would then
    use one core; a page pool instead sends chunks of ``batch_pages`` pages to
    the workers and takes the labelled pages back in input order. Reading,
    site templates and writing stay in the shard's own process, so the output
    is the same as a one-job run's, byte for byte.
    """

    executor: object
    jobs: int

    def label(self, pages: Iterator[Page], config: RunConfig, stats: RunStats) -> Iterator[Page]:
        """Labelled pages in input order; at most ``2 * jobs`` chunks in flight (flat memory)."""
        window: deque = deque()

        def submit(chunk: list[Page]) -> None:
            window.append(self.executor.submit(_label_chunk, chunk, config.model_path, config.batch_pages,
                                               config.timeout))

        def collect() -> list[Page]:
            done, seconds = window.popleft().result()
            stats.merge(RunStats(seconds=seconds))
            return done

        chunk: list[Page] = []
        for page in timed_reads(pages, stats):
            chunk.append(page)
            if len(chunk) >= config.batch_pages:
                submit(chunk)
                chunk = []
                while len(window) >= 2 * self.jobs:
                    yield from collect()
        if chunk:
            submit(chunk)
        while window:
            yield from collect()


def stream_shard(shard: Shard, config: RunConfig, emit: Callable[[Page], None], *,
                 progress: Callable[[int, int], None] | None = None,
                 templates_path: str | None = None, pool: PagePool | None = None) -> RunStats:
    """Process one shard and hand every page, in input order, to ``emit``; return its stats.

    ``progress(pages, errors)`` is called with increments about every
    ``PROGRESS_EVERY`` seconds. ``templates_path`` is the first pass's table
    in a two-pass run. With ``pool``, worker processes segment and classify
    the pages (see ``PagePool``).
    """
    stats = RunStats()
    skipped: Counter = Counter()
    observe = config.templates == "run"
    if config.templates == "off":
        templates = None
    elif templates_path:
        templates = _get_table(templates_path)
    else:
        templates = SiteTemplates(min_pages=config.template_min_pages, min_share=config.template_min_share)
    last, done, failed = time.monotonic(), 0, 0
    if pool is not None:
        pages = pool.label(shard_pages(shard, config, skipped), config, stats)
    else:
        pages = label_pages(shard_pages(shard, config, skipped), get_model(config.model_path),
                            batch_pages=config.batch_pages, timeout=config.timeout, stats=stats)
    for page in pages:
        if templates is not None and page.error is None:
            start = time.perf_counter()
            keys = None
            if observe:
                keys = page_keys(page)
                templates.observe(page, keys)
            templates.apply(page, keys)
            stats.time("templates", time.perf_counter() - start)
        stats.add(page)
        start = time.perf_counter()
        emit(page)
        stats.time("write", time.perf_counter() - start)
        done += 1
        failed += page.error is not None
        if progress is not None and time.monotonic() - last >= PROGRESS_EVERY:
            progress(done, failed)
            last, done, failed = time.monotonic(), 0, 0
    if progress is not None and (done or failed):
        progress(done, failed)
    stats.skipped = dict(skipped)
    return stats


class RecordWriter:
    """Turns pages into output text on a stream: JSONL records, or cleaned text separated by a blank line.

    In text format error pages write nothing to the stream; they go to
    ``on_error(page)`` when given.
    """

    def __init__(self, config: RunConfig, out, on_error: Callable[[Page], None] | None = None, *,
                 flush: bool = False):
        self.config, self.out, self.on_error, self.flush = config, out, on_error, flush
        self.first = True

    def __call__(self, page: Page) -> None:
        cfg = self.config
        if cfg.output_format == "text":
            if page.error is not None:
                if self.on_error is not None:
                    self.on_error(page)
                return
            self.out.write(("" if self.first else "\n") + page_text(page, cfg.keep) + "\n")
            self.first = False
        else:
            record = page_record(page, with_lines=cfg.with_lines, keep=cfg.keep, with_repair=cfg.with_repair)
            self.out.write(dumps(record) + "\n")
        if self.flush:
            self.out.flush()


class PageFileWriter:
    """Writes each page's cleaned text to its own file in ``folder``, in input order.

    Files are named ``<ordinal>-<page id>.txt`` (ordinal first, so ``ls``
    keeps input order and two pages with the same id never collide); error
    pages get no file and go to ``on_error``.
    """

    def __init__(self, config: RunConfig, folder: Path, on_error: Callable[[Page], None] | None = None):
        self.config, self.folder, self.on_error = config, Path(folder), on_error
        self.ordinal = 0

    def __call__(self, page: Page) -> None:
        self.ordinal += 1
        if page.error is not None:
            if self.on_error is not None:
                self.on_error(page)
            return
        name = _UNSAFE.sub("_", page.id.rsplit("/", 1)[-1])[-80:].strip("_.") or "page"
        path = self.folder / f"{self.ordinal:07d}-{name}.txt"
        path.write_text(page_text(page, self.config.keep) + "\n", encoding="utf-8")


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def echo_error(page: Page) -> None:
    """Report an error page on stderr (text output, where records have no room for it)."""
    sys.stderr.write(f"linesift: error: {page.error}\n")


def _open_text(path: Path, compress: bool):
    if compress:
        import gzip

        return gzip.open(path, "wt", encoding="utf-8", compresslevel=5)
    return open(path, "w", encoding="utf-8")  # noqa: SIM115


def output_path(out_dir: Path, shard: Shard, config: RunConfig) -> Path:
    return Path(out_dir) / f"{shard.name}{config.suffix}"


def marker_path(out_dir: Path, shard: Shard) -> Path:
    return Path(out_dir) / DONE_DIR / f"{shard.name}.json"


def is_done(out_dir: Path, shard: Shard, config: RunConfig) -> bool:
    return marker_path(out_dir, shard).exists() and output_path(out_dir, shard, config).exists()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_PROGRESS_QUEUE = None  # set in process-pool workers by ``_worker_init``


def _queue_progress(name: str):
    if _PROGRESS_QUEUE is None:
        return None
    return lambda pages, errors: _PROGRESS_QUEUE.put((name, pages, errors))


def run_shard(shard: Shard, config: RunConfig, out_dir: str | Path, *, templates_path: str | None = None,
              progress: Callable[[int, int], None] | None = None, pool: PagePool | None = None) -> dict:
    """Process one shard into ``out_dir`` and mark it done; returns the marker's content.

    Safe to rerun and to run twice at once: output goes to a per-process
    temporary file renamed into place, then the marker is written.
    """
    out_dir = Path(out_dir)
    final = output_path(out_dir, shard, config)
    (out_dir / DONE_DIR).mkdir(parents=True, exist_ok=True)
    err_path = final.with_name(f"{shard.name}.errors.jsonl")
    for stale in [*out_dir.glob(f"{glob_escape(final.name)}.tmp-*"), *out_dir.glob(f"{glob_escape(err_path.name)}.tmp-*")]:
        try:
            if not _pid_alive(int(stale.name.rsplit("-", 1)[1])):
                _remove(stale)
        except (ValueError, OSError):
            pass
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}")
    start = time.perf_counter()
    progress = progress or _queue_progress(shard.name)
    errors = None
    try:
        if config.output_format != "jsonl":
            errors = open(err_path.with_name(err_path.name + f".tmp-{os.getpid()}"), "w", encoding="utf-8")  # noqa: SIM115
        on_error = (lambda page: errors.write(dumps(page_record(page)) + "\n")) if errors is not None else None
        if config.output_format == "files":
            tmp.mkdir()
            stats = stream_shard(shard, config, PageFileWriter(config, tmp, on_error), progress=progress,
                                 templates_path=templates_path, pool=pool)
        else:
            with _open_text(tmp, config.compress and config.output_format == "jsonl") as out:
                stats = stream_shard(shard, config, RecordWriter(config, out, on_error), progress=progress,
                                     templates_path=templates_path, pool=pool)
        if errors is not None:
            errors.close()
            if stats.errors:
                os.replace(errors.name, err_path)
            else:
                os.unlink(errors.name)
        if not (errors is not None and stats.errors):
            err_path.unlink(missing_ok=True)  # an earlier run's errors, which this redo did not repeat
        if tmp.is_dir() and final.exists():
            _remove(final)  # --overwrite of a per-page folder: a folder cannot replace a non-empty one
        os.replace(tmp, final)
    except BaseException:
        for path in (tmp, Path(errors.name) if errors is not None else None):
            if path is not None:
                try:
                    _remove(path)
                except OSError:
                    pass
        raise
    result = {"shard": shard.name, "inputs": _input_paths(shard.inputs), "output": final.name,
              "seconds": round(time.perf_counter() - start, 3), "finished": time.time(),
              "stats": stats.to_dict()}
    _atomic_write(marker_path(out_dir, shard), json.dumps(result, ensure_ascii=False) + "\n")
    return result


def glob_escape(name: str) -> str:
    import glob

    return glob.escape(name)


def _pid_alive(pid: int) -> bool:
    """Whether the process that named a temporary file may still be writing it.

    Our own pid names no live file of this shard yet (a container restart reuses
    pids), and a zombie (a killed worker its parent has not reaped) writes nothing.
    """
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def count_shard(shard: Shard, config: RunConfig) -> SiteTemplates:
    """First pass of a two-pass run: read and segment a shard, count its lines per host."""
    from model.batch import time_limit
    from model.segment import segment

    templates = SiteTemplates(min_pages=config.template_min_pages, min_share=config.template_min_share)

    def segmented():
        for page in shard_pages(shard, config, Counter()):
            if page.error is None:
                try:
                    with time_limit(config.timeout, page.id):
                        segment(page)
                except Exception:  # noqa: BLE001 - the second pass reports this page's error
                    continue
                yield page

    return count_pages(segmented(), templates)


# --- many shards --------------------------------------------------------------------------------

@dataclass
class RunReport:
    """What a run did: merged stats of every planned shard, and the shards' fates."""

    stats: RunStats = field(default_factory=RunStats)
    pages_now: int = 0
    seconds: float = 0.0
    shards: int = 0
    done_now: int = 0
    resumed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    output: str | None = None
    interrupted: bool = False
    #: finished shards in the output folder that this run does not plan (its inputs changed)
    stale: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """What the CLI exits with: 130 interrupted, 1 some pages or shards failed, else 0."""
        if self.interrupted:
            return 130
        return 1 if (self.stats.errors or self.failed) else 0

    def summary(self) -> dict:
        s = self.stats
        total_lines = sum(s.lines.values())
        return {
            "pages": s.pages,
            "pages_this_run": self.pages_now,
            "seconds": round(self.seconds, 2),
            "pages_per_s": round(self.pages_now / self.seconds, 2) if self.seconds > 0 else None,
            "errors": s.errors,
            "error_kinds": dict(sorted(s.error_kinds.items())),
            "skipped": dict(sorted(s.skipped.items())),
            "lines": total_lines,
            "label_share": {k: round(s.lines.get(k, 0) / total_lines, 4) if total_lines else 0.0 for k in LABELS},
            "relabelled": dict(sorted(s.relabelled.items())),
            "stage_seconds": {k: round(v, 2) for k, v in s.seconds.items()},
            "shards": {"total": self.shards, "done_now": self.done_now, "resumed": self.resumed,
                       "failed": self.failed, "stale": self.stale},
            "output": self.output,
            "interrupted": self.interrupted,
            "exit_code": self.exit_code,
        }


class Progress:
    """Receives progress; the CLI passes a rich-backed one, tests and libraries the no-op."""

    def start(self, shards: int) -> None: ...
    def pages(self, pages: int, errors: int) -> None: ...
    def shard_done(self) -> None: ...
    def stop(self) -> None: ...


#: Seconds between a worker's checks that the process that started it is still alive.
PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    """Exit once the parent is gone (``kill -9``, an OOM kill): a pool worker blocked on
    its task queue never learns it otherwise, and would idle on with its model loaded."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _worker_init(queue, model_path, model, parent: int) -> None:
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # the parent stops workers with SIGTERM: die, not raise the CLI's KeyboardInterrupt
    # (inherited by fork), which the pool's worker loop would print and then carry on
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # the parent's pid as the parent gave it: a worker that starts after its parent died
    # would read 1 (or a subreaper) from getppid() and watch that for ever
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                     name="linesift-parent-watch").start()
    global _PROGRESS_QUEUE
    _PROGRESS_QUEUE = queue
    if model is not None:
        _MODELS[model_path] = model


def _drain(queue, progress: Progress) -> None:
    import queue as queue_mod

    while True:
        try:
            _, pages, errors = queue.get_nowait()
        except (queue_mod.Empty, EOFError, OSError):
            return
        progress.pages(pages, errors)


#: Set once ``_terminate`` has killed a pool's workers: the CLI then ends with ``os._exit``.
#: A worker killed mid-write leaves the pool's manager thread waiting on a half-sent
#: result for ever, and the interpreter's exit joins that thread (4 of 43 runs of
#: 'clean -j 2 big.jsonl | head -1' hung there; none of 45 since).
workers_killed = False


def _terminate(executor) -> None:
    """Stop a process pool now (Ctrl-C, closed pipe): kill its workers, cancel queued shards."""
    global workers_killed
    workers_killed = True
    for proc in list(getattr(executor, "_processes", {}).values()):
        try:
            proc.terminate()
        except Exception:  # noqa: BLE001 - already gone
            pass
    executor.shutdown(wait=False, cancel_futures=True)


def _pool(jobs: int, config: RunConfig):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    queue = ctx.Queue()
    # with fork the parent's loaded model is inherited; with spawn each worker loads it once
    model = _MODELS.get(config.model_path) if ctx.get_start_method() != "fork" else None
    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                                   initargs=(queue, config.model_path, model, os.getpid()))
    return executor, queue


def _shares_pages(shards: Sequence[Shard], jobs: int) -> bool:
    """``use_page_pool`` for these shards, and also when one reads stdin or a pipe: it must
    be read in this process (a forked worker's stdin is /dev/null), so the workers share
    pages instead of taking whole shards."""
    return use_page_pool(len(shards), jobs) or (
        jobs > 1 and any(is_stream(name) for shard in shards for name in shard.inputs))


def use_page_pool(shards: int, jobs: int) -> bool:
    """Whether ``jobs`` workers should share pages rather than take whole shards.

    Fewer shards than jobs leave cores idle, and up to twice as many leave a
    tail where the last shard runs alone (the speed bench's two files on two
    cores: 1.74x one job by shards, 1.80x by pages). A page pool has neither
    problem, but its one parent process reads, applies site templates and
    writes for all workers (about 6 % of the work per page), so on a big
    machine with enough shards whole shards scale better.
    """
    return jobs > 1 and (shards < jobs or (shards < 2 * jobs and jobs <= PAGE_POOL_MAX_JOBS))


@contextmanager
def page_pool(jobs: int, config: RunConfig) -> Iterator[PagePool | None]:
    """A ``PagePool`` of ``jobs`` workers for the block, or None for ``jobs <= 1``.

    The workers are killed if the block raises (Ctrl-C, a closed pipe).
    """
    if jobs <= 1:
        yield None
        return
    executor, _ = _pool(jobs, config)
    try:
        yield PagePool(executor, jobs)
    except BaseException:
        _terminate(executor)
        raise
    executor.shutdown()


def _two_pass_table(shards: Sequence[Shard], config: RunConfig, jobs: int, where: Path) -> str:
    """Count lines over all shards (in parallel) and save the merged, compacted table."""
    import pickle

    total = SiteTemplates(min_pages=config.template_min_pages, min_share=config.template_min_share)
    if jobs > 1 and len(shards) > 1:
        executor, _ = _pool(jobs, config)
        try:
            for table in executor.map(count_shard, shards, [config] * len(shards)):
                total.merge(table)
        except BaseException:
            _terminate(executor)
            raise
        executor.shutdown()
    else:
        for shard in shards:
            total.merge(count_shard(shard, config))
    total.compact()
    path = where / TEMPLATES_NAME
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump(total, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return str(path)


#: ``RunConfig`` fields that change what a shard's output holds: a folder written with
#: other values cannot be resumed (limits such as ``timeout`` and ``max_bytes`` can change).
OUTPUT_FIELDS = ("model_path", "input_format", "fields", "output_format", "with_lines", "with_repair", "keep",
                 "compress", "templates", "template_min_pages", "template_min_share")


def _input_paths(inputs: Sequence[str]) -> list[str]:
    """Real paths: a rerun from another folder, or through a symlink, names the same files."""
    return [name if name == "-" else os.path.realpath(name) for name in inputs]


def check_resumable(out_dir: Path, config: RunConfig) -> None:
    """Refuse to resume into ``out_dir`` with options that change the output.

    Its finished shards would be kept as they are while the rest follow the new
    options, and ``_config.json`` would claim the new ones for all.

    Raises
    ------
    InputError
        When ``out_dir`` has finished shards written with other ``OUTPUT_FIELDS``.
    """
    try:
        before = json.loads((out_dir / CONFIG_NAME).read_text(encoding="utf-8"))["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # a new folder, or one from before _config.json: nothing to compare
    if not any((out_dir / DONE_DIR).glob("*.json")):
        return
    now = json.loads(json.dumps(asdict(config)))  # tuples as lists, as stored
    changed = [f"{name} {before.get(name)!r} -> {now[name]!r}" for name in OUTPUT_FIELDS
               if name in before and before[name] != now[name]]
    if changed:
        raise InputError(f"{out_dir} holds finished shards written with other options ({'; '.join(changed)}): "
                         "rerun with the same options, add --overwrite to redo every shard, or use a new --output folder")


def run_to_dir(shards: Sequence[Shard], config: RunConfig, out_dir: str | Path, *, jobs: int = 1,
               overwrite: bool = False, progress: Progress | None = None, dask: str | None = None,
               summary_name: str = SUMMARY_NAME, count_shards: Sequence[Shard] | None = None) -> RunReport:
    """Run shards into ``out_dir`` (one file per shard), skipping finished ones; write the summary.

    Parameters
    ----------
    shards : sequence of Shard
    config : RunConfig
    out_dir : path
        Created if missing. Holds ``<shard><suffix>``, ``_done/``, ``_config.json`` and the summary.
    jobs : int
        Worker processes (ignored with ``dask``).
    overwrite : bool
        Redo shards that are marked done.
    dask : str, optional
        ``"local"`` for a LocalCluster of ``jobs`` workers, or a scheduler address.
    count_shards : sequence of Shard, optional
        What ``--two-pass`` counts site templates over: every shard of the run
        when ``shards`` is one machine's part of it (``select_shards``), so each
        part labels its pages as the whole run would.
    """
    out_dir = Path(out_dir)
    try:
        (out_dir / DONE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {out_dir}: {exc.strerror or exc}") from None
    progress = progress or Progress()
    report = RunReport(shards=len(shards), output=str(out_dir))
    started = time.perf_counter()
    if not overwrite:
        check_resumable(out_dir, config)
    else:  # before the new options are recorded: an interrupted overwrite must not resume old shards
        for shard in shards:
            marker_path(out_dir, shard).unlink(missing_ok=True)
    count_shards = count_shards or shards
    planned = {shard.name for shard in count_shards}
    report.stale = sorted(path.stem for path in (out_dir / DONE_DIR).glob("*.json") if path.stem not in planned)
    _atomic_write(out_dir / CONFIG_NAME, json.dumps(
        {"config": asdict(config), "shards": len(shards), "jobs": jobs, "dask": dask}, indent=2) + "\n")
    todo = []
    for shard in shards:
        # stdin or a pipe holds other data on every run: its shard is never taken as done
        if not overwrite and not any(map(is_stream, shard.inputs)) and is_done(out_dir, shard, config):
            try:
                marker = json.loads(marker_path(out_dir, shard).read_text(encoding="utf-8"))
                if _input_paths(marker["inputs"]) != _input_paths(shard.inputs):
                    raise ValueError("the shard's inputs changed (files added or removed): redo it")
                report.stats.merge(RunStats.from_dict(marker["stats"]))
                report.resumed += 1
                continue
            except (OSError, ValueError, KeyError):
                pass  # unreadable marker, or other inputs than it lists: redo the shard
        todo.append(shard)
    if not dask:
        get_model(config.model_path, warm=jobs > 1)  # fail early (exit 2) on a bad model, and share it with forked workers
    elif dask == "local" or config.model_path is None or Path(config.model_path).exists():
        load_model(config.model_path)  # fail early here too (a remote cluster's workers may hold a path we do not)
    templates_path = None
    if config.templates == "two-pass" and todo:
        templates_path = _two_pass_table(count_shards, config, jobs, out_dir)

    counted: set[str] = set()

    def finished(result: dict) -> None:
        counted.add(result["shard"])
        stats = RunStats.from_dict(result["stats"])
        report.stats.merge(stats)
        report.pages_now += stats.pages
        report.done_now += 1
        progress.shard_done()

    pooled = _shares_pages(todo, jobs)
    progress.start(len(shards))
    for _ in range(report.resumed):
        progress.shard_done()
    try:
        if dask:
            from model.dask_runner import run_dask

            for shard, result in run_dask(todo, config, out_dir, dask, jobs=jobs, templates_path=templates_path):
                if isinstance(result, BaseException):
                    report.failed[shard.name] = f"{type(result).__name__}: {result}"
                else:
                    finished(result)
        elif jobs <= 1 or pooled:
            with page_pool(jobs if pooled else 1, config) as pool:
                for shard in todo:
                    try:
                        finished(run_shard(shard, config, out_dir, templates_path=templates_path,
                                           progress=progress.pages, pool=pool))
                    except (KeyboardInterrupt, BrokenPipeError):
                        raise
                    except BrokenProcessPool:
                        report.failed[shard.name] = WORKER_DIED
                    except Exception as exc:  # noqa: BLE001 - disk full etc.: report, rerun resumes
                        report.failed[shard.name] = f"{type(exc).__name__}: {exc}"
        else:
            _run_pool(todo, config, out_dir, jobs, templates_path, progress, finished, report)
    except KeyboardInterrupt:
        report.interrupted = True
        for shard in todo:  # shards that finished while the interrupt came in
            if shard.name not in counted and shard.name not in report.failed and is_done(out_dir, shard, config):
                try:
                    finished(json.loads(marker_path(out_dir, shard).read_text(encoding="utf-8")))
                except (OSError, ValueError, KeyError):
                    pass
    finally:
        progress.stop()
        report.seconds = time.perf_counter() - started
        _atomic_write(out_dir / summary_name, json.dumps(report.summary(), indent=2, ensure_ascii=False) + "\n")
    return report


def _run_pool(todo, config, out_dir, jobs, templates_path, progress, finished, report) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    executor, queue = _pool(min(jobs, len(todo)), config)
    try:
        futures = {executor.submit(run_shard, shard, config, str(out_dir), templates_path=templates_path): shard
                   for shard in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(queue, progress)
            for future in done:
                shard = futures[future]
                try:
                    finished(future.result())
                except BrokenProcessPool:
                    report.failed[shard.name] = WORKER_DIED
                except Exception as exc:  # noqa: BLE001 - reported; a rerun retries the shard
                    report.failed[shard.name] = f"{type(exc).__name__}: {exc}"
        _drain(queue, progress)
    except BaseException:
        _terminate(executor)
        raise
    executor.shutdown()


def run_to_stream(shards: Sequence[Shard], config: RunConfig, emit: Callable[[Page], None] | None = None, *,
                  out=None, jobs: int = 1, progress: Progress | None = None,
                  count_shards: Sequence[Shard] | None = None) -> RunReport:
    """Run shards in order into one stream: ``emit(page)`` per page, or text records on ``out``.

    With ``jobs > 1`` (and ``out``), shards run in worker processes into a
    temporary folder and are copied to ``out`` in order as they finish.
    Not resumable: use ``run_to_dir`` for long runs.
    """
    progress = progress or Progress()
    report = RunReport(shards=len(shards))
    started = time.perf_counter()
    get_model(config.model_path, warm=jobs > 1)
    templates_path = None
    tmpdir = None
    progress.start(len(shards))
    try:
        if config.templates == "two-pass":
            tmpdir = Path(tempfile.mkdtemp(prefix="linesift-"))
            templates_path = _two_pass_table(count_shards or shards, config, jobs, tmpdir)
        if emit is None:
            emit = RecordWriter(config, out, echo_error,
                                flush=hasattr(out, "isatty") and out.isatty())
        pooled = _shares_pages(shards, jobs)
        if jobs <= 1 or pooled or out is None:
            with page_pool(jobs if pooled else 1, config) as pool:
                for shard in shards:
                    try:
                        stats = stream_shard(shard, config, emit, progress=progress.pages,
                                             templates_path=templates_path, pool=pool)
                    except BrokenPipeError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - as in run_to_dir: the shard is reported failed
                        report.failed[shard.name] = f"{type(exc).__name__}: {exc}"
                        continue
                    report.stats.merge(stats)
                    report.pages_now += stats.pages
                    report.done_now += 1
                    progress.shard_done()
        else:
            tmpdir = tmpdir or Path(tempfile.mkdtemp(prefix="linesift-"))
            _stream_pool(shards, config, out, jobs, tmpdir, templates_path, progress, report)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        progress.stop()
        report.seconds = time.perf_counter() - started
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return report


def _stream_pool(shards, config, out, jobs, tmpdir, templates_path, progress, report) -> None:
    from concurrent.futures import wait

    tmp_config = replace(config, compress=False)
    executor, queue = _pool(min(jobs, len(shards)), config)
    try:
        futures = [executor.submit(run_shard, shard, tmp_config, str(tmpdir), templates_path=templates_path)
                   for shard in shards]
        first = True
        for shard, future in zip(shards, futures):
            while not future.done():
                wait([future], timeout=0.2)
                _drain(queue, progress)
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - reported as a failed shard, the others still stream
                report.failed[shard.name] = f"{type(exc).__name__}: {exc}"
                continue
            stats = RunStats.from_dict(result["stats"])
            report.stats.merge(stats)
            report.pages_now += stats.pages
            report.done_now += 1
            progress.shard_done()
            path = output_path(tmpdir, shard, tmp_config)
            with open(path, encoding="utf-8") as fh:
                if config.output_format == "text" and not first and path.stat().st_size:
                    out.write("\n")
                shutil.copyfileobj(fh, out)
            first = first and path.stat().st_size == 0
            path.unlink()
            errors = path.with_name(f"{shard.name}.errors.jsonl")
            if errors.exists():
                with open(errors, encoding="utf-8") as fh:
                    for line in fh:
                        sys.stderr.write(f"linesift: error: {json.loads(line)['error']}\n")
        _drain(queue, progress)
    except BaseException:
        _terminate(executor)
        raise
    executor.shutdown()
