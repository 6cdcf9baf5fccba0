"""The bilingual glossary: English and Korean names of the same thing.

A glossary is a plain UTF-8 TSV file, reviewed by hand (``search/data/glossary.tsv``
ships with Dari; users add their own with ``--glossary``).  One entry a line::

    # comments and blank lines are ignored
    en<TAB>ko<TAB>kind
    cooperation|co-operation<TAB>협력<TAB>term
    Daejeon<TAB>대전<TAB>city

Each side may list several spellings separated by ``|``; ``kind`` (term,
country, city, org, person, …) is free text for the reader.  Spellings are
matched by their *analysed* terms (the index analyzer in query mode), so an
entry matches inflected and joined forms in a text the way a search does
(협력을 → 협력; cooperating → cooperation; 공동 성명서 ⇄ 공동성명서).

Used by query expansion (a query word also searches its translations) and by
clause alignment (shared entries anchor an English paragraph to its Korean
counterpart).
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from search.analysis import analysis_fingerprint, analyze
from search.errors import ConfigError

__all__ = [
    "DEFAULT_GLOSSARY",
    "Entry",
    "Glossary",
    "GlossaryError",
    "analysed",
    "default_glossary",
    "known_spellings",
    "load_analysed",
    "save_analysed",
]

DEFAULT_GLOSSARY = Path(__file__).parents[1] / "data" / "glossary.tsv"
LANGS = ("en", "ko")


class GlossaryError(ConfigError):
    """A glossary file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One glossary line: the spellings of a thing in English and in Korean."""

    en: tuple[str, ...]
    ko: tuple[str, ...]
    kind: str = ""
    source: str = ""  # "file:line", for messages

    def spellings(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" else self.ko


@dataclass
class Glossary:
    """Entries plus an index from analysed term sequences to the entries they spell."""

    entries: list[Entry] = field(default_factory=list)
    # first analysed term -> [(term sequence, entry id, lang)], longest first
    _by_first: dict[str, list[tuple[tuple[str, ...], int, str]]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def load(cls, *paths: Path | str) -> Glossary:
        """Entries of every file in order (later files add to earlier ones)."""
        glossary = cls()
        for path in paths:
            glossary.extend(_read_tsv(Path(path)))
        return glossary

    def extend(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            entry_id = len(self.entries)
            self.entries.append(entry)
            for lang in LANGS:
                for spelling in entry.spellings(lang):
                    seq = analysed(spelling)
                    if seq:
                        self._by_first.setdefault(seq[0], []).append((seq, entry_id, lang))
        for options in self._by_first.values():
            options.sort(key=lambda o: -len(o[0]))

    def __len__(self) -> int:
        return len(self.entries)

    def all_spellings(self, lang: str) -> list[str]:
        """Every spelling in ``lang`` (``"en"`` or ``"ko"``), once each, in the entries' order."""
        return list(dict.fromkeys(s for entry in self.entries for s in entry.spellings(lang)))

    def find(self, terms: list[set[str]] | list[str]) -> list[tuple[int, int, int, str]]:
        """Entries spelled in a sequence of analysed positions, longest match first.

        ``terms`` holds, per position, the analysed term (or the set of terms
        indexed at that position: a joined word and its parts).  Returns
        ``(start, end, entry id, lang)`` with ``end`` exclusive; matches do not
        overlap (at each position the longest spelling wins).
        """
        positions = [{t} if isinstance(t, str) else set(t) for t in terms]
        found: list[tuple[int, int, int, str]] = []
        i = 0
        while i < len(positions):
            best = None
            for term in positions[i]:
                for seq, entry_id, lang in self._by_first.get(term, ()):
                    n = len(seq)
                    if best is not None and n <= best[1] - best[0]:
                        continue
                    if i + n <= len(positions) and all(
                        seq[k] in positions[i + k] for k in range(1, n)
                    ):
                        best = (i, i + n, entry_id, lang)
            if best is None:
                i += 1
                continue
            found.append(best)
            i = best[1]
        return found

    def entries_in(self, text: str) -> set[int]:
        """Ids of the entries any spelling of which occurs in ``text`` (analysed)."""
        return {entry_id for _, _, entry_id, _ in self.find(positions_of(text))}


#: spelling → its analysed terms; filled by :func:`analysed` and by a saved file
_analysed: dict[str, tuple[str, ...]] = {}
_analysed_lock = threading.Lock()


def analysed(text: str) -> tuple[str, ...]:
    """A spelling's analysed terms in order (query mode: a joined word stays whole; cached)."""
    found = _analysed.get(text)
    if found is None:
        found = tuple(t[0] for t in analyze(text, mode="query"))
        with _analysed_lock:
            _analysed[text] = found
    return found


def load_analysed(path: Path) -> int:
    """Take the analysed spellings saved in ``path`` if made by this very analysis.

    The file names the analysis that made it (:func:`analysis_fingerprint`);
    one from another Kiwi, stemmer or analysis version, or unreadable, is
    ignored.  With them, a glossary is read without loading Kiwi (about 4 s of
    a command's start-up).  Returns how many spellings were taken.
    """
    try:
        saved = json.loads(Path(path).read_text("utf-8"))
        if saved.get("analysis") != analysis_fingerprint():
            return 0
        spellings = {str(k): tuple(str(t) for t in v) for k, v in saved["spellings"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0
    with _analysed_lock:
        for text, terms in spellings.items():
            _analysed.setdefault(text, terms)
    return len(spellings)


def known_spellings() -> int:
    """How many spellings this process knows the analysis of."""
    return len(_analysed)


def save_analysed(path: Path) -> None:
    """Write the analysed spellings known to this process to ``path`` (atomically)."""
    path = Path(path)
    with _analysed_lock:
        spellings = {k: list(v) for k, v in sorted(_analysed.items())}
    data = json.dumps({"analysis": analysis_fingerprint(), "spellings": spellings})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(data, "utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def positions_of(text: str) -> list[set[str]]:
    """The analysed terms of ``text`` grouped by position (index mode)."""
    by_pos: dict[int, set[str]] = {}
    for term, pos, _, _ in analyze(text):
        by_pos.setdefault(pos, set()).add(term)
    return [by_pos[p] for p in sorted(by_pos)]


def _read_tsv(path: Path) -> Iterable[Entry]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise GlossaryError(f"cannot read glossary {path}: {err}") from err
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if cells[:2] == ["en", "ko"]:
            continue  # the header
        if len(cells) < 2:
            raise GlossaryError(
                f"{path}:{number}: expected 'english<TAB>korean[<TAB>kind]', got {line!r}"
            )
        en = tuple(s.strip() for s in cells[0].split("|") if s.strip())
        ko = tuple(s.strip() for s in cells[1].split("|") if s.strip())
        if not en or not ko:
            raise GlossaryError(f"{path}:{number}: both an English and a Korean spelling needed")
        kind = cells[2].strip() if len(cells) > 2 else ""
        yield Entry(en, ko, kind, f"{path.name}:{number}")


@functools.cache
def default_glossary() -> Glossary:
    """The glossary shipped with Dari (loaded once)."""
    return Glossary.load(DEFAULT_GLOSSARY)
