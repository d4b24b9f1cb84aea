"""Spec + recipients -> letters (the document model).

``plan()`` applies the spec's routing: recipients whose kind goes through the district office
are gathered into one letter to their district's office (its enclosure lists their
credentials); the others get a direct letter each (a spec that names its one addressee,
[addressee], has one letter). ``with_signing_memo()`` puts the memo that takes the set up for
signature before it (signing_memo.py). ``compose()`` turns each planned letter into a
``Letter``. The writers are reached through the one render core, rendering.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from . import geometry, signing_memo as signing
from .caches import ByContent, freeze
from .errors import InputError, RecipientsError, SpecError
from .kinds import CIRCULAR, KINDS, MEMO
from .model import LABELS, Letter, Paragraph, QrCode, QrRow, Run, Section, Table
from .sheets.recipients import Book, Recipient
from .spec import Spec, Variant, with_overrides
from .templating import plain, render_text, template_names, to_runs
from .thai import (arabic_digit_to_thai_digit, thai_date, thai_digits_in_prose, thai_number,
                   thai_percent)

@dataclass(frozen=True)
class Planned:
    """One letter to be written: its variant, its addressee row and the rows whose
    credentials it carries."""

    variant: str  # "district" | "direct" | signing.VARIANT
    addressee: Recipient
    members: tuple[Recipient, ...]
    number: int
    groups: tuple[signing.Group, ...] = ()  # the signing memo's: the set it takes up


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def pending(self) -> int:
        return self.total - self.done

    def context(self) -> dict[str, Any]:
        return {
            "done": self.done, "total": self.total, "pending": self.pending,
            "percent": thai_percent(self.done, self.total) if self.total else "๐.๐๐",
        }


def progress(spec: Spec, rows: Iterable[Recipient]) -> Progress:
    """Done / total over the LAOs (every routed kind); district offices do not count."""
    routed = set(spec.routing.via_district) | set(spec.routing.direct)
    counted = [r for r in rows if r.kind in routed]
    return Progress(done=sum(r.done for r in counted), total=len(counted))


def plan(spec: Spec, rows: Sequence[Recipient], path=None, header=lambda name: name) -> list[Planned]:
    """The letters of a run, in order: district letters in the order of their offices'
    rows, then direct letters in row order. Numbers follow the regulation: a circular's
    copies share its number; other letters count up from the variant's start number."""
    from .districts import closest, district_offices

    if spec.addressee is not None:  # one letter, to the addressee the spec names
        return [Planned("direct", rows[0], (), spec.variants["direct"].number)]
    routing = spec.routing
    offices, _made = district_offices(spec, rows)  # made from the LAOs' districts when none
    members: dict[str, list[Recipient]] = {d: [] for d in offices}
    direct: list[Recipient] = []
    for row in rows:
        if row.kind == routing.district_office:
            continue
        if row.kind in routing.via_district:
            if row.district not in offices:
                near = closest(row.district, list(offices))
                raise RecipientsError(
                    f"อำเภอ \"{row.district}\" ไม่มีแถวของ {routing.district_office} "
                    f"ที่จะส่งรหัสของ {row.name} ไปให้"
                    + (f" (หรือหมายถึง \"{near}\")" if near else "")
                    + f"; แก้ชื่ออำเภอ หรือเพิ่มแถวของ {routing.district_office} อำเภอนี้ "
                    f"(หรือลบแถว {routing.district_office} ทั้งหมด ให้ lettergen สร้างให้ทุกอำเภอ)",
                    file=path, row=row.row, column=header("district"),
                )
            if row.overrides:
                raise RecipientsError(
                    f"แถวนี้ได้รับรหัสผ่านผ่าน {routing.district_office} จึงไม่มีหนังสือของตนเอง "
                    f"ให้แก้ค่า ({', '.join(row.overrides)}); ใส่ค่าในแถวของ {routing.district_office} แทน",
                    file=path, row=row.row, column=next(iter(row.overrides)),
                )
            members[row.district].append(row)
        elif row.kind in routing.direct:
            direct.append(row)
        else:
            raise RecipientsError(
                f"ประเภท \"{row.kind}\" ไม่ได้กำหนดไว้ใน [routing] ของ spec "
                "(via_district หรือ direct)",
                file=path, row=row.row, column=header("kind"),
            )
    planned: list[Planned] = []
    for variant_name, groups in (
        ("district", [(office, tuple(members[d])) for d, office in offices.items() if members[d]]),
        ("direct", [(row, (row,)) for row in direct]),
    ):
        variant = spec.variants[variant_name]
        for i, (addressee, group) in enumerate(groups):
            number = variant.number if variant.circular else variant.number + i
            planned.append(Planned(variant_name, addressee, group, number))
    return planned


