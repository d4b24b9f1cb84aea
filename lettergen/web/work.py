"""The engine as the pages use it: the working spec and sheet read by the CLI's readers,
the plan, and one letter's preview, with what can be kept kept per session. This runs in
the engine's worker processes (``engine_process``), never in the server's own, on a
``WorkSession``: the session's files as the server names them, and its caches.

Each call reads the session's letter.toml with ``spec.load_spec`` (cached by the TOML's
digest) and its sheet with ``recipients.load_recipients`` (kept under the parts of the
spec the reading looked at). The check composes every letter, as ``lettergen check``
does, and keeps them for the preview: one of them laid out by
``rendering.render_letters``, the one rendering core, with the rows laid out for earlier
previews (a RowLibrary), so a redraw after an edit lays out only the rows the edit
changed. Its pages become PNGs on request (``preview.pdf_page_png``)."""

from __future__ import annotations

import contextvars
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..caches import cached
from ..errors import InputError, RecipientsError
from ..files import write_atomic
from .state import EXAMPLE_DIR, Files, digest

RENDER_LOCK = threading.Lock()  # the layout engine's caches are not made for threads
KEEP = 12  # previews kept per session
SNAPSHOTS = 4  # copies of earlier working letters kept (a thread may still be reading one)
CALL = contextvars.ContextVar("call", default=0)  # the number of the call being answered


class WorkSession:
    """A session as the engine sees it: its files (``state.Files``, renewed with each call)
    and what is kept between calls (the spec read, the sheet read, the composed letters, the
    previews)."""

    def __init__(self, files: Files):
        self.files = files
        self.cache: dict = {}
        self.lock = threading.Lock()  # one preview at a time
        self.edit_lock = threading.Lock()  # one edit of the letter at a time
        self.spec_lock = threading.Lock()  # one reading of the letter's copies at a time
        self.newest_edit = 0  # the number of the last edit of the letter received
        self.written_edit = 0  # the number of the edit the working letter holds

    @property
    def folder(self):
        return self.files.folder

    @property
    def sheet(self):
        return self.files.sheet

    @property
    def tracking(self):
        return self.files.tracking

    def spec_path(self):
        return self.files.spec_path()

    def versioned(self, version: str) -> str:
        """A preview's version as this session names it: a lasting session's own (another
        session with the same letter and sheet cannot name its pages), the plain one for the
        visitors' shared example."""
        if self.files.shared:
            return version
        return digest(f"{version}\0{self.folder.name}".encode())[:24]

    def files_from(self) -> tuple:
        """Where a file the spec names (its emblem) may come from: the session's own folder
        and the workspace's letters folder, nowhere else on the server."""
        library = (self.files.workspace / "letters",) if self.files.workspace else ()
        return (self.folder, *library)



@dataclass(frozen=True)
class PlanSummary:
    letters: int
    rows: int
    districts: tuple[tuple[str, str, int], ...]  # (recipient id, district, LAOs enclosed)
    direct: tuple[tuple[str, str], ...]  # (recipient id, name)
    choices: tuple[tuple[str, str], ...]  # (recipient id, label) for the preview's list
    addressee: bool = False  # a letter to the one addressee its spec names: no sheet


def spec_of(session: WorkSession):
    return spec_and_digest(session)[0]


def spec_and_digest(session: WorkSession):
    """The working letter as the CLI reads it, and the digest of its TOML. The TOML is read
    once, and the spec loaded from a copy named by its digest, so that an edit saved
    meanwhile cannot mix two versions."""
    from ..spec import load_spec

    text = session.spec_path().read_bytes()
    key = ("spec", digest(text))
    # One thread at a time makes and reads the copies: two calls at once (an edit's check
    # and a page's preview) read the same letter, and one must not read the copy while the
    # other writes it, nor the other remove it while it is read.
    with session.spec_lock:
        spec = session.cache.get(key)
        if spec is None:
            snapshot = session.folder / f"letter-{key[1][:16]}.toml"
            if not snapshot.exists():
                write_atomic(snapshot, text)  # whole, under a name of its own until then
                _prune_snapshots(session.folder, snapshot)
            spec = load_spec(snapshot, files_from=session.files_from())
            for old in [k for k in session.cache if k[0] == "spec"]:
                del session.cache[old]
            session.cache[key] = spec
    return spec, key[1]


def _prune_snapshots(folder, keep) -> None:
    """The copies of earlier letters beyond the latest SNAPSHOTS removed (never ``keep``)."""
    def age(path):
        try:
            return path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0
    snapshots = sorted(folder.glob("letter-*.toml"), key=age, reverse=True)
    for old in snapshots[SNAPSHOTS:]:
        if old != keep:
            old.unlink(missing_ok=True)


