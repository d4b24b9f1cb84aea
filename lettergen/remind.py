"""Reminders (หนังสือติดตาม) for the recipients that have not complied, before the deadline.

The reminder is the spec's [reminder] variant of the letter: its own body, date and numbers,
urgency chosen by how many days are left, and the original letter cited: for each addressee
the number and date the first run's register gives it, else the [reminder] cites. Only
pending rows take part: a district office gets a letter listing only its pending LAOs, a
pending direct recipient its own, and nobody who is done gets anything. The progress figures
stay those of the whole sheet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from .compose import progress
from .errors import SpecError
from .sheets.recipients import Book
from .registers.run_register import append_register, read_register
from .spec import Spec, reminder_raw, spec_from_raw
from .thai import thai_date, thai_digit_to_arabic_digit


def urgency_for(spec: Spec, days_left: int) -> str:
    """The urgency of the nearest rule whose window holds ``days_left``, else the spec's."""
    for rule in spec.reminder.urgency_rules:  # nearest deadline first
        if days_left <= rule.days_left:
            return rule.urgency
    return spec.urgency


def reminder_spec(spec: Spec, today: dt.date) -> Spec:
    """The spec of the reminder letters made on ``today`` (or on [reminder] date)."""
    if spec.reminder is None:
        raise SpecError("spec ไม่มีตาราง [reminder] สำหรับหนังสือติดตาม", file=spec.path, key="reminder")
    if spec.deadline is None:
        raise SpecError("หนังสือติดตามต้องมีกำหนดเวลา", file=spec.path, key="deadline.date")
    date = spec.reminder.date or today
    if date < spec.date:
        raise SpecError(f"หนังสือติดตามลงวันที่ {thai_date(date)} ก่อนหนังสือที่ติดตาม ({thai_date(spec.date)}) ไม่ได้",
                        file=spec.path, key="reminder.date")
    days_left = (spec.deadline - date).days
    if days_left < 0:
        raise SpecError(
            f"เลยกำหนด {thai_date(spec.deadline)} มาแล้ว {-days_left} วัน จึงไม่ออกหนังสือติดตาม; "
            "ถ้าขยายเวลา ให้กำหนดวันใหม่ เช่น --set deadline.date=YYYY-MM-DD",
            file=spec.path, key="deadline.date",
        )
    return spec_from_raw(reminder_raw(spec.raw, spec.reminder, date, urgency_for(spec, days_left)),
                         spec.path, spec.files_from)


def pending_book(spec: Spec, book: Book, originals: dict[str, tuple[str, dt.date]]) -> Book:
    """The rows that take part in the reminders: district offices and pending LAOs; each
    addressee carries the original letter it got, as an override of its variant's cites."""
    routing = spec.routing
    rows = []
    for row in book.rows:
        if row.kind != routing.district_office and row.done:
            continue
        if row.id in originals:
            variant = "direct" if row.kind in routing.direct else "district"
            number, date = originals[row.id]
            row = dataclasses.replace(row, overrides={
                **row.overrides,
                f"variants.{variant}.cites": {"number": number, "date": date},
            })
        rows.append(row)
    return dataclasses.replace(book, rows=tuple(rows))


def workspace_originals(spec: Spec, book: Book, workspace) -> dict[str, tuple[str, dt.date]]:
    """Recipient id -> (number, date) of the latest letter of ``spec``'s subject that the
    workspace's register issued to it (OfficeRegister.original)."""
    from .templating import plain, to_runs

    found = workspace.register().originals(plain(to_runs(spec.subject)))
    return {row.id: (thai_digit_to_arabic_digit(found[row.id].number), found[row.id].date)
            for row in book.rows if row.id in found}


def remind(spec: Spec, book: Book, out_dir: Path, *, register: Path | None, today: dt.date,
           formats=("pdf", "docx"), jobs: int | None = None, stderr=None, wait: bool = False,
           workspace=None, expected_numbers: str | None = None):
    """Write the reminders into ``out_dir`` (with their own register) and, when the first
    run's ``register`` exists, append their rows to it, numbered on from its last row.
    ``register`` is either file of the pair the first run wrote, register.csv or
    register.xlsx; both end up with the reminders' rows (register.append_register). Anything
    else there (a folder, another kind of file) is a SpecError before anything is written.
    Both folders are held for this run (output_lock; ``wait``: wait for another run).

    With a ``workspace`` (workspace.Workspace) the reminders cite the letters its register
    issued, take their numbers from it and are recorded there; ``register`` is not used;
    ``expected_numbers``: the numbers the clerk agreed to (workspace.write_registered)."""
    import sys

    from .output_lock import output_lock

    if workspace is not None or not (register and register.exists()):
        return _remind(spec, book, out_dir, register=register, today=today, formats=formats,
                       jobs=jobs, stderr=stderr, wait=wait, workspace=workspace,
                       expected_numbers=expected_numbers)
    with output_lock(register.parent, wait=wait,
                     waiting=lambda message: print(message, file=stderr or sys.stderr)):
        return _remind(spec, book, out_dir, register=register, today=today, formats=formats,
                       jobs=jobs, stderr=stderr, wait=wait, workspace=None)


def reminder_planning(spec: Spec, book: Book, today: dt.date, originals):
    """(the reminder's spec, the reminders planned): to the ones of ``book`` pending on the
    reminder's date only, each citing its original letter (``originals``: recipient id ->
    number and date), the progress figures those of the whole sheet on that date, as the
    reminder says them ("ณ วันที่ ..."): a row done after it was not done yet."""
    from .compose import plan_letters
    from .status import book_as_of

    rspec = reminder_spec(spec, today)
    book = book_as_of(book, rspec.date)
    pending = pending_book(rspec, book, originals)
    return rspec, plan_letters(rspec, pending, totals=progress(spec, book.rows))


def _remind(spec: Spec, book: Book, out_dir: Path, *, register: Path | None, today: dt.date,
            formats, jobs, stderr, wait, workspace, expected_numbers=None):
    from .batch import write_set

    if workspace is not None:
        from .registers.workspace import KIND_REMINDERS, write_registered

        import sys

        originals = workspace_originals(spec, book, workspace)
        rspec, planning = reminder_planning(spec, book, today, originals)
        if not len(planning):
            return None
        missing = [item.addressee.id for item in planning.planned if item.addressee.id not in originals]
        if missing:
            print(f"หมายเหตุ: ทะเบียนหนังสือส่งของ workspace ไม่มีหนังสือเรื่องนี้ถึงผู้รับ {len(missing)} ราย "
                  f"(รหัส {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}) "
                  "หนังสือติดตามถึงผู้รับเหล่านี้จึงอ้างถึงตาม cites ใน spec", file=stderr or sys.stderr)
        return write_registered(workspace, KIND_REMINDERS, rspec, book, planning, out_dir,
                                formats=formats, jobs=jobs, stderr=stderr,
                                expected_numbers=expected_numbers)
    # a register that exists is read, whatever it is: a folder or a file that is not a
    # register is refused here, before the reminders are written
    originals, last = read_register(register) if register and register.exists() else ({}, 0)
    rspec, planning = reminder_planning(spec, book, today, originals)
    if not len(planning):
        return None
    start = last + 1 if last else rspec.register_start
    result = write_set(rspec, planning, out_dir, formats=formats, jobs=jobs, stderr=stderr,
                       register_start=start, wait=wait)
    if register and register.exists():
        append_register(register, Path(out_dir) / "register.csv")
    return result
