"""The ``linesift`` command line: a thin layer over the library.

Each command parses options, calls one library function, and maps
``LinesiftError`` to an exit code. Exit codes: 0 all fine, 1 some pages (or
the training data) failed, 2 usage error or unusable model.
"""
from __future__ import annotations

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


ModelOpt = Annotated[Optional[Path], typer.Option(
    "--model", "-m", help="Model file (.joblib with its .json manifest). Default: the bundled model.",
    exists=True, dir_okay=False, readable=True, resolve_path=True)]
InputFormatOpt = Annotated[InputFormat, typer.Option(
    "--input-format", help="How to read pages: auto-detect, or force html / text (one block per line).")]
PagesArg = Annotated[list[str], typer.Argument(
    help="Page files, folders (read recursively) or - for stdin.", show_default=False)]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write records to this file instead of stdout.", dir_okay=False)]


def _fail(exc: LinesiftError, code: int) -> typer.Exit:
    typer.echo(f"linesift: error: {exc}", err=True)
    return typer.Exit(code)


def _load(model_path: Path | None):
    from model.classify import load_model

    try:
        return load_model(model_path)
    except ModelError as exc:
        raise _fail(exc, 2) from None


def _open_output(output: Path | None):
    return output.open("w", encoding="utf-8") if output else sys.stdout


def _run(pages_in: list[str], model_path: Path | None, input_format: InputFormat, emit) -> int:
    """Shared loop of label/clean: every page yields a record; returns the exit code."""
    from model.batch import RunStats, label_pages, read_inputs

    model = _load(model_path)
    stats = RunStats()
    try:
        for page in label_pages(read_inputs(pages_in, input_format=input_format.value), model):
            stats.add(page)
            emit(page)
    except BrokenPipeError:  # `linesift clean … | head` closes the pipe: stop quietly
        sys.stderr.close()
        return 0
    if stats.errors:
        typer.echo(f"linesift: {stats.errors} of {stats.pages} pages failed", err=True)
    return 1 if stats.errors else 0


@app.command()
def label(
    pages: PagesArg,
    model: ModelOpt = None,
    input_format: InputFormatOpt = InputFormat.auto,
    format: Annotated[LabelFormat, typer.Option(
        "--format", "-f", help="pretty: coloured lines for reading (default on a terminal); "
                               "jsonl: one record per page with every line (default in a pipe).")] = LabelFormat.auto,
    explain: Annotated[bool, typer.Option(help="Add each line's pre-repair prediction and repair reason.")] = False,
    output: OutputOpt = None,
) -> None:
    """Label every line of each page.

    Each page gives one JSON record: id, url, lang, title, text (the cleaned body) and
    lines [{n, text, label, score, spans}]. For a text dump, n is the input line number.

    Example: linesift label page.html | jq '.lines[] | select(.label=="body") | .text'
    """
    from model.write import dumps, page_record

    out = _open_output(output)
    pretty = format == LabelFormat.pretty or (format == LabelFormat.auto and output is None and out.isatty())

    def emit(page):
        if pretty and page.error is None:
            _show_pretty(page)
        elif pretty:
            typer.echo(f"linesift: error: {page.error}", err=True)
        else:
            out.write(dumps(page_record(page, with_lines=True, with_repair=explain)) + "\n")
            out.flush() if out is sys.stdout else None

    raise typer.Exit(_run(pages, model, input_format, emit))


_COLOURS = {"body": "green", "spam": "red", "links": "blue", "chrome": "bright_black"}


def _show_pretty(page) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    console.print(Text(f"== {page.id}  lang={page.lang}  title={page.title!r}", style="bold"))
    for line in page.lines:
        text = Text(f"{line.n:5d} {line.label:6s} {line.score:4.2f} ", style=_COLOURS.get(line.label, ""))
        body = Text(line.text[:200])
        for start, end in line.spans:
            if start < 200:
                body.stylize("reverse red", start, min(end, 200))
        console.print(text + body)


@app.command()
def clean(
    pages: PagesArg,
    model: ModelOpt = None,
    input_format: InputFormatOpt = InputFormat.auto,
    format: Annotated[CleanFormat, typer.Option(
        "--format", "-f", help="jsonl: one record per page; text: the cleaned text, pages separated by a blank line.")
    ] = CleanFormat.jsonl,
    lines: Annotated[bool, typer.Option("--lines", help="Include every line with its label in JSONL records.")] = False,
    keep: Annotated[str, typer.Option(help="Comma-separated labels whose lines are kept in the text.")] = "body",
    output: OutputOpt = None,
) -> None:
    """Print the cleaned article of each page (body lines, injected spam spans cut out).

    Example: linesift clean crawl/ -o cleaned.jsonl
    """
    from model.records import LABELS
    from model.write import dumps, page_record, page_text

    kept = {k.strip() for k in keep.split(",") if k.strip()}
    unknown = kept - set(LABELS)
    if unknown:
        raise typer.BadParameter(f"unknown label(s) {sorted(unknown)}; choose from {', '.join(LABELS)}",
                                 param_hint="--keep")
    out = _open_output(output)
    first = True

    def emit(page):
        nonlocal first
        if format == CleanFormat.text:
            if page.error is not None:
                typer.echo(f"linesift: error: {page.error}", err=True)
                return
            out.write(("" if first else "\n") + page_text(page, kept) + "\n")
            first = False
        else:
            out.write(dumps(page_record(page, with_lines=lines, keep=kept)) + "\n")

    raise typer.Exit(_run(pages, model, input_format, emit))


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

    try:
        run_train(data or [], out=out, corpora=corpora, labels=labels, holdout=holdout, spam=spam,
                  max_pages=max_pages, hash_bits=hash_bits, alpha=alpha, cv=cv, seed=seed)
    except InputError as exc:
        raise _fail(exc, 1) from None


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


if __name__ == "__main__":
    main()
