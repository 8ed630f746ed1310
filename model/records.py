"""The records every stage passes along: ``Page`` holding ``Line`` objects.

One record type flows through ``read -> segment -> featurize -> classify ->
repair -> write``; each stage fills in fields rather than returning tuples, so a
stage can be run and inspected on its own.
"""
from __future__ import annotations

import hashlib
import operator
import unicodedata
from dataclasses import dataclass, field, fields
from enum import Enum


class Label(str, Enum):
    """The four line classes (see data/README.md and ../shared/LABELS.md)."""

    BODY = "body"
    SPAM = "spam"
    LINKS = "links"
    CHROME = "chrome"

    def __str__(self) -> str:  # so f-strings and typer show "body", not "Label.BODY"
        return self.value


#: Fixed class order used for probability columns everywhere.
LABELS: tuple[str, ...] = tuple(label.value for label in Label)


def parse_label(value: str, *, where: str = "") -> Label:
    """Turn a user-supplied label string into a ``Label``, naming the culprit on failure."""
    try:
        return Label(value.strip().lower())
    except ValueError:
        from model.errors import InputError

        prefix = f"{where}: " if where else ""
        raise InputError(
            f"{prefix}unknown label {value!r}; expected one of {', '.join(LABELS)}"
        ) from None


def normalize_text(text: str) -> str:
    """NFKC + collapsed whitespace: the form used for hashing and gold alignment.

    NFKC folds full-width Latin letters and digits, which Chinese pages mix
    freely with half-width ones, so the same sentence hashes the same.
    """
    # ``str.split`` splits on exactly the characters ``\s`` matches (tests/test_records.py
    # checks all of Unicode), and is four times faster than a regex substitution + ``strip``
    return " ".join(unicodedata.normalize("NFKC", text).split())


def line_hash(text: str) -> str:
    """A short stable key for a line, so labels can be stored without the text."""
    return hashlib.sha1(normalize_text(text).encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Line:
    """One block of text and what the page says about it.

    The raw observables (``tag`` … ``position``) come from segmentation; the
    rest is filled by later stages. ``pred`` is the classifier's view before
    repair and ``label`` the final one, so both can be inspected (as jusText
    keeps ``cf_class`` beside ``class_type``).
    """

    text: str
    n: int
    tag: str = ""
    dom_path: str = ""
    attrs: tuple[str, ...] = ()
    depth: int = 0
    link_chars: int = 0
    n_links: int = 0
    in_list: bool = False
    in_table: bool = False
    # filled by classify / repair / spans
    pred: str | None = None
    proba: tuple[float, ...] | None = None
    label: str | None = None
    score: float | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    repair_reason: str = ""
    # gold label when the page comes from labelled data
    gold: str | None = None
    gold_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0

    def cleaned_text(self) -> str:
        """The line with its injected spam spans cut out."""
        if not self.spans:
            return self.text
        out, prev = [], 0
        for start, end in sorted(self.spans):
            out.append(self.text[prev:start])
            prev = max(prev, end)
        out.append(self.text[prev:])
        return "".join(out)

    def __reduce__(self):
        # Pages cross process boundaries by the hundred thousand lines in a page pool.
        # The slots dataclass's own pickling sets each field in a Python loop; one tuple
        # of the fields, given back to the constructor, loads in half the time.
        return Line, _line_fields(self)


#: All fields of a ``Line``, in constructor order, as one tuple.
_line_fields = operator.attrgetter(*(f.name for f in fields(Line)))


@dataclass(slots=True)
class Page:
    """A page on its way through the pipeline.

    ``raw`` is the decoded document (HTML or text dump); ``source`` says which.
    ``error`` is set instead of raising inside batch runs, so one bad page
    becomes one error record and the run goes on.
    """

    id: str
    raw: str = ""
    source: str = "text"  # "html" | "text"
    url: str | None = None
    title: str | None = None
    lang: str | None = None
    lines: list[Line] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    error: str | None = None
