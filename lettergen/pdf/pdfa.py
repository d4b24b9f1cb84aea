"""A letter's PDF file: PDF/A-3u, put together from placed pages (pdf/writer.py); and what is
done with whole files: the delivery copy encrypted, the print file of a set.

A letter's file carries the batch's output intent (sRGB), its own metadata (title, subject,
author, language, XMP) and a date that is the letter's own (or SOURCE_DATE_EPOCH): the same
letter gives the same bytes on every run.
"""

from __future__ import annotations

import datetime as dt
import io
import os

from ..model import Letter


def assemble(letter: Letter, build, batch) -> bytes:
    """One letter's PDF/A-3u, its pages made by ``build(out)``: the batch's output intent
    (sRGB), the letter's own metadata, dated for the same bytes on every run."""
    import pikepdf

    out = pikepdf.new()
    build(out)
    out.Root.Lang = pikepdf.String("th")
    out.Root.OutputIntents = pikepdf.Array([_copy(out, intent) for intent in batch.Root.OutputIntents])
    when = document_date(letter)
    pdf_date = when.strftime("D:%Y%m%d%H%M%S+07'00'")
    out.docinfo["/Title"] = letter.title
    out.docinfo["/Author"] = letter.agency
    out.docinfo["/Subject"] = letter.subject
    out.docinfo["/Producer"] = "lettergen"
    out.docinfo["/CreationDate"] = pdf_date
    out.docinfo["/ModDate"] = pdf_date
    metadata = pikepdf.Stream(out, _xmp(letter, when).encode("utf-8"))
    metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    out.Root.Metadata = metadata
    buffer = io.BytesIO()
    # The page and font streams come compressed from WeasyPrint; the metadata stream must
    # stay unfiltered for PDF/A, so nothing more is compressed here. The XMP has no
    # pdf:PDFVersion for pikepdf to bring up to date (which would parse and write it again,
    # a fortieth of a letter's time): it is saved as written.
    out.save(buffer, deterministic_id=True, compress_streams=False, min_version="1.7",
             object_stream_mode=pikepdf.ObjectStreamMode.generate, fix_metadata_version=False)
    return buffer.getvalue()


def _copy(out, item):
    """``item`` from another PDF into ``out``: direct containers rebuilt, indirect objects
    (the ICC profile stream) copied across."""
    import pikepdf

    if isinstance(item, pikepdf.Dictionary) and not item.is_indirect:
        return pikepdf.Dictionary({k: _copy(out, v) for k, v in item.items()})
    if isinstance(item, pikepdf.Array) and not item.is_indirect:
        return pikepdf.Array([_copy(out, v) for v in item])
    if isinstance(item, pikepdf.Object) and item.is_indirect:
        return out.copy_foreign(item)
    return item


def document_date(letter: Letter) -> dt.datetime:
    """The creation date written into the PDF: SOURCE_DATE_EPOCH when set (reproducible
    builds), else the letter's own date at midnight, Thai time."""
    thai_time = dt.timezone(dt.timedelta(hours=7))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), thai_time)
    return dt.datetime.combine(letter.date, dt.time(), thai_time)


def _xmp(letter: Letter, when: dt.datetime) -> str:
    """The letter's XMP packet, written as pikepdf writes an XMP packet it has parsed (its
    namespace before rdf:about, an empty line before the closing processing instruction),
    which is what letters carried while pikepdf rewrote it on saving."""
    from xml.sax.saxutils import escape as x

    stamp = when.isoformat()
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" rdf:about="" pdfaid:part="3" pdfaid:conformance="U"/>
<rdf:Description xmlns:pdf="http://ns.adobe.com/pdf/1.3/" rdf:about="" pdf:Producer="lettergen"/>
<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" rdf:about="" xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"/>
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(letter.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{x(letter.agency)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(letter.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>th</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>

<?xpacket end="w"?>
"""


def encrypt(pdf: bytes, password: str) -> bytes:
    """The delivery copy of a letter: AES-256 encrypted, opened with ``password``. (The
    archive copy stays unencrypted PDF/A: PDF/A forbids encryption.)"""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        buffer = io.BytesIO()
        document.save(buffer, encryption=pikepdf.Encryption(user=password, owner=password, R=6))
        return buffer.getvalue()


def concatenate(paths) -> bytes:
    """One PDF of all ``paths`` in order, for a single print job. A signed letter's visible
    signature is printed as part of its page (its signature field does not travel: the print
    job is not a signed document)."""
    import pikepdf

    out = pikepdf.new()
    sources = []
    try:
        for path in paths:
            source = pikepdf.open(path)
            sources.append(source)
            if "/AcroForm" in source.Root:
                source.flatten_annotations("print")
                if "/AcroForm" in source.Root:
                    del source.Root.AcroForm
            out.pages.extend(source.pages)
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()
