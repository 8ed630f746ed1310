"""Access to the public benchmark pages in ``../shared/corpora``.

Pages are read straight out of the published archives with ``tarfile``; nothing
is unpacked or copied into the repository.
"""
from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import InputError

#: Where the corpora live relative to a checkout (``--corpora`` overrides).
CORPORA_DEFAULT = Path("../shared/corpora")


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One row of ``INDEX.jsonl``."""

    source: str
    subset: str
    id: str
    url: str | None
    html: str
    gold: str | None
    gold_format: str | None
    lang: str
    archive: str
    gold_line_coverage: float | None = None

    @property
    def site(self) -> str:
        """The grouping key for train/dev splits: a site, never a page."""
        from urllib.parse import urlparse

        if self.url:
            host = urlparse(self.url).netloc.lower()
            if host.startswith("www."):
                host = host[4:]
            if host:
                return host
        if self.subset == "CleanPortalEval-master" and "_" in self.id:
            return self.id.split("_", 1)[0]  # ids are <host>_<section>_<n>
        # gne-test-pages/tests/<site>/N.html
        parts = self.html.split("/")
        if self.source == "gne-test-pages" and len(parts) >= 3:
            return f"gne:{parts[-2]}"
        return f"{self.subset}:{self.id}"


def load_index(corpora: Path = CORPORA_DEFAULT) -> list[CorpusEntry]:
    path = Path(corpora) / "INDEX.jsonl"
    if not path.exists():
        raise InputError(f"{path}: corpus index not found (is --corpora right?)")
    fields = CorpusEntry.__dataclass_fields__
    entries = []
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: {exc}") from None
            entries.append(CorpusEntry(**{k: v for k, v in record.items() if k in fields}))
    return entries


class Archives:
    """Lazily opened archives; members are read on demand (tarfile keeps an index)."""

    def __init__(self, corpora: Path = CORPORA_DEFAULT) -> None:
        self.corpora = Path(corpora)
        self._open: dict[str, tarfile.TarFile] = {}

    def _tar(self, archive: str) -> tarfile.TarFile:
        if archive not in self._open:
            self._open[archive] = tarfile.open(self.corpora / archive)
        return self._open[archive]

    def read(self, archive: str, member: str) -> bytes:
        fh = self._tar(archive).extractfile(member)
        if fh is None:
            raise InputError(f"{archive}:{member}: not a file")
        return fh.read()

    def html(self, entry: CorpusEntry) -> bytes:
        return self.read(entry.archive, entry.html)

    def gold(self, entry: CorpusEntry) -> str | None:
        """Gold main text as a string (JSON-keyed gold is looked up by key)."""
        if not entry.gold:
            return None
        member, _, key = entry.gold.partition("#")
        if key:
            return _json_member(self, entry.archive, member).get(key, {}).get("content")
        return self.read(entry.archive, member).decode("utf-8", errors="replace")


@lru_cache(maxsize=8)
def _json_member_cached(corpora: str, archive: str, member: str) -> dict:
    with tarfile.open(Path(corpora) / archive) as tar:
        fh = tar.extractfile(member)
        return json.loads(fh.read().decode("utf-8")) if fh else {}


def _json_member(archives: Archives, archive: str, member: str) -> dict:
    return _json_member_cached(str(archives.corpora), archive, member)
