"""The per-process caches: keyed by the content they are made from, all emptied by clear()."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from lettergen import caches


@dataclasses.dataclass(frozen=True)
class Thing:
    a: str
    b: str


def test_by_content_keys_on_exactly_what_the_maker_read():
    cache = caches.ByContent(limit=8, per_process=False)
    made = []

    def make(view):
        made.append(view.a)
        return f"<{view.a}>"

    assert cache.get("x", "font", Thing("1", "2"), make) == ("<1>", False)
    assert cache.get("x", "font", Thing("1", "other"), make) == ("<1>", True)  # b was not read
    assert cache.get("x", "font", Thing("9", "2"), make) == ("<9>", False)  # a was
    assert cache.get("x", "another font", Thing("1", "2"), make) == ("<1>", False)
    assert made == ["1", "9", "1"]


def test_a_maker_reading_a_field_only_sometimes_is_keyed_on_it_then():
    cache = caches.ByContent(limit=8, per_process=False)

    def make(view):
        return view.a + (view.b if view.a == "external" else "")

    assert cache.get("x", None, Thing("stamped", "1"), make) == ("stamped", False)
    assert cache.get("x", None, Thing("external", "1"), make) == ("external1", False)
    assert cache.get("x", None, Thing("external", "2"), make) == ("external2", False)
    assert cache.get("x", None, Thing("stamped", "2"), make) == ("stamped", True)


def test_a_full_cache_starts_again_and_a_maker_cannot_write():
    cache = caches.ByContent(limit=2, per_process=False)
    for a in "123":
        cache.get("x", None, Thing(a, ""), lambda view: view.a)
    assert len(cache) == 1
    with pytest.raises(AttributeError):
        cache.get("y", None, Thing("1", ""), lambda view: setattr(view, "a", "2"))


def _letter_xml(letter) -> bytes:
    import io
    import zipfile

    from lettergen.docx.writer import write_docx

    with zipfile.ZipFile(io.BytesIO(write_docx(letter))) as package:
        return package.read("word/document.xml")


def test_a_docx_written_after_others_is_the_one_written_from_cold_caches(example):
    """Whatever field of a letter changes, the DOCX blocks copied from a letter before are
    the ones this letter would make itself: no cache key misses a field."""
    _, _, letters = example
    first = letters[0]
    _letter_xml(first)  # warm: its blocks are kept
    changed = [field.name for field in dataclasses.fields(first)
               if isinstance(getattr(first, field.name), str)]
    assert {"agency", "date_text", "urgency", "signer_name", "number"} <= set(changed)
    from lettergen.kinds import KINDS

    others = [(name, getattr(first, name) + "ก") for name in changed if name != "kind"]
    others += [("owner_lines", first.owner_lines + ("ก",))]
    others += [("kind", kind) for kind in KINDS if kind != first.kind]  # another kind's page
    for name, value in others:
        other = dataclasses.replace(first, **{name: value})
        warm = _letter_xml(other)
        caches.clear()
        assert warm == _letter_xml(other), name
        _letter_xml(first)


def test_clear_empties_every_cache_of_the_package(example):
    from lettergen.docx import document as docx_document, tables as docx_tables
    from lettergen.pdf.writer import write_pdf

    _, _, letters = example
    write_pdf(letters[0])
    _letter_xml(letters[0])
    assert len(docx_document.BLOCKS) > 0
    caches.clear()
    assert len(docx_document.BLOCKS) == len(docx_tables.SHARED) == len(docx_tables.TABLE_HEADS) == 0
    left = [f"{name}.{attr}" for name, module in list(sys.modules.items())
            if name.startswith("lettergen") for attr, value in vars(module).items()
            if hasattr(value, "cache_info") and value.cache_info().currsize]
    assert left == []


def test_letters_share_the_step_sheet_and_common_paragraphs_by_content(example):
    spec, book, letters = example
    from lettergen.compose import compose_all

    again = compose_all(spec, book)
    assert len({id(letter.attachments[-1]) for letter in again}) == 1
    # a separate composition makes equal values, not the same objects
    assert again[0].attachments[-1] == letters[0].attachments[-1]
