"""The ``linesift`` command line: a thin layer over the library.

Each command parses options, calls one library function, and maps
``LinesiftError`` to an exit code. Exit codes: 0 all fine, 1 some pages (or
the training data) failed, 2 usage error or unusable model.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from model.errors import InputError, LinesiftError, ModelError

app = typer.Typer(
    name="linesift",
    help=(
        "Label every line of crawled web pages as body, spam, links or chrome, and clean them.\n\n"
        "Pages may be HTML in any encoding or text dumps with one block per line. Without --model "
        "the bundled default model is used. Model files are pickles: load only files you trust."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class InputFormat(str, Enum):
    auto = "auto"
    html = "html"
    text = "text"


class LabelFormat(str, Enum):
    auto = "auto"
    jsonl = "jsonl"
    pretty = "pretty"


class CleanFormat(str, Enum):
    jsonl = "jsonl"
    text = "text"
    files = "files"


ModelOpt = Annotated[Optional[Path], typer.Option(
    "--model", "-m", help="Model file (.joblib with its .json manifest). Default: the bundled model.",
    exists=True, dir_okay=False, readable=True, resolve_path=True)]
InputFormatOpt = Annotated[InputFormat, typer.Option(
    "--input-format", help="How to read pages: auto-detect, or force html / text (one block per line).")]
PagesArg = Annotated[Optional[list[str]], typer.Argument(
    help="Inputs, mixed freely: page files, folders (read recursively), globs ('crawl/**/*.warc.gz'), "
         "JSON Lines (.jsonl, .jsonl.gz, .jsonl.zst), WARC/ARC (.warc, .warc.gz, .arc.gz), or - for stdin.",
    show_default=False)]
InputListOpt = Annotated[Optional[Path], typer.Option(
    "--input-list", help="File with one input (file, folder or glob) per line.", exists=True, dir_okay=False,
    readable=True)]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="A folder: one output file per input shard, resumable (reruns skip finished shards), "
                           "with _summary.json. A file name ending in .jsonl, .jsonl.gz, .txt or .txt.gz: one file, "
                           "in --format (a .txt name does not switch to text). Default: stdout.")]
JobsOpt = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, help="Worker processes; 0 = all cores. Each takes whole shards, or, with fewer "
                         "shards than about twice the jobs (one big WARC), chunks of its pages.")]
TimeoutOpt = Annotated[float, typer.Option(
    "--timeout", min=0.0, max=86400.0,
    help="Per-page time limit in seconds (0 = none); a page over it becomes an error record.")]

_IN, _RUN, _TPL = "Input", "Run", "Site templates"


def _field_opt(what: str):
    return Annotated[str, typer.Option(f"--{what}-field", help=f"JSON Lines field holding the page {what}.",
                                       rich_help_panel=_IN)]


HtmlFieldOpt, TextFieldOpt, IdFieldOpt, UrlFieldOpt = (_field_opt(w) for w in ("html", "text", "id", "url"))
MaxMbOpt = Annotated[float, typer.Option(
    "--max-page-mb", min=0.001, max=1_000_000.0, help="Pages larger than this become error records.",
    rich_help_panel=_IN)]
OverwriteOpt = Annotated[bool, typer.Option(
    "--overwrite", help="Redo shards already marked done in --output.", rich_help_panel=_RUN)]
ShardIndexOpt = Annotated[int, typer.Option(
    "--shard-index", min=0, help="Run only shard i of --num-shards (a job array: no engine needed).",
    rich_help_panel=_RUN)]
NumShardsOpt = Annotated[int, typer.Option(
    "--num-shards", min=1, help="Split the shards across this many independent runs.", rich_help_panel=_RUN)]
DaskOpt = Annotated[Optional[str], typer.Option(
    "--dask", help="Run on Dask: 'local' starts a LocalCluster of --jobs workers. Needs linesift\\[dask].",
    rich_help_panel=_RUN)]
SchedulerOpt = Annotated[Optional[str], typer.Option(
    "--scheduler", help="Run on the Dask cluster at this address, e.g. tcp://host:8786. Needs linesift\\[dask] "
                        "and paths visible to every worker.", rich_help_panel=_RUN)]
ProgressOpt = Annotated[Optional[bool], typer.Option(
    "--progress/--no-progress", help="Progress bar on stderr. Default: when stderr is a terminal and the "
    "output is not printed on the terminal too (with --progress it is printed above the bar).",
    show_default=False, rich_help_panel=_RUN)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No run summary on stderr.", rich_help_panel=_RUN)]
CompressOpt = Annotated[bool, typer.Option(
    "--compress", help="Write shard files as .jsonl.gz (with an --output folder).", rich_help_panel=_RUN)]
TemplatesOpt = Annotated[bool, typer.Option(
    "--templates/--no-templates", help="Relabel lines repeated on many pages of a site as chrome/links.",
    rich_help_panel=_TPL)]
TwoPassOpt = Annotated[bool, typer.Option(
    "--two-pass", help="Count repeated lines over the whole run first (slower), instead of as pages come.",
    rich_help_panel=_TPL)]
TplPagesOpt = Annotated[int, typer.Option(
    "--template-min-pages", min=2, help="A template line occurs on at least this many pages of its site ...",
    rich_help_panel=_TPL)]
TplShareOpt = Annotated[float, typer.Option(
    "--template-min-share", min=0.0, max=1.0, help="... and on at least this share of the site's pages.",
    rich_help_panel=_TPL)]


def _writable(path: Path, option: str) -> None:
    """Fail now (exit 2) if ``path`` cannot be written as a file; its folder is created."""
    if not path.name or path.is_dir():
        raise typer.BadParameter(f"{path} is a folder; give a file name", param_hint=option)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.with_name(f".{path.name}.probe-{os.getpid()}")
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise typer.BadParameter(f"cannot write {path}: {exc.strerror or exc}", param_hint=option) from None


def gzip_open(path: Path):
    import gzip

    return gzip.open(path, "wt", encoding="utf-8")


def _fail(exc: LinesiftError, code: int) -> typer.Exit:
    typer.echo(f"linesift: error: {exc}", err=True)
    return typer.Exit(code)


def _load(model_path: Path | None):
    from model.classify import load_model

    try:
        return load_model(model_path)
    except ModelError as exc:
        raise _fail(exc, 2) from None


class _RichProgress:
    """Progress bar on stderr: shards done, pages, pages/s, errors (model.shards.Progress protocol)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("[bold]linesift"), BarColumn(), TextColumn("{task.completed}/{task.total} shards"),
                            TextColumn("{task.fields[pages]:,} pages  {task.fields[rate]:.1f} pages/s  "
                                       "{task.fields[errors]:,} errors"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        self.task = None
        self.n_pages = self.n_errors = 0
        self.started = 0.0

    def start(self, shards: int) -> None:
        import time

        self.started = time.perf_counter()
        self.bar.start()
        self.task = self.bar.add_task("run", total=shards, pages=0, rate=0.0, errors=0)

    def pages(self, pages: int, errors: int) -> None:
        import time

        self.n_pages += pages
        self.n_errors += errors
        rate = self.n_pages / max(1e-9, time.perf_counter() - self.started)
        self.bar.update(self.task, pages=self.n_pages, errors=self.n_errors, rate=rate)

    def shard_done(self) -> None:
        self.bar.advance(self.task)

    def stop(self) -> None:
        self.bar.stop()


class _AboveBar:
    """A terminal stdout that prints whole lines above the progress bar.

    Written straight to the terminal, output lands on the bar's line and the bar
    redraws over it; printed through the bar's console, each line goes above it.
    """

    def __init__(self, bar: _RichProgress) -> None:
        self.console = bar.bar.console
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        if "\n" in self.pending:
            done, self.pending = self.pending.rsplit("\n", 1)
            self.console.print(done, markup=False, highlight=False, emoji=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        if self.pending:
            done, self.pending = self.pending, ""
            self.console.print(done, markup=False, highlight=False, emoji=False, soft_wrap=True, end="")

    def isatty(self) -> bool:
        return True


def _summary_lines(summary: dict) -> list[str]:
    def kinds(d: dict) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in d.items())

    rate = summary["pages_per_s"]
    first = f"{summary['pages']:,} pages" + (
        f" ({summary['pages_this_run']:,} this run in {summary['seconds']:.1f} s, {rate:.1f} pages/s)"
        if summary["pages_this_run"] and rate is not None else "")
    first += f", {summary['errors']:,} errors" + (f" ({kinds(summary['error_kinds'])})" if summary["errors"] else "")
    skipped = sum(summary["skipped"].values())
    if skipped:
        first += f", {skipped:,} records skipped ({kinds(summary['skipped'])})"
    shares = "  ".join(f"{k} {v:.1%}" for k, v in summary["label_share"].items())
    shards = summary["shards"]
    second = f"lines: {shares}; shards: {shards['total']} ({shards['done_now']} now, {shards['resumed']} resumed" + (
        f", {len(shards['failed'])} failed" if shards["failed"] else "") + ")"
    out = [first, second]
    for name, message in list(shards["failed"].items())[:5]:
        out.append(f"shard {name} failed: {message}")
    if shards.get("stale"):
        out.append(f"warning: the output folder also holds {len(shards['stale'])} finished shard(s) this run does "
                   f"not plan ({', '.join(shards['stale'][:5])}): the inputs changed their names; their output "
                   "is still there, and not counted here")
    if summary.get("output"):
        out.append(f"output in {summary['output']} (summary: {summary['output']}/_summary.json)")
    if summary["interrupted"]:
        out.append("interrupted: rerun the same command to resume" if summary.get("output")
                   else "interrupted")
    return out


def _stdout_gone() -> None:
    """`linesift … | head` closed the pipe: silence stdout so interpreter exit prints no traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _on_term(signum, frame):
    raise KeyboardInterrupt


def _term_is_interrupt() -> None:
    """SIGTERM (a job scheduler's stop) ends the run like Ctrl-C: workers stopped, summary written, exit 130."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_term)


#: Workers per core allowed by --jobs: each holds a model (about 170 MB) and the work is CPU-bound.
MAX_JOBS_PER_CORE = 4

_SINGLE_FILE = (".jsonl", ".jsonl.gz", ".txt", ".txt.gz", ".json", ".ndjson")
#: Names that look like a file linesift cannot write: taken for a folder, they made one.
_NOT_A_FOLDER = (".gz", ".zst", ".bz2", ".xz", ".zip", ".tar", ".warc", ".html", ".csv", ".tsv", ".parquet",
                 ".log", ".xml", ".md")


def _run(pages_in: list[str] | None, *, input_list: Path | None, output: Path | None, jobs: int,
         overwrite: bool, shard_index: int | None, num_shards: int, dask: str | None, progress: bool | None,
         quiet: bool, emit_factory=None, **config_kw) -> int:
    """Shared driver of label/clean: plan shards, run them, report; returns the exit code.

    ``emit_factory(stream)`` (label's pretty output) replaces the record writer in stream mode.
    """
    from model import shards as sh
    from model.read import expand_inputs, is_stream

    if not pages_in and input_list is None:
        raise typer.BadParameter("give at least one input (file, folder, glob or -) or --input-list",
                                 param_hint="PAGES")
    try:
        config = sh.RunConfig(**config_kw)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        names = expand_inputs(pages_in or [], input_list=input_list, exclude=output)
        if output is not None and output.is_file() and os.path.realpath(output) in {
                os.path.realpath(p) for p in pages_in or [] if Path(p).is_file()}:
            raise typer.BadParameter(f"{output} is one of the inputs: the run would overwrite it",
                                     param_hint="--output")
    except InputError as exc:
        raise _fail(exc, 2) from None
    if not names:
        raise _fail(InputError("the inputs hold no files"), 2)
    if (dask or config.templates == "two-pass") and any(map(is_stream, names)):
        why = "--two-pass reads every input twice" if config.templates == "two-pass" else \
            "Dask workers cannot read this process's stdin"
        raise typer.BadParameter(f"stdin or a pipe can be read only once and {why}: save it to a file first",
                                 param_hint="PAGES")
    shards = all_shards = sh.plan_shards(names)
    if num_shards > 1 or shard_index:
        if shard_index is None or shard_index >= num_shards:
            raise typer.BadParameter(f"--shard-index must be in 0..{num_shards - 1}", param_hint="--shard-index")
        shards = sh.select_shards(shards, shard_index, num_shards)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs == 0:
        jobs = cores
    elif jobs > MAX_JOBS_PER_CORE * cores:
        raise typer.BadParameter(f"{jobs} workers on {cores} cores: at most {MAX_JOBS_PER_CORE * cores} "
                                 "(the work is CPU-bound; more workers only add memory and start-up)",
                                 param_hint="--jobs")
    to_dir = output is not None and not (output.name.lower().endswith(_SINGLE_FILE) and not output.is_dir())
    if to_dir and output.name.lower().endswith(_NOT_A_FOLDER) and not output.is_dir():
        raise typer.BadParameter(f"{output.name}: linesift writes one file named .jsonl, .jsonl.gz, .txt or "
                                 ".txt.gz, or a folder (a name without such an ending)", param_hint="--output")
    if config.compress and not to_dir:
        raise typer.BadParameter("--compress is for --output DIR; for one file, name it .jsonl.gz",
                                 param_hint="--compress")
    if config.output_format == "files" and not to_dir:
        raise typer.BadParameter("--format files writes one file per page into a folder: add --output DIR",
                                 param_hint="--output")
    if dask and not to_dir:
        raise typer.BadParameter("--dask/--scheduler write to a folder: add --output DIR", param_hint="--output")
    if to_dir and output.exists() and not output.is_dir():
        raise typer.BadParameter(f"{output} is a file; --output names a folder (or a .jsonl/.txt file)",
                                 param_hint="--output")
    to_terminal = output is None and sys.stdout.isatty()
    # Output on the terminal is what the user is reading: a bar there only gets in the way.
    show = progress if progress is not None else (sys.stderr.isatty() and not to_terminal)
    bar = _RichProgress() if show else None
    _term_is_interrupt()
    try:
        if to_dir:
            summary_name = sh.SUMMARY_NAME if num_shards == 1 else f"_summary-{shard_index:05d}-of-{num_shards:05d}.json"
            report = sh.run_to_dir(shards, config, output, jobs=jobs, overwrite=overwrite, progress=bar,
                                   dask=dask, summary_name=summary_name, count_shards=all_shards)
        elif output is not None:
            tmp = output.with_name(f"{output.name}.tmp-{os.getpid()}")
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                fh = gzip_open(tmp) if output.name.lower().endswith(".gz") else tmp.open("w", encoding="utf-8")
            except OSError as exc:
                raise _fail(InputError(f"cannot write {output}: {exc.strerror or exc}"), 2) from None
            partial = output.with_name(f"{output.name}.partial")
            try:
                try:
                    with fh:
                        report = sh.run_to_stream(shards, config, out=fh, jobs=jobs, progress=bar,
                                                  count_shards=all_shards)
                except OSError as exc:  # the file itself failed (disk full, file too large)
                    if isinstance(exc, BrokenPipeError):
                        raise
                    os.replace(tmp, partial)
                    raise _fail(InputError(f"cannot write {output}: {exc.strerror or exc}; the pages done so "
                                           f"far are in {partial}"), 1) from None
                if report.interrupted or report.failed:  # a part must not pass for the whole
                    os.replace(tmp, partial)
                    why = "interrupted" if report.interrupted else f"{len(report.failed)} shard(s) failed"
                    typer.echo(f"linesift: {why}: {output} not written; the pages done so far are in "
                               f"{partial} (--output DIR runs resume)", err=True)
                else:
                    os.replace(tmp, output)
                    partial.unlink(missing_ok=True)  # an earlier run's part, now superseded
            finally:
                tmp.unlink(missing_ok=True)
        else:
            # above the bar only when both share the terminal: with 2>run.log the text stays on stdout
            out = _AboveBar(bar) if bar is not None and to_terminal and sys.stderr.isatty() else sys.stdout
            emit = emit_factory(out) if emit_factory else None
            report = sh.run_to_stream(shards, config, emit, out=out, jobs=jobs, progress=bar,
                                      count_shards=all_shards)
            out.flush()
    except BrokenPipeError:
        _stdout_gone()
        return 0
    except ModelError as exc:
        raise _fail(exc, 2) from None
    except InputError as exc:  # e.g. Dask missing or its scheduler unreachable
        raise _fail(exc, 2) from None
    summary = report.summary()
    if not quiet and (to_dir or summary["pages"] > 1 or summary["errors"] or report.interrupted
                      or report.failed):
        for line in _summary_lines(summary):
            typer.echo(f"linesift: {line}", err=True)
    return report.exit_code


def _config_kw(*, model, input_format, html_field, text_field, id_field, url_field, max_page_mb, timeout,
               templates, two_pass, template_min_pages, template_min_share, **rest) -> dict:
    """The adapter from CLI options to ``RunConfig`` keywords (no typer object enters the library)."""
    from model.read import RecordFields

    return dict(
        model_path=str(model) if model else None, input_format=input_format.value,
        fields=RecordFields(html=html_field, text=text_field, id=id_field, url=url_field),
        max_bytes=int(max_page_mb * 1024 * 1024), timeout=timeout or None,
        templates="off" if not templates else ("two-pass" if two_pass else "run"),
        template_min_pages=template_min_pages, template_min_share=template_min_share, **rest)


def _dask_address(dask: str | None, scheduler: str | None) -> str | None:
    if dask and scheduler:
        raise typer.BadParameter("give --dask local or --scheduler ADDRESS, not both", param_hint="--dask")
    if dask and dask != "local":
        raise typer.BadParameter(f"--dask {dask!r}: expected 'local' (use --scheduler for a cluster)",
                                 param_hint="--dask")
    return scheduler or dask


@app.command()
def label(
    pages: PagesArg = None,
    model: ModelOpt = None,
    input_format: InputFormatOpt = InputFormat.auto,
    format: Annotated[LabelFormat, typer.Option(
        "--format", "-f", help="pretty: coloured lines for reading (default on a terminal); "
                               "jsonl: one record per page with every line (default in a pipe).")] = LabelFormat.auto,
    explain: Annotated[bool, typer.Option(help="Add each line's pre-repair prediction and repair reason.")] = False,
    output: OutputOpt = None,
    input_list: InputListOpt = None,
    jobs: JobsOpt = 1,
    timeout: TimeoutOpt = 60.0,
    html_field: HtmlFieldOpt = "html",
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    url_field: UrlFieldOpt = "url",
    max_page_mb: MaxMbOpt = 20.0,
    overwrite: OverwriteOpt = False,
    compress: CompressOpt = False,
    shard_index: ShardIndexOpt = None,
    num_shards: NumShardsOpt = 1,
    templates: TemplatesOpt = True,
    two_pass: TwoPassOpt = False,
    template_min_pages: TplPagesOpt = 5,
    template_min_share: TplShareOpt = 0.5,
    dask: DaskOpt = None,
    scheduler: SchedulerOpt = None,
    progress: ProgressOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Label every line of each page.

    Each page gives one JSON record: id, url, lang, title, text (the cleaned body) and
    lines [{n, text, label, score, spans}]. For a text dump, n is the input line number.
    Inputs and batch options are those of `clean`, except that --jobs defaults to 1.

    Example: linesift label page.html | jq '.lines[] | select(.label=="body") | .text'
    """
    if format == LabelFormat.pretty and output is not None:
        raise typer.BadParameter("the pretty view is for reading on a terminal; --output writes JSON Lines, "
                                 "so drop one of them", param_hint="--format")
    pretty = format == LabelFormat.pretty or (format == LabelFormat.auto and output is None and sys.stdout.isatty())

    def pretty_emit(stream):
        from rich.console import Console

        console = stream.console if isinstance(stream, _AboveBar) else Console(file=stream)

        def emit(page):
            if page.error is None:
                _show_pretty(page, console, explain=explain)
            else:
                typer.echo(f"linesift: error: {page.error}", err=True)
        return emit

    kw = _config_kw(model=model, input_format=input_format, html_field=html_field, text_field=text_field,
                    id_field=id_field, url_field=url_field, max_page_mb=max_page_mb, timeout=timeout,
                    templates=templates, two_pass=two_pass, template_min_pages=template_min_pages,
                    template_min_share=template_min_share, output_format="jsonl", with_lines=True,
                    with_repair=explain, compress=compress)
    raise typer.Exit(_run(pages, input_list=input_list, output=output, jobs=1 if pretty else jobs,
                          overwrite=overwrite, shard_index=shard_index, num_shards=num_shards,
                          dask=_dask_address(dask, scheduler), progress=progress, quiet=quiet,
                          emit_factory=pretty_emit if pretty and output is None else None, **kw))


_COLOURS = {"body": "green", "spam": "red", "links": "blue", "chrome": "bright_black"}


def _show_pretty(page, console, *, explain: bool = False) -> None:
    """One page as coloured lines: number, label, score, text (spans reversed); --explain adds
    the classifier's own label and the repair rule for each line repair changed."""
    from rich.text import Text

    console.print(Text(f"== {page.id}  lang={page.lang}  title={page.title!r}", style="bold"), soft_wrap=True)
    for line in page.lines:
        text = Text(f"{line.n:5d} {line.label:6s} {line.score:4.2f} ", style=_COLOURS.get(line.label, ""))
        body = Text(line.text[:200])
        for start, end in line.spans:
            if start < 200:
                body.stylize("reverse red", start, min(end, 200))
        text += body
        if explain and line.repair_reason:
            text += Text(f"  [{line.pred} -> {line.label}: {line.repair_reason}]", style="italic")
        console.print(text, soft_wrap=True)  # the terminal wraps; rich would break after the label column


@app.command()
def clean(
    pages: PagesArg = None,
    model: ModelOpt = None,
    input_format: InputFormatOpt = InputFormat.auto,
    format: Annotated[CleanFormat, typer.Option(
        "--format", "-f", help="jsonl: one record per page; text: the cleaned text, pages separated by a blank line; "
                               "files: one .txt file per page, in a folder per input shard under --output DIR.")
    ] = CleanFormat.jsonl,
    lines: Annotated[bool, typer.Option("--lines", help="Include every line with its label in JSONL records.")] = False,
    keep: Annotated[str, typer.Option(help="Comma-separated labels whose lines are kept in the text.")] = "body",
    output: OutputOpt = None,
    input_list: InputListOpt = None,
    jobs: JobsOpt = 0,
    timeout: TimeoutOpt = 60.0,
    html_field: HtmlFieldOpt = "html",
    text_field: TextFieldOpt = "text",
    id_field: IdFieldOpt = "id",
    url_field: UrlFieldOpt = "url",
    max_page_mb: MaxMbOpt = 20.0,
    overwrite: OverwriteOpt = False,
    compress: CompressOpt = False,
    shard_index: ShardIndexOpt = None,
    num_shards: NumShardsOpt = 1,
    templates: TemplatesOpt = True,
    two_pass: TwoPassOpt = False,
    template_min_pages: TplPagesOpt = 5,
    template_min_share: TplShareOpt = 0.5,
    dask: DaskOpt = None,
    scheduler: SchedulerOpt = None,
    progress: ProgressOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Clean pages or a whole crawl: the article of each page (body lines, injected spam spans cut out).

    Reads files, folders, globs, JSON Lines and WARC/ARC (auto-detected, mixable) and stdin.

    With --output DIR each input shard gets its own file and a done-marker, so a rerun resumes where an interrupted run stopped; _summary.json reports pages, pages/s, label shares, errors and skipped records.

    Exit code: 0 all pages fine, 1 some pages failed (error records), 2 usage error, 130 interrupted.

    Example: linesift clean crawl/*.warc.gz dumps/ -o cleaned/ --jobs 8
    """
    kept = tuple(k.strip() for k in keep.split(",") if k.strip())
    from model.records import LABELS

    unknown = set(kept) - set(LABELS)
    if unknown or not kept:
        raise typer.BadParameter(f"unknown label(s) {sorted(unknown)}; choose from {', '.join(LABELS)}",
                                 param_hint="--keep")
    kw = _config_kw(model=model, input_format=input_format, html_field=html_field, text_field=text_field,
                    id_field=id_field, url_field=url_field, max_page_mb=max_page_mb, timeout=timeout,
                    templates=templates, two_pass=two_pass, template_min_pages=template_min_pages,
                    template_min_share=template_min_share, output_format=format.value, with_lines=lines,
                    keep=kept, compress=compress)
    raise typer.Exit(_run(pages, input_list=input_list, output=output, jobs=jobs, overwrite=overwrite,
                          shard_index=shard_index, num_shards=num_shards, dask=_dask_address(dask, scheduler),
                          progress=progress, quiet=quiet, **kw))


@app.command()
def train(
    data: Annotated[Optional[list[Path]], typer.Argument(
        help="Labelled data: .jsonl(.gz) or .tsv files (format: data/README.md).", show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the model (.joblib; a .json manifest goes beside it).")] = Path("linesift-model.joblib"),
    corpora: Annotated[Optional[Path], typer.Option(
        help="Also build training data from the benchmark corpora in this folder (e.g. ../shared/corpora), "
             "with the labels in --labels; their fixed dev split is held out.")] = None,
    labels: Annotated[Path, typer.Option(help="Folder of hand labels used with --corpora.")] = Path("data/labels"),
    holdout: Annotated[float, typer.Option(min=0.0, max=0.9, help="Share of sites held out to report metrics (files only; --corpora uses its dev split).")] = 0.2,
    spam: Annotated[bool, typer.Option(help="With --corpora: inject synthetic spam and train the span detector.")] = True,
    max_pages: Annotated[Optional[int], typer.Option(min=1, help="Use at most this many corpus pages (quick experiments).")] = None,
    hash_bits: Annotated[int, typer.Option(min=8, max=22, help="Hashed token columns = 2**hash_bits.", rich_help_panel="Model")] = 15,
    alpha: Annotated[float, typer.Option(min=1e-8, help="L2 regularisation of the linear pass.", rich_help_panel="Model")] = 1e-4,
    cv: Annotated[int, typer.Option(min=1, max=10, help="Site-grouped folds for the contextual pass.", rich_help_panel="Model")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed (training is deterministic for a given seed).", rich_help_panel="Model")] = 0,
) -> None:
    """Train a model on labelled lines and report per-class P/R/F1 on held-out sites.

    Reproduce the bundled model: linesift train --corpora ../shared/corpora --out model/default/linesift.joblib
    """
    from training.commands import run_train

    _writable(out, "--out")  # before training, not after 9 minutes of it
    try:
        run_train(data or [], out=out, corpora=corpora, labels=labels, holdout=holdout, spam=spam,
                  max_pages=max_pages, hash_bits=hash_bits, alpha=alpha, cv=cv, seed=seed)
    except InputError as exc:
        raise _fail(exc, 1) from None
    except ValueError as exc:  # what the estimators refuse (one class only, …): the data's fault
        raise _fail(InputError(f"cannot train on this data: {exc}"), 1) from None


@app.command()
def evaluate(
    data: Annotated[Optional[list[Path]], typer.Argument(help="Labelled data files (.jsonl/.tsv).", show_default=False)] = None,
    model: ModelOpt = None,
    corpora: Annotated[Optional[Path], typer.Option(help="Evaluate on the dev split of the corpora in this folder.")] = None,
    labels: Annotated[Path, typer.Option(help="Folder of hand labels used with --corpora.")] = Path("data/labels"),
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the report as JSON here.")] = None,
) -> None:
    """Per-class P/R/F1, macro F1, confusion matrix and body-token F1 of a model on labelled data."""
    from training.commands import run_evaluate

    if json_out is not None:
        _writable(json_out, "--json")
    loaded = _load(model)
    try:
        run_evaluate(data or [], model=loaded, corpora=corpora, labels=labels, json_out=json_out)
    except InputError as exc:
        raise _fail(exc, 1) from None


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except LinesiftError as exc:  # a library error that escaped a command: one line, not a traceback
        typer.echo(f"linesift: error: {exc}", err=True)
        sys.exit(2)
    except SystemExit as exc:
        from model import shards

        if shards.workers_killed:  # see shards.workers_killed: every output is closed by now
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        raise


if __name__ == "__main__":
    main()