def book_of(session: WorkSession, spec, spec_sha: str, upload=None):
    """The sheet read for ``spec``, as ``lettergen check`` reads it. Reading it depends on a
    few parts of the spec (its columns, routing, the values its texts name), never on the
    date or the urgency: a read is kept under exactly the parts it looked at
    (caches.ByContent), so an edit of any other field finds the sheet read already."""
    from ..caches import ByContent
    from ..sheets.recipients import load_recipients

    if spec.addressee is not None:  # a letter to the one addressee it names: no sheet
        from ..sheets.recipients import addressee_book

        return addressee_book(spec)
    upload = upload or session.sheet
    if upload is None:
        raise RecipientsError("ยังไม่มีรายชื่อผู้รับ: อัปโหลดไฟล์ที่หน้า รายชื่อผู้รับ")
    books = session.cache.setdefault("books", ByContent(limit=8, per_process=False))
    book, _ = books.get("book", upload.sha, spec, lambda view: load_recipients(upload.path, view))
    return book


def shown_name(error: InputError, session: WorkSession) -> InputError:
    """The error with the session's own file names (ids) replaced by the names the clerk
    knows: the uploaded file's name, or "หนังสือ" for the working spec."""
    names = {str(p): "หนังสือ (spec)" for p in session.folder.glob("letter*.toml")}
    for upload in (session.sheet, session.tracking):
        if upload is not None:
            names[str(upload.path)] = upload.name
    if error.file in names:
        error.file = names[error.file]
    return error


def check(session: WorkSession) -> None:
    """What ``lettergen check`` does: the spec read, and, with a sheet, every letter
    composed (so a template naming an unknown value is found), nothing rendered."""
    spec_and_digest(session)
    if session.sheet is not None:
        letters_of(session)


def planning_of(session: WorkSession, signing_memo: bool = False):
    """The set as the clerk has it now (compose.plan_letters): the working letter, its
    sheet with the rows the clerk took out left out, each letter's own edit applied, and
    the signing memo before it when asked."""
    from ..compose import plan_letters
    from .own_edits import with_own_edits

    spec, spec_sha = spec_and_digest(session)
    book = with_own_edits(book_of(session, spec, spec_sha), session.files.edits)
    return plan_letters(spec, book, signing_memo=signing_memo, leave_out=session.files.leave_out)


def letters_of(session: WorkSession) -> list:
    """Every letter of the working set, composed as ``lettergen check`` composes them;
    kept for the session's present letter, sheet and choices, so the preview after an edit
    takes its letter from the check that the edit ran."""
    spec, spec_sha = spec_and_digest(session)
    key = (spec_sha, book_sha(session), session.files.leave_out, session.files.edits)
    kept = session.cache.get("letters")
    if kept is None or kept[0] != key:
        kept = (key, planning_of(session).compose())
        session.cache["letters"] = kept
    return kept[1]


def summary(session: WorkSession) -> PlanSummary:
    spec, spec_sha = spec_and_digest(session)
    book = book_of(session, spec, spec_sha)
    planned = planning_of(session).planned
    districts = tuple((p.addressee.id, p.addressee.district, len(p.members))
                      for p in planned if p.variant == "district")
    direct = tuple((p.addressee.id, p.addressee.name) for p in planned if p.variant == "direct")
    choices = tuple((p.addressee.id, f"{p.addressee.name}" + (f" (แนบ {len(p.members)} แห่ง)"
                                                               if p.variant == "district" else ""))
                    for p in planned)
    return PlanSummary(len(planned), len(book.rows), districts, direct, choices,
                       addressee=spec.addressee is not None)


def numbers_now(session: WorkSession, signing_memo: bool = False, planning=None) -> tuple[str, str]:
    """The numbers the set would take from the office's register if it were made now, as the
    letters show them ("ชร ๐๐๒๓.๑/ว ๑"), and the register's year as the page says it: the
    preview shows the spec's number, the set takes the register's (another run may take
    them first: the job then takes them only if they are still these)."""
    from ..thai import arabic_digit_to_thai_digit
    from ..registers.record import be_year
    from ..registers.workspace import next_numbers, numbers_text

    planning = planning or planning_of(session, signing_memo)
    spec = planning.spec
    numbers = numbers_text(spec.agency_code, next_numbers(workspace_at(session.files.workspace), planning))
    return numbers, f"ทะเบียนหนังสือส่งปี พ.ศ. {arabic_digit_to_thai_digit(str(be_year(spec.date)))}"


@cached(maxsize=4)
def workspace_at(root):
    """The workspace the server runs on (its register), opened once per process."""
    from ..registers.workspace import Workspace

    return Workspace(root)


def preview(session: WorkSession, recipient_id: str | None) -> tuple[str, int, str]:
    """(version, pages, recipient id) of one letter's preview; its PDF is kept under
    ``version`` for the page images and the downloads."""
    spec, spec_sha = spec_and_digest(session)
    letters = letters_of(session)
    addressees = [letter.recipient_id for letter in letters]
    if recipient_id not in addressees:
        recipient_id = addressees[0]
    plain = preview_version(spec_sha, book_sha(session), recipient_id)
    version = session.versioned(plain)
    previews = session.cache.setdefault("previews", OrderedDict())
    if version not in previews and plain in WARM:
        made = WARM[plain]
        previews[version] = {**made, "png": dict(made["png"])}
    if version not in previews:
        letter = letters[addressees.index(recipient_id)]
        pdf, pages = render_pdf(letter)
        previews[version] = {"pdf": pdf, "pages": pages, "letter": letter, "png": {}}
        while len(previews) > KEEP:
            previews.popitem(last=False)
    previews.move_to_end(version)
    return version, previews[version]["pages"], recipient_id


