"""What each page asks of the engine, in one call each: the functions the engine's worker
processes run (``OPS``, by name), on a session's files and caches (``work.WorkSession``).

Everything that reads what a clerk typed or sent (the letter's TOML, the form's values,
the sheets) is read here, inside a worker process with a time and memory limit, never in
the server's own process. An error in the input is raised as InputError, with the
session's file names replaced by the names the clerk knows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError, SpecError
from . import sheets, specform, work
from ..files import write_atomic
from .wording import clerk_text
from .work import WorkSession



def _shown(function):
    """``function(session, ...)`` with an InputError's file names as the clerk knows them."""
    def call(session: WorkSession, *args):
        try:
            return function(session, *args)
        except InputError as exc:
            raise work.shown_name(exc, session) from None
    call.__name__ = function.__name__
    call.__doc__ = function.__doc__
    return call


def _raw(session: WorkSession) -> dict:
    """The working letter's TOML data (read again only when the file changed)."""
    import tomllib

    data = session.spec_path().read_bytes()
    key = ("raw", work.digest(data))
    if session.cache.get("raw", (None,))[0] != key:
        session.cache["raw"] = (key, tomllib.loads(data.decode("utf-8")))
    return session.cache["raw"][1]


def _write_letter(session: WorkSession, raw: dict) -> None:
    """The working letter replaced by ``raw``, whole (a reader sees the old or the new)."""
    write_atomic(session.spec_path(), specform.toml_text(raw).encode("utf-8"))


def letter_form(session: WorkSession) -> dict:
    """The letter page's fields, and the links' QR codes (its check is ``check_letter``, a
    call of its own: a letter whose check takes too long still shows its fields)."""
    from ..qr import svg

    values = specform.form_values(_raw(session))
    codes = {}
    for name, url in values["links"]:
        try:
            codes[name] = svg(url)
        except Exception:  # an unusable link: the form's check says why
            codes[name] = ""
    return {"values": values, "qr": codes}


@_shown
def edit_letter(session: WorkSession, values: dict) -> dict | None:
    """The whole form after an edit put into the working letter and checked as ``lettergen
    check`` checks; the first letter's preview drawn, page 1 too, for the page to show
    without asking again (None when there is no preview to draw).

    Each edit sends the whole form, so a later edit holds every earlier one: an edit
    that reaches the lock after a later one was written is not written over it (threads
    may take the lock out of turn), and an edit that a later one has followed into the
    worker is neither checked nor drawn (the page shows only the last edit's answer; a
    clerk typing fast costs the shared server one layout, not one per keystroke)."""
    mine = work.CALL.get()
    with session.edit_lock:
        if mine >= session.written_edit:
            _write_letter(session, specform.apply_form(_raw(session), values))
            session.written_edit = mine
    if mine < session.newest_edit:
        return None
    work.check(session)
    try:
        version, pages, rid = work.drawn_preview(session)
    except InputError:
        return None
    return {"version": version, "pages": pages, "rid": rid}


def take_letter(session: WorkSession, path: str, name: str) -> bool:
    """A letter sent as a file (or opened from the workspace) as the working letter; an
    InputError whose message names ``name`` and says what is wrong, in the clerk's words,
    when it is not a letter's TOML text."""
    import tomllib

    name = Path(name).name
    bad = f"ไฟล์ \"{name}\" เขียนไม่ถูกรูปแบบของไฟล์หนังสือ"
    try:
        text = sheets.check_toml(name, Path(path).read_bytes())
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(_toml_error(exc).replace("TOML ไม่ถูกต้อง", bad, 1)) from None
    except ValueError as exc:  # not a .toml file, or not text
        raise SpecError(str(exc)) from None
    except RecursionError:
        raise SpecError(f"{bad}: ซ้อนกันลึกเกินไป") from None
    with session.edit_lock:
        _write_letter(session, raw)
    return isinstance(raw.get("addressee"), dict)  # a letter to one named addressee