def letter_spec(spec: Spec, addressee: Recipient, book_path=None) -> Spec:
    """The spec as it applies to one addressee: its row's override columns applied."""
    if not addressee.overrides:
        return spec
    try:
        return with_overrides(spec, addressee.overrides, origin=f"แถว {addressee.row}")
    except RecipientsError:
        raise
    except InputError as exc:  # a bad value (SpecError, TemplateError), re-homed to its row
        column = next((name for name in addressee.overrides if name == exc.key), exc.key)
        raise RecipientsError(exc.message, file=book_path, row=addressee.row, column=column) from None


def series_of(spec: Spec, item: Planned) -> str:
    """The register series ``item``'s number comes from: a circular's (ว), else its kind's
    (kinds.LetterKind.series: ordinary letters, or a memo's internal series)."""
    if item.variant == signing.VARIANT:
        return MEMO.series
    if spec.variants[item.variant].circular:
        return CIRCULAR
    return KINDS[spec.kind].series


def format_number(spec: Spec, number: int, circular: bool) -> str:
    """"ชร ๐๐๒๓.๑/ว ๑๘๘๕๘" for a circular, "ชร ๐๐๒๓.๑/๑๘๘๕๓" otherwise."""
    tail = f"ว {number}" if circular else str(number)
    return arabic_digit_to_thai_digit(f"{spec.agency_code}/{tail}")


def compose(spec: Spec, item: Planned, totals: Progress, book_path=None,
            shared: ByContent | None = None) -> Letter:
    """One planned letter -> the document model. Paragraphs and attachments equal to ones
    in ``shared`` (filled by compose_all) are taken from there: the letters of a run then
    hold one step sheet and one copy of each common paragraph between them."""
    if item.variant == signing.VARIANT:
        return _signing_memo(spec, item)
    spec = letter_spec(spec, item.addressee, book_path)
    variant: Variant = spec.variants[item.variant]
    ctx = _context(spec, variant, item, totals)

    def text(source: str, key: str) -> str:
        return render_text(source, ctx, key=key, file=spec.path)

    ctx["text"] = {k: text(v, f"variants.{variant.name}.text.{k}") for k, v in variant.text.items()}
    body = tuple(
        _once(shared, "body", p, ctx, [p],
              lambda _, p=p, i=i: Paragraph(to_runs(text(p, f"body.paragraphs[{i}]")), "body"))
        for i, p in enumerate(spec.body)
    )
    kind = KINDS[spec.kind]
    addressee = plain(to_runs(text(variant.addressee, f"variants.{variant.name}.addressee")))
    salutation = (plain(to_runs(text(spec.salutation, "letter.salutation")))
                  if kind.shows("salutation") else "")  # a stamped letter has none
    cites = ""
    if variant.cites:
        cites = arabic_digit_to_thai_digit(
            f"หนังสือ{spec.sender.agency} ที่ {variant.cites.number} ลงวันที่ "
        ) + thai_date(variant.cites.date)
    attachments = [_credentials(spec, item, text)] if item.members else []
    if spec.steps:
        sources = [spec.steps_title] + [t for step in spec.steps for t in
                                        (step.title, *step.items, *(b for b in step.channel if isinstance(b, str)))]
        attachments.append(_once(shared, "steps", spec, ctx, sources, lambda view: _steps(view, text)))
    return Letter(
        key=item.addressee.id,
        recipient_id=item.addressee.id,
        recipient_name=item.addressee.name,
        kind=spec.kind,
        urgency=spec.urgency,
        number=format_number(spec, item.number, variant.circular),
        number_value=item.number,
        circular=variant.circular,
        date=spec.date,
        date_text=thai_date(spec.date),
        addressee=addressee,
        subject=plain(to_runs(spec.subject)),
        salutation=salutation,
        cites=cites,
        enclosures=tuple(plain(to_runs(e)) for e in spec.enclosures),
        body=body,
        agency=spec.sender.agency,
        department=_department(spec) if kind.shows("department") else "",
        closing=spec.closing,
        signer_name=spec.sender.signer_name,
        signer_position=spec.sender.signer_position,
        owner_lines=_owner_lines(spec),
        attachments=tuple(attachments),
        docx_font=spec.docx_font,
        emblem=str(spec.emblem) if spec.emblem else None,
        secrets=tuple(m.password for m in item.members if m.password),
        delivery_password=item.addressee.pdf_password,
        register_remark=spec.register_remark,
    )


