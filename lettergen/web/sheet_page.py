"""The recipients page's work in the engine (run in its worker processes, as work.py): the
sheet's cells as the letters read them, every bad row the engine found, each marked at its
cell in the order the clerk steps through them, the header row the page keeps in view, and,
when the sheet reads, which rows are recipients the clerk may take out of the set (untick)
and how each row's done column was read."""

from __future__ import annotations

from ..errors import InputError
from . import sheets, work
from .wording import clerk_message, clerk_text
from .work import WorkSession

SHOWN_PROBLEMS = 400  # bad rows marked on the page (all are counted)


def empty() -> dict:
    """The page with no sheet (or none the engine could read)."""
    return dict(rows=[], rows_cut=False, header_row=0, hidden=set(), problems=[], problem_count=0,
                marks={}, bad_rows=set(), error_text="", plan=None, spec_error=None, recipients={},
                left_out=set(), readings=None)


def sheet_view(session: WorkSession) -> dict:
    view = empty()
    try:
        spec = work.spec_of(session)
    except InputError:  # said on the letter page; the sheet is shown as for no spec
        spec = None
    view["rows"], view["rows_cut"], header_row = sheets.shown_table(session.sheet.path, spec=spec)
    view["hidden"], masked_header = sheets.masked_columns(view["rows"], spec.recipients.columns if spec else {})
    view["header_row"] = header_row or masked_header
    view["left_out"] = set(session.files.leave_out)
    try:
        view["plan"] = work.summary(session)
    except InputError as exc:
        exc = work.shown_name(exc, session)
        if exc.file == "หนังสือ (spec)":
            view["spec_error"] = clerk_text(exc)
        else:
            _problems(view, exc, session)
    if spec is not None and view["spec_error"] is None and not view["problem_count"]:
        _readings(view, session, spec)
    return view


def _problems(view: dict, error: InputError, session: WorkSession) -> None:
    """Every bad row, in the order of the sheet: counted all, the first SHOWN_PROBLEMS marked
    at their cells (``marks``: (row, column index) -> the problem's number), each naming the
    file as the clerk named it."""
    problems = [work.shown_name(problem, session) for problem in (error, *getattr(error, "others", ()))]
    error.others = ()  # counted and marked: not sent on to the server
    if error.row is None:  # the file as a whole: no cell to mark
        view["error_text"] = clerk_text(error)
        return
    rows = {problem.row for problem in problems}
    view["problem_count"] = len(rows)
    view["bad_rows"] = rows
    for problem in sorted(problems, key=lambda p: p.row or 0)[:SHOWN_PROBLEMS]:
        row, column = sheets.error_cell(view["rows"], problem)
        if (row, column) in view["marks"]:
            continue
        view["marks"][(row, column)] = len(view["problems"])
        view["problems"].append({"row": row, "column": column, "text": clerk_text(problem),
                                 "message": clerk_message(problem.message)})


def _readings(view: dict, session: WorkSession, spec) -> None:
    """Which sheet rows are recipients (by their id), and how the done column was read."""
    from ..thai import thai_strftime

    try:
        book = work.book_of(session, spec, work.spec_and_digest(session)[1])
    except InputError:
        return
    view["recipients"] = {row.row: row.id for row in book.rows}
    if "done" in book.headers:
        view["readings"] = {row.row: (("ดำเนินการแล้ว" + (f" ({thai_strftime(row.done_date, '%-d %b %Y', thaidigit=False)})"
                                                            if row.done_date else "")) if row.done else "ยังไม่ดำเนินการ")
                            for row in book.rows}