def _toml_error(exc) -> str:
    from ..spec import toml_message

    return toml_message(str(exc))


@_shown
def check_letter(session: WorkSession) -> None:
    """The working letter as the CLI reads it; InputError when it cannot be."""
    work.spec_of(session)


def sheet_view(session: WorkSession) -> dict:
    """The recipients page: sheet_page.sheet_view."""
    from . import sheet_page

    return sheet_page.sheet_view(session)


def plan_and_numbers(session: WorkSession, signing_memo: bool = False) -> dict:
    """The plan of the set, how many letters it makes (with the signing memo when asked)
    and the register numbers it would take now, or the error that stops it (the preview
    and produce pages show them; the produce page asks again before it starts)."""
    plan, error, numbers, year, letters, encrypted = None, None, "", "", 0, False
    try:
        plan = work.summary(session)
        planning = work.planning_of(session, signing_memo)
        letters = len(planning)
        numbers, year = work.numbers_now(session, planning=planning)
        spec, spec_sha = work.spec_and_digest(session)
        # a sheet of opening passwords: the job adds each letter's encrypted copy (job_runner)
        encrypted = "pdf_password" in work.book_of(session, spec, spec_sha).headers
    except InputError as exc:
        error = clerk_text(work.shown_name(exc, session))
    return {"plan": plan, "error": error, "numbers": numbers, "register_year": year, "letters": letters,
            "encrypted": encrypted}


@_shown
def summary(session: WorkSession):
    return work.summary(session)


@_shown
def preview(session: WorkSession, recipient_id: str | None):
    return work.locked_preview(session, recipient_id)


def page_png(session: WorkSession, version: str, page: int) -> bytes | None:
    return work.page_png(session, version, page) if work.made_again(session, version) else None


def letter_file(session: WorkSession, version: str, fmt: str):
    return work.letter_file(session, version, fmt) if work.made_again(session, version) else None


@_shown
def followup(session: WorkSession, day: dt.date, given: dict):
    from . import follow

    return follow.followup(session, day, given)


def chart(session: WorkSession, day: dt.date) -> bytes | None:
    from . import follow

    return follow.chart(session, day)


def own_edit(session: WorkSession, recipient_id: str) -> dict:
    """What the preview page's "edit this letter" shows for one addressee: the paragraphs of
    its letter (its own edit, else the spec's), the note, and whether it may have an edit
    of its own (a row of the sheet; a district office lettergen made has none)."""
    from . import own_edits

    spec = work.spec_of(session)
    edit = own_edits.from_text(session.files.edits).get(recipient_id)
    try:
        allowed = spec.addressee is None and any(row.id == recipient_id for row in work.book_of(
            session, spec, work.spec_and_digest(session)[1]).rows)
    except InputError:
        allowed = False
    values = specform.form_values(spec.raw)
    return {"paragraphs": list(edit["paragraphs"]) if edit else list(spec.body), "note": edit.get("note", "") if edit else "",
            "edited": edit is not None, "allowed": allowed, "labels": specform.chip_labels(values)}


def qr_code(session: WorkSession, url: str) -> str:
    """A link's QR code as SVG, shown beside it on the letter page while it is typed."""
    from ..qr import svg

    return svg(url)


def open_certificate(session: WorkSession, path: str, passphrase: str) -> dict:
    """The facts of the PKCS#12 file at ``path`` opened with ``passphrase`` (office.facts_of),
    or the SigningError that says, in Thai, why it cannot sign: the passphrase, a file that
    is no certificate, one expired. Read here, in a worker with its limits, as every file a
    clerk sends is; the passphrase stays in this call's memory."""
    from ..signing import load_signer
    from .office import facts_of

    signer = load_signer(Path(path).read_bytes(), passphrase)
    return facts_of(signer.certificate)


OPS = {function.__name__: function for function in (
    letter_form, edit_letter, take_letter, check_letter, sheet_view, plan_and_numbers, summary,
    preview, page_png, letter_file, followup, chart, qr_code, own_edit, open_certificate)}
