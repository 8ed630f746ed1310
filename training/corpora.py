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
    def ref(self) -> str:
        """``subset:id``, unique in the index (a bare id is not: CleanEval and Dragnet share numbers)."""
        return f"{self.subset}:{self.id}"

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
    """Archive members, read in one sequential pass per archive.

    Random access into a ``.tar.gz`` re-decompresses from the start on every
    backward seek (minutes for the 240 MB English archive), so the first read
    of an archive loads all its regular files into memory (about 280 MB in
    all for the four archives) and later reads are dictionary look-ups.
    """

    def __init__(self, corpora: Path = CORPORA_DEFAULT) -> None:
        self.corpora = Path(corpora)
        self._members: dict[str, dict[str, bytes]] = {}

    def _load(self, archive: str) -> dict[str, bytes]:
        if archive not in self._members:
            members: dict[str, bytes] = {}
            try:
                with tarfile.open(self.corpora / archive, "r:*") as tar:
                    for info in tar:
                        if info.isfile():
                            fh = tar.extractfile(info)
                            if fh is not None:
                                members[info.name] = fh.read()
            except (OSError, tarfile.TarError) as exc:
                raise InputError(f"{self.corpora / archive}: cannot read archive ({exc})") from None
            self._members[archive] = members
        return self._members[archive]

    def read(self, archive: str, member: str) -> bytes:
        try:
            return self._load(archive)[member]
        except KeyError:
            raise InputError(f"{archive}:{member}: no such member") from None

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
def _json_cached(archives_id: int, archive: str, member: str, data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))


def _json_member(archives: Archives, archive: str, member: str) -> dict:
    return _json_cached(id(archives), archive, member, archives.read(archive, member))
