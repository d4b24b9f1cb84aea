"""Everything lettergen takes from python-docx beyond its documented API, in one module.

- the XML element behind a proxy (``run._r``, ``paragraph._p``, ``row._tr``, ``cell._tc``,
  ``table._tbl``, ``section._sectPr``), for the Thai attributes python-docx has no API for
  (thai_xml.py) and for copying blocks between letters;
- a table proxy made over a copied ``w:tbl`` (``Table(tbl, document._body)``) and a table
  style set by its id (``tblStyle_val``);
- a header part added with its XML given (``add_header``), named as python-docx names a
  new one (``HeaderPart.new``: the lowest free ``/word/header%d.xml``);
- the package's parts written by ``PackageWriter._write_content_types_stream``,
  ``_write_pkg_rels`` and the steps of ``_write_parts``, into our own zip writer
  (package_zip.py), so each part shared by every letter is serialized once, and so are
  the content types and each part's relationships, the same in every letter of a run
  (``_ContentTypesItem``, ``CT_Relationships``).

The installed version is checked when this module is imported, against the range the test
suite ran on (lettergen/versions.py, as pinned in pyproject.toml): an upgrade starts here.
"""

from __future__ import annotations

from .. import versions
from ..caches import cached


def check_version(version: str) -> None:
    """Refuse a python-docx outside the tested range (lettergen/versions.py): its internals
    may have changed."""
    versions.check("python-docx", version)


def installed_version() -> str:
    return versions.installed("python-docx")


check_version(installed_version())


def element(proxy):
    """The XML element behind a python-docx run, paragraph, table row, cell, table or
    section."""
    for name in ("_r", "_p", "_tr", "_tc", "_tbl", "_sectPr"):
        found = getattr(proxy, name, None)
        if found is not None:
            return found
    raise TypeError(f"no XML element behind {type(proxy).__name__}")


def table_over(document, tbl):
    """A python-docx Table for ``tbl``, a ``w:tbl`` already in ``document``'s body."""
    from docx.table import Table

    return Table(tbl, document._body)


def set_table_style_id(table, style_id: str) -> None:
    """The table's style by its id (a lookup by name searches every style)."""
    table._tbl.tblStyle_val = style_id


def add_header(document, hdr) -> str:
    """A header part of ``document`` holding ``hdr`` (a ``w:hdr`` element), related to its
    document part; its relationship id. Named as ``DocumentPart.add_header_part`` names one
    (the lowest free ``/word/header%d.xml``: headers are related to the document part
    only), without what that costs for each: parsing python-docx's default header file and
    walking every part of the package for a free name."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.parts.hdrftr import HeaderPart

    part = document.part
    taken = {str(rel.target_part.partname) for rel in part.rels.values()
             if not rel.is_external and rel.reltype == RELATIONSHIP_TYPE.HEADER}
    n = next(n for n in range(1, len(taken) + 2) if f"/word/header{n}.xml" not in taken)
    header = HeaderPart(PackURI(f"/word/header{n}.xml"), CONTENT_TYPE.WML_HEADER, hdr, part.package)
    return part.relate_to(header, RELATIONSHIP_TYPE.HEADER)


def header_element(section):
    """The ``w:hdr`` of ``section``'s default header (its own, or the one it inherits)."""
    return section.header._element


def package_entries(document, blob_of) -> list[tuple[str, bytes, bool]]:
    """The entries of ``document``'s package, (zip name, bytes, deflate) in python-docx's
    order: the same steps as its OpcPackage.save / PackageWriter.write, with each part's
    bytes from ``blob_of(part)`` (which may serialize a shared part once)."""
    from docx.opc.packuri import CONTENT_TYPES_URI
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _Entries()
    # PackageWriter._write_content_types_stream: the same for every letter of a run
    writer.write(CONTENT_TYPES_URI, _content_types(tuple((p.partname, p.content_type) for p in parts)))
    PackageWriter._write_pkg_rels(writer, package.rels)
    for part in parts:  # PackageWriter._write_parts, with our blobs
        writer.write(part.partname, blob_of(part))
        if len(part.rels):  # Relationships.xml, the same for a part of every letter
            writer.write(part.partname.rels_uri, _relationships(tuple(
                (rel.rId, rel.reltype, rel.target_ref, rel.is_external) for rel in part.rels.values())))
    return writer.entries


@cached(maxsize=64)
def _relationships(rels: tuple) -> bytes:
    """A part's .rels of these (id, type, target, external) relationships, in this order,
    as python-docx writes it (``Relationships.xml``), made once a run."""
    from docx.opc.oxml import CT_Relationships

    element = CT_Relationships.new()
    for rid, kind, target, external in rels:
        element.add_rel(rid, kind, target, external)
    return element.xml


@cached(maxsize=16)
def _content_types(types: tuple) -> bytes:
    """[Content_Types].xml of a package whose parts have these (partname, content type), as
    python-docx writes it (``_ContentTypesItem``), made once a run."""
    from types import SimpleNamespace

    from docx.opc.pkgwriter import _ContentTypesItem

    return _ContentTypesItem.from_parts([SimpleNamespace(partname=name, content_type=kind)
                                         for name, kind in types]).blob


class _Entries:
    """python-docx's physical package writer, collecting (name, bytes, deflate)."""

    def __init__(self):
        self.entries: list[tuple[str, bytes, bool]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        name = pack_uri.membername
        self.entries.append((name, blob, not name.endswith((".png", ".jpeg", ".jpg"))))
