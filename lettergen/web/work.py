"""The engine as the pages use it: the working spec and sheet read by the CLI's readers,
the plan, and one letter's preview, with what can be kept kept per session.

Each call reads the session's letter.toml with ``spec.load_spec`` (cached by the TOML's
digest) and its sheet with ``recipients.load_recipients`` (cached by both digests). A
preview is one letter composed by ``compose.plan_letters`` and laid out by
``rendering.render_letters``, the one rendering core; its pages become PNGs on request
(``preview.pdf_page_png``). The PDF layout engine keeps the rows every letter shares
(the step sheet, the fixed lines) between calls, which makes a redraw after an edit fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..errors import InputError, RecipientsError
from .state import EXAMPLE_DIR, Session, digest

RENDER_LOCK = threading.Lock()  # the layout engine's caches are not made for threads
KEEP = 12  # previews kept per session


@dataclass(frozen=True)
class PlanSummary:
    letters: int
    rows: int
    districts: tuple[tuple[str, str, int], ...]  # (recipient id, district, LAOs enclosed)
    direct: tuple[tuple[str, str], ...]  # (recipient id, name)
    choices: tuple[tuple[str, str], ...]  # (recipient id, label) for the preview's list


def spec_of(session: Session):
    return spec_and_digest(session)[0]


def spec_and_digest(session: Session):
    """The working letter as the CLI reads it, and the digest of its TOML. The TOML is read
    once, and the spec loaded from a copy named by its digest, so that an edit saved
    meanwhile cannot mix two versions."""
    from ..spec import load_spec

    text = session.spec_path().read_bytes()
    key = ("spec", digest(text))
    spec = session.cache.get(key)
    if spec is None:
        snapshot = session.folder / f"letter-{key[1][:16]}.toml"
        if not snapshot.exists():
            snapshot.write_bytes(text)
        spec = load_spec(snapshot)
        for old in [k for k in session.cache if k[0] == "spec"]:
            del session.cache[old]  # its file stays: a thread may be reading it
        session.cache[key] = spec
    return spec, key[1]


def book_of(session: Session, spec, spec_sha: str, upload=None):
    from ..recipients import load_recipients

    upload = upload or session.sheet
    if upload is None:
        raise RecipientsError("ยังไม่มีรายชื่อผู้รับ: อัปโหลดไฟล์ที่หน้า รายชื่อผู้รับ")
    key = ("book", spec_sha, upload.sha)
    book = session.cache.get(key)
    if book is None:
        book = load_recipients(upload.path, spec)
        for old in [k for k in session.cache if k[0] == "book" and k[2] == upload.sha]:
            del session.cache[old]  # the same sheet read for an earlier version of the letter
        session.cache[key] = book
    return book


def shown_name(error: InputError, session: Session) -> InputError:
    """The error with the session's own file names (ids) replaced by the names the clerk
    knows: the uploaded file's name, or "หนังสือ" for the working spec."""
    names = {str(p): "หนังสือ (spec)" for p in session.folder.glob("letter*.toml")}
    for upload in (session.sheet, session.tracking):
        if upload is not None:
            names[str(upload.path)] = upload.name
    if error.file in names:
        error.file = names[error.file]
    return error


def check(session: Session) -> None:
    """What ``lettergen check`` does: the spec read, and, with a sheet, every letter
    composed (so a template naming an unknown value is found), nothing rendered."""
    from ..compose import compose_all

    spec, spec_sha = spec_and_digest(session)
    if session.sheet is not None:
        key = ("checked", spec_sha, session.sheet.sha)
        if key not in session.cache:
            compose_all(spec, book_of(session, spec, spec_sha))
            for old in [k for k in session.cache if k[0] == "checked"]:
                del session.cache[old]
            session.cache[key] = True


def summary(session: Session) -> PlanSummary:
    from ..compose import plan

    spec, spec_sha = spec_and_digest(session)
    book = book_of(session, spec, spec_sha)
    planned = plan(spec, book.rows, book.path, book.header)
    districts = tuple((p.addressee.id, p.addressee.district, len(p.members))
                      for p in planned if p.variant == "district")
    direct = tuple((p.addressee.id, p.addressee.name) for p in planned if p.variant == "direct")
    choices = tuple((p.addressee.id, f"{p.addressee.name}" + (f" (แนบ {len(p.members)} แห่ง)"
                                                               if p.variant == "district" else ""))
                    for p in planned)
    return PlanSummary(len(planned), len(book.rows), districts, direct, choices)


