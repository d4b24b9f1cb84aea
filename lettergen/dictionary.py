"""Word lists for PyThaiNLP's newmm word cutter, kept as sorted lists.

newmm asks its dictionary one thing: which words start at a given place in a text
(``prefixes``). PyThaiNLP answers with a trie of one Python object per letter, which takes
about half a second to build from its 62,000 words; every run of lettergen paid that before
its first letter. A sorted list answers the same question by binary search and is built in
about 40 ms: the words that start with ``text[start:i]`` lie together, from the first place
that prefix would be inserted, so the search walks ``i`` forward and stops as soon as no word
starts with the prefix. Cutting is a little slower per call, but lettergen cuts each phrase
once (justify caches them), so a run is faster by the build.
"""

from __future__ import annotations

from bisect import bisect_left
from .caches import cached
from typing import Iterable


class SortedWords:
    """A dictionary for ``pythainlp.tokenize.word_tokenize(..., custom_dict=...)``: words
    stripped of surrounding spaces, as PyThaiNLP's own Trie keeps them."""

    def __init__(self, words: Iterable[str]):
        self.words = sorted({w.strip() for w in words} - {""})

    @classmethod
    def of_sorted(cls, words: list[str]) -> "SortedWords":
        """``words``, sorted, stripped and distinct already, taken as they are (not sorted
        again)."""
        made = cls.__new__(cls)
        made.words = words
        return made

    @classmethod
    def part_of(cls, other: "SortedWords", keep) -> "SortedWords":
        """The words of ``other`` that ``keep(word)`` keeps."""
        return cls.of_sorted([word for word in other.words if keep(word)])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        i = bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        """The words that ``text`` has at ``start``, shortest first."""
        words, found, lo = self.words, [], 0
        end = len(words)
        for stop in range(start + 1, len(text) + 1):
            prefix = text[start:stop]
            lo = bisect_left(words, prefix, lo)  # every longer prefix sorts after this one
            if lo == end:
                break
            if words[lo] == prefix:
                found.append(prefix)
            elif not words[lo].startswith(prefix):
                break
        return found


@cached(maxsize=1)
def thai_dictionary() -> SortedWords:
    """PyThaiNLP's Thai word list, the one newmm uses by default (what
    ``pythainlp.corpus.thai_words()`` reads: the lines of its words_th.txt). Sorted once and
    kept so in the cache folder, under the hash of that file: a run reads the sorted list
    (about 10 ms) rather than making a set of the file's lines and sorting it (60 ms, on the
    way of every run to its first PDF). Without the file where PyThaiNLP keeps it, or
    without a cache folder to write, the list is made as before."""
    from importlib.resources import files

    try:
        source = files("pythainlp.corpus").joinpath(WORDS_FILE).read_bytes()
    except OSError:
        from pythainlp.corpus import thai_words

        return SortedWords(thai_words())
    return _sorted_once(source)


WORDS_FILE = "words_th.txt"  # pythainlp.corpus.common._THAI_WORDS_FILENAME
SORTED_FORMAT = b"lettergen sorted words 1\n"  # what the cached file holds, and how


def _sorted_once(source: bytes) -> SortedWords:
    """The words of ``source`` (a word list's file: a word a line, UTF-8 with or without a
    byte-order mark) sorted, read from the cache folder if they were sorted before."""
    import hashlib

    from .files import write_atomic
    from .resources import cache_dir

    digest = hashlib.sha256(SORTED_FORMAT + source).hexdigest()[:24]
    path = cache_dir() / "words" / f"{digest}.txt"
    try:
        kept = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        kept = None
    if kept:
        return SortedWords.of_sorted(kept.split("\n"))
    words = SortedWords(source.decode("utf-8-sig").splitlines())
    try:  # written whole under a temporary name, then renamed: never read half-written
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, "\n".join(words.words).encode("utf-8"))
    except OSError:  # no cache folder to be had: sorted again next time
        pass
    return words


@cached(maxsize=1)
def short_words() -> SortedWords:
    """The word list without its long compounds (more than eight letters), to find the
    parts of a compound: taken out of ``thai_dictionary`` (45 ms less than sorting the
    list again, on the way of every run to its first PDF)."""
    return SortedWords.part_of(thai_dictionary(), lambda word: len(word) <= 8)