def _signing_memo(spec: Spec, item: Planned) -> Letter:
    """The signing memo (signing_memo.py) of the set ``item.groups`` describes."""
    if item.number < 1:
        raise SpecError("บันทึกเสนอลงนามต้องมีเลขที่: ระบุ [signing_memo] number หรือใช้ workspace "
                        "ซึ่งให้เลขจากทะเบียนหนังสือส่ง", file=spec.path, key="signing_memo.number")
    memo, sender = spec.signing_memo, spec.sender
    subject = plain(to_runs(spec.subject))
    body = signing.paragraphs(spec, subject, list(item.groups), spec.agency_code)
    return Letter(
        key=signing.KEY, recipient_id=signing.KEY, recipient_name=sender.signer_position,
        kind=MEMO.name, urgency=spec.urgency, number=format_number(spec, item.number, False),
        number_value=item.number, circular=False, date=spec.date, date_text=thai_date(spec.date),
        addressee="", subject=plain(to_runs(signing.subject(subject))),
        salutation=plain(to_runs(f"เรียน {sender.signer_position}")), cites="", enclosures=(),
        body=tuple(Paragraph(to_runs(p), "body") for p in body), agency=sender.agency,
        department=_department(spec), closing="", signer_name=memo.signer_name,
        signer_position=memo.signer_position, owner_lines=(), attachments=(),
        docx_font=spec.docx_font, emblem=str(spec.emblem) if spec.emblem else None,
    )


def with_signing_memo(planning: "Planning") -> "Planning":
    """``planning`` with the signing memo planned before its letters (its number the
    spec's [signing_memo] number until a register gives it one: Planning.numbered)."""
    spec = planning.spec
    signing.check(spec)
    signer = Recipient(row=0, id=signing.KEY, name=spec.sender.signer_position, kind="",
                       district="", username="", password="", done=False, done_date=None,
                       extra={}, overrides={})
    item = Planned(signing.VARIANT, signer, (), spec.signing_memo.number or 0)
    return planning.numbered([item.number, *(p.number for p in planning.planned)],
                             (item, *planning.planned))


def _groups(spec: Spec, planned: Sequence[Planned]) -> tuple[signing.Group, ...]:
    """The letters of ``planned`` by route, in plan order, for the signing memo."""
    groups: dict[str, list[Planned]] = {}
    for item in planned:
        if item.variant != signing.VARIANT:
            groups.setdefault(item.variant, []).append(item)
    return tuple(signing.Group(
        circular=spec.variants[name].circular,
        addressees=tuple((item.addressee.kind, item.addressee.name) for item in items),
        members=sum(len(item.members) for item in items), relayed=name == "district",
        numbers=tuple(item.number for item in items)) for name, items in groups.items())


def _context(spec: Spec, variant: Variant, item: Planned, totals: Progress) -> dict[str, Any]:
    sender = spec.sender
    return {
        "recipient": item.addressee.context(),
        "members": [m.context() for m in item.members],
        "district": item.addressee.district,
        "letter": {"date": spec.date, "subject": spec.subject, "urgency": spec.urgency,
                   "number": format_number(spec, item.number, variant.circular)},
        "sender": {k: getattr(sender, k) for k in sender.__dataclass_fields__},
        "deadline": spec.deadline,
        "links": dict(spec.links),
        "cites": ({"number": variant.cites.number, "date": variant.cites.date}
                  if variant.cites else None),
        "progress": totals.context(),
        "days_left": (spec.deadline - spec.date).days if spec.deadline else None,
        "variant": variant.name,
    }