def locked_preview(session: WorkSession, recipient_id: str | None) -> tuple[str, int, str]:
    """``preview``, one at a time per session."""
    with session.lock:
        return preview(session, recipient_id)


def drawn_preview(session: WorkSession) -> tuple[str, int, str]:
    """The first letter's preview, and its page 1 as PNG, ready for the page to fetch."""
    with session.lock:
        version, pages, rid = preview(session, None)
    page_png(session, version, 1)
    return version, pages, rid


def book_sha(session: WorkSession) -> str:
    """What the set's letters are made of besides the spec: the sheet, and the clerk's
    choices (the rows left out, each letter's own edit), so that a preview or a check
    after a choice is made again."""
    sheet = session.sheet.sha if session.sheet else ""
    files = session.files
    if not files.leave_out and not files.edits:
        return sheet
    return digest("\0".join([sheet, *files.leave_out, files.edits]).encode())


def render_pdf(letter) -> tuple[bytes, int]:
    """``letter`` as PDF, through the one rendering core, with the rows laid out for the
    previews before it (``ROWS``): after an edit, only the rows the edit changed are laid
    out, and for another recipient only the rows that differ. Its pages are those of the
    same letter rendered alone (tests/test_web.py compares them glyph by glyph).

    Some sequences of letters make the row library fail (the same date with an urgency mark
    and then without one: a page of rows it cannot cut, "min() arg is an empty sequence" in
    pdf/weasy.row_groups). Its rows may then be left half made, so the library is dropped
    and the letter laid out whole, alone: the clerk gets the right preview, a little later."""
    from ..rendering import render_letters

    with RENDER_LOCK:
        try:
            rendered = render_letters([letter], ("pdf",), rows=rows())[0]
        except (ValueError, AssertionError):
            rows.cache_clear()  # a fresh library for the next preview
            rendered = render_letters([letter], ("pdf",))[0]
    return rendered.files["pdf"], rendered.pages


@cached(maxsize=1)
def rows():
    """The previews' row library (pdf.placement.RowLibrary): one per server process, for
    every session. A row is found only by its whole HTML, so a letter takes from it only
    rows showing what that letter shows: another session's rows (a credentials line) stay
    out of its reach."""
    from ..pdf.placement import RowLibrary

    return RowLibrary(keep=8)


def kept_preview(session: WorkSession, version: str) -> dict | None:
    """The preview kept under ``version``: the session's, or the bundled example's first
    letter made at start (a page that showed it to a visitor may ask for its pages after
    the visitor's first change gave it a session of its own)."""
    return session.cache.get("previews", {}).get(version) or WARM.get(version)


def made_again(session: WorkSession, version: str) -> bool:
    """Make the preview ``version`` again when it is one of the session's present letters
    and is no longer kept (its worker was replaced since the page asked for it)."""
    if kept_preview(session, version) is not None:
        return True
    try:
        spec, spec_sha = spec_and_digest(session)
        letters = letters_of(session)
    except InputError:
        return False
    for letter in letters:
        if session.versioned(preview_version(spec_sha, book_sha(session), letter.recipient_id)) == version:
            locked_preview(session, letter.recipient_id)
            return True
    return False


def page_png(session: WorkSession, version: str, page: int) -> bytes | None:
    """Page ``page`` of a kept preview as PNG: drawn under the render lock (pdfium), made
    PNG outside it, so that the next edit's layout never waits for an earlier letter's
    pages being compressed."""
    from ..preview import pdf_page_image, png

    item = kept_preview(session, version)
    if item is None or not 1 <= page <= item["pages"]:
        return None
    if page not in item["png"]:
        with RENDER_LOCK:
            image = pdf_page_image(item["pdf"], page, dpi=90)
        item["png"][page] = png(image, quick=True)
    return item["png"][page]


def letter_file(session: WorkSession, version: str, fmt: str) -> tuple[bytes, str] | None:
    """The previewed letter as PDF or DOCX, with its file name."""
    from ..rendering import render_letters
    from ..filenames import file_stem

    item = kept_preview(session, version)
    if item is None:
        return None
    letter = item["letter"]
    stem = file_stem(letter.key, letter.recipient_name)
    if fmt == "pdf":
        return item["pdf"], f"{stem}.pdf"
    with RENDER_LOCK:
        data = render_letters([letter], ("docx",))[0].files["docx"]
    return data, f"{stem}.docx"


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
    from ..sheets.recipients import load_recipients
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
        png = pdf_page_png(pdf, 1, dpi=90, quick=True)
    version = preview_version(digest(toml), digest(sheet.read_bytes()), letter.recipient_id)
    WARM[version] = {"pdf": pdf, "pages": pages, "letter": letter, "png": {1: png}}