def preview(session: Session, recipient_id: str | None) -> tuple[str, int, str]:
    """(version, pages, recipient id) of one letter's preview; its PDF is kept under
    ``version`` for the page images and the downloads."""
    from ..compose import plan_letters

    spec, spec_sha = spec_and_digest(session)
    book = book_of(session, spec, spec_sha)
    planning = plan_letters(spec, book)
    addressees = [p.addressee.id for p in planning.planned]
    if recipient_id not in addressees:
        recipient_id = addressees[0]
    version = preview_version(spec_sha, book_sha(session), recipient_id)
    previews = session.cache.setdefault("previews", OrderedDict())
    if version not in previews and version in WARM:
        made = WARM[version]
        previews[version] = {**made, "png": dict(made["png"])}
    if version not in previews:
        index = addressees.index(recipient_id)
        letter = planning.part(index, index + 1).compose()[0]
        before = session.cache.setdefault("drawn", {})
        pdf, pages = render_pdf(letter, before.get(recipient_id))
        before[recipient_id] = letter
        previews[version] = {"pdf": pdf, "pages": pages, "letter": letter, "png": {}}
        while len(previews) > KEEP:
            previews.popitem(last=False)
    previews.move_to_end(version)
    return version, previews[version]["pages"], recipient_id


def book_sha(session: Session) -> str:
    return session.sheet.sha if session.sheet else ""


def render_pdf(letter, before=None) -> tuple[bytes, int]:
    """``letter`` as PDF, laid out together with ``before``, the same addressee's letter as
    last drawn, when there is one. The layout engine lays out the rows two letters share
    in one document that it keeps (pdf.writer._shared_rows, by that set of rows), and only
    the others anew: so after an edit, only the rows the edit changed are laid out, and
    the next edit of the same field finds the rest laid out already. The letter's own
    pages are the same as when it is laid out alone (the rows and their places do not
    depend on the other letter of the batch)."""
    from ..rendering import render_letters

    letters = [letter] if before is None or before == letter else [letter, before]
    with RENDER_LOCK:
        rendered = render_letters(letters, ("pdf",))[0]
    return rendered.files["pdf"], rendered.pages


def page_png(session: Session, version: str, page: int) -> bytes | None:
    from ..preview import pdf_page_png

    item = session.cache.get("previews", {}).get(version)
    if item is None or not 1 <= page <= item["pages"]:
        return None
    if page not in item["png"]:
        with RENDER_LOCK:
            item["png"][page] = pdf_page_png(item["pdf"], page, dpi=90)
    return item["png"][page]


def letter_file(session: Session, version: str, fmt: str) -> tuple[bytes, str] | None:
    """The previewed letter as PDF or DOCX, with its file name."""
    from ..rendering import render_letters
    from ..filenames import file_stem

    item = session.cache.get("previews", {}).get(version)
    if item is None:
        return None
    letter = item["letter"]
    stem = file_stem(letter.key, letter.recipient_name)
    if fmt == "pdf":
        return item["pdf"], f"{stem}.pdf"
    with RENDER_LOCK:
        data = render_letters([letter], ("docx",))[0].files["docx"]
    return data, f"{stem}.docx"


def load_example(session: Session) -> None:
    from .state import example_raw

    raw = example_raw()
    session.set_raw(raw)
    session.letter_name = "ตัวอย่าง: หนังสือเวียนจังหวัดเชียงราย ๒๕๖๑"
    data = (EXAMPLE_DIR / "recipients.csv").read_bytes()
    session.sheet = session.add_upload("recipients.csv (ตัวอย่าง)", data, ".csv")


WARM: dict[str, dict] = {}  # the bundled example's first preview, made at start


def preview_version(spec_sha: str, sheet_sha: str, recipient_id: str) -> str:
    return digest(f"{spec_sha}\0{sheet_sha}\0{recipient_id}".encode())[:24]


def warm() -> None:
    """Load the layout engine and lay out the bundled example's first letter once, at
    start: the first preview a clerk asks for (the example, which a new session starts
    with) is then ready, and any other pays for no imports or fonts. Only the bundled
    example is kept here, never a clerk's data."""
    import tempfile
    from pathlib import Path

    from ..compose import plan_letters
    from ..preview import pdf_page_png
    from ..recipients import load_recipients
    from ..spec import load_spec
    from .specform import write_spec
    from .state import example_raw

    sheet = EXAMPLE_DIR / "recipients.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = write_spec(example_raw(), Path(folder))
        toml = path.read_bytes()
        spec = load_spec(path)
        book = load_recipients(sheet, spec)
        planning = plan_letters(spec, book)
        letter = planning.part(0, 1).compose()[0]
    pdf, pages = render_pdf(letter)
    with RENDER_LOCK:
        png = pdf_page_png(pdf, 1, dpi=90)
    version = preview_version(digest(toml), digest(sheet.read_bytes()), letter.recipient_id)
    WARM[version] = {"pdf": pdf, "pages": pages, "letter": letter, "png": {1: png}}