def _department(spec: Spec) -> str:
    """A memo's ส่วนราชการ: the owner unit, its section and phone."""
    s = spec.sender
    phone = f"{LABELS['phone']} {s.phone}" if s.phone else ""
    return plain(to_runs(" ".join(part for part in (s.unit, s.section, phone) if part)))


def _owner_lines(spec: Spec) -> tuple[str, ...]:
    s = spec.sender
    lines = [s.section, s.unit]
    contact = []
    if s.phone:
        contact.append(f"{LABELS['phone']} {s.phone}")
    if s.fax:
        contact.append(f"{LABELS['fax']} {s.fax}")
    lines.append("  ".join(contact))
    if s.email:
        lines.append(f"{LABELS['email']} {s.email}")
    if s.coordinator:
        phone = f" {LABELS['phone']} {s.coordinator_phone}" if s.coordinator_phone else ""
        lines.append(f"{LABELS['coordinator']} {s.coordinator}{phone}")
    return tuple(plain(to_runs(line)) for line in lines if line)


def _credentials(spec: Spec, item: Planned, text) -> Section:
    title = plain(to_runs(text(spec.enclosure_title, "enclosure.title")))
    if item.variant == "district":
        title = f"{title} อำเภอ{item.addressee.district}"
    rows = []
    for i, member in enumerate(item.members, start=1):
        rows.append((
            (Paragraph((Run(thai_number(i)),), "center"),),
            (Paragraph((Run(thai_digits_in_prose(member.name)),), "plain"),),
            (Paragraph((Run(member.username, literal=True),), "plain"),),
            (Paragraph((Run(member.password, literal=True),), "plain"),),
        ))
    table = Table(
        headers=("ลำดับ", "องค์กรปกครองส่วนท้องถิ่น", "ชื่อผู้ใช้ (Username)", "รหัสผ่าน (Password)"),
        rows=tuple(rows), widths=geometry.CREDENTIALS_COLUMNS, name="credentials",
    )
    return Section(title=title, blocks=(table,), name="credentials")


def _once(shared: ByContent | None, what: str, source, ctx: dict[str, Any], sources: Sequence[str],
          make):
    """``make(view of source)``, made once for all the letters whose texts ``sources`` read
    the same values (a body paragraph or the step sheet that names no recipient is the same
    in every letter of a run) and whose ``source`` (a text, or the spec) has the same
    content where ``make`` reads it; equal results kept as one object."""
    if shared is None:
        return make(source)
    names = [template_names(text) for text in sources]
    if any(n is None for n in names):
        return make(source)  # a text that does not parse: rendering it says where
    used = sorted(set().union(*names))
    values = tuple((name, freeze(ctx.get(name))) for name in used)
    context = (source, values) if isinstance(source, str) else values
    value, _ = shared.get(what, context, source, make)
    return shared.one_of_equals(value)


def _steps(spec: Spec, text) -> Section:
    rows = []
    for i, step in enumerate(spec.steps, start=1):
        key = f"steps.step[{i - 1}]"
        what = [Paragraph(to_runs(text(step.title, f"{key}.title")), "plain")]
        for j, item in enumerate(step.items, start=1):
            runs = to_runs(text(item, f"{key}.items[{j - 1}]"))
            what.append(Paragraph((Run(thai_number(i) + "." + thai_number(j) + " "),) + runs, "item"))
        channel = []
        for j, block in enumerate(step.channel):
            if isinstance(block, str):
                channel.append(Paragraph(to_runs(text(block, f"{key}.channel[{j}]")), "plain"))
            else:
                channel.append(QrRow(tuple(
                    QrCode(url=spec.links[q.link], caption=plain(to_runs(q.caption))) for q in block
                )))
        rows.append(((Paragraph((Run(thai_number(i)),), "center"),), tuple(what), tuple(channel)))
    table = Table(headers=spec.steps_headers, rows=tuple(rows), widths=geometry.STEPS_COLUMNS, name="steps")
    title = plain(to_runs(text(spec.steps_title, "steps.title")))
    return Section(title=title, blocks=(table,), name="steps", shared=True)


# --- a run, planned ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planning:
    """Letters planned but not yet composed, and what composing them takes. The batch
    engine composes a run chunk by chunk (``part``): once to check every letter before any
    output, keeping only what the register needs, and again in the worker that renders the
    chunk; so no process holds every letter of a large run, and a worker is sent the
    planned rows (small) rather than composed letters."""

    spec: Spec
    planned: tuple[Planned, ...]
    totals: Progress
    book_path: Any = None

    def __len__(self) -> int:
        return len(self.planned)

    def part(self, start: int, stop: int) -> "Planning":
        return Planning(self.spec, self.planned[start:stop], self.totals, self.book_path)

    def compose(self) -> list[Letter]:
        shared = ByContent(limit=1 << 16, per_process=False)
        return [compose(self.spec, item, self.totals, self.book_path, shared) for item in self.planned]

    def numbered(self, numbers: Sequence[int], planned: Sequence[Planned] | None = None) -> "Planning":
        """The same letters (or ``planned``) with these numbers (from a register); a signing
        memo among them then lists the numbers its set takes now."""
        items = [dataclasses.replace(item, number=number)
                 for item, number in zip(planned or self.planned, numbers, strict=True)]
        groups = _groups(self.spec, items)
        items = [dataclasses.replace(item, groups=groups) if item.variant == signing.VARIANT else item
                 for item in items]
        return Planning(self.spec, tuple(items), self.totals, self.book_path)


def plan_letters(spec: Spec, book: Book, only: Iterable[str] | None = None,
                 totals: Progress | None = None, signing_memo: bool = False,
                 leave_out: Iterable[str] = ()) -> Planning:
    """The letters of a run, planned (``plan``; ``only`` the addressees listed) but not
    composed, with the signing memo before them when asked (``with_signing_memo``).
    ``leave_out``: ids of rows the clerk took out of this set (no letter of their own, not
    in their district's enclosure; a district office's row takes its district's LAOs out
    with it); they still count in the progress figures, which ``totals`` give, by default
    over all of ``book``'s rows."""
    totals = totals or progress(spec, book.rows)
    rows = _kept_rows(spec, book.rows, set(leave_out))
    planned = plan(spec, rows, book.path, book.header)
    if only is not None:
        wanted = set(only)
        unknown = wanted - {p.addressee.id for p in planned}
        if unknown:
            raise RecipientsError(
                f"ไม่มีจดหมายถึงรหัส {', '.join(sorted(unknown))} (--only ใช้รหัสของผู้รับจดหมาย)",
                file=book.path,
            )
        planned = [p for p in planned if p.addressee.id in wanted]
    planning = Planning(spec, tuple(planned), totals, book.path)
    return with_signing_memo(planning) if signing_memo else planning


def _kept_rows(spec: Spec, rows: Sequence[Recipient], left: set[str]) -> Sequence[Recipient]:
    """``rows`` without those ``left`` out, nor the LAOs of a district office left out."""
    if not left:
        return rows
    routing = spec.routing
    districts = {row.district for row in rows if row.id in left and row.kind == routing.district_office}
    return [row for row in rows if row.id not in left
            and not (row.kind in routing.via_district and row.district in districts)]


def compose_all(spec: Spec, book: Book, only: Iterable[str] | None = None,
                totals: Progress | None = None, leave_out: Iterable[str] = ()) -> list[Letter]:
    """Every letter of a run as the document model (validates everything, writes nothing)."""
    return plan_letters(spec, book, only, totals, leave_out=leave_out).compose()


def check_delivery_passwords(letters: Sequence[Letter], book: Book) -> None:
    """--encrypt needs a pdf_password for every addressee; say which row lacks one."""
    rows = {row.id: row for row in book.rows}
    for letter in letters:
        if not letter.delivery_password:
            if letter.recipient_id not in rows:  # a district office made by lettergen
                raise RecipientsError(
                    f"ใช้ --encrypt ต้องมีรหัสเปิดไฟล์ของผู้รับหนังสือทุกราย แต่ {letter.recipient_name} "
                    "ไม่มีแถวในไฟล์; เพิ่มแถวของสำนักงานอำเภอทุกแห่งพร้อมรหัสเปิดไฟล์",
                    file=book.path)
            raise RecipientsError(
                "ใช้ --encrypt ต้องมีรหัสเปิดไฟล์ของผู้รับหนังสือทุกราย (ช่องนี้ว่าง)",
                file=book.path, row=rows[letter.recipient_id].row, column=book.header("pdf_password"),
            )
