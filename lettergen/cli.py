"""The command line: parse arguments, call the core, print. Nothing else lives here.

Exit codes: 0 success; 2 bad input (one line naming the file, row and column or spec key,
nothing written); 1 an internal error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from .cli_eletters import cmd_send, cmd_verify, send_parser, signer_of, signing_options, verify_parser
from .cli_words import ArgumentParser, thai_argparse, whole_number
from .errors import InputError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


# remind's --recipients: the sheet as it stands now, its done column filled in (never the
# spec's [recipients] file, which is the sheet the letters went out from)
TRACKING_HELP = ("ตารางติดตามผล: ไฟล์รายชื่อผู้รับ (CSV หรือ XLSX) ที่กรอกคอลัมน์ดำเนินการแล้ว "
                 "หนังสือติดตามไปถึงเฉพาะแถวที่ยังไม่ดำเนินการ (ต้องระบุ)")


def _parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="lettergen",
        description="หนังสือราชการไทยจำนวนมาก: spec (TOML) + รายชื่อผู้รับ (CSV/XLSX) -> PDF และ DOCX รายฉบับ",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"lettergen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p, tracking=False):
        p.add_argument("spec", type=Path, help="ไฟล์ spec (TOML)")
        p.add_argument("--recipients", type=Path, required=tracking, help=TRACKING_HELP if tracking else
                       "ไฟล์รายชื่อผู้รับ (CSV หรือ XLSX); ค่าเริ่มต้นจาก [recipients] file ใน spec")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="แก้ค่าใน spec ตามคีย์แบบจุด เช่น --set letter.date=2024-02-29")

    demo = sub.add_parser("demo", help="สร้างหนังสือตัวอย่างจังหวัดเชียงราย (หนังสือประทับตรา บันทึกข้อความ หนังสือภายนอก)")
    demo.add_argument("--out", type=Path, default=Path("out"), help="โฟลเดอร์ผลลัพธ์ (ค่าเริ่มต้น ./out)")
    demo.add_argument("--jobs", type=whole_number, default=None, help="จำนวนโพรเซสที่ใช้ (ค่าเริ่มต้น จำนวนคอร์)")
    demo.add_argument("--wait", action="store_true",
                        help="ถ้ามีงานอื่นกำลังเขียนโฟลเดอร์ผลลัพธ์เดียวกัน ให้รอจนเสร็จ (ไม่ระบุ: หยุดทันที)")
    demo.add_argument("--signing-memo", action="store_true",
                      help="เพิ่มบันทึกเสนอลงนามของหนังสือเวียนตัวอย่าง")

    render = sub.add_parser("render", help="สร้างหนังสือทุกฉบับเป็น PDF และ DOCX")
    common(render)
    render.add_argument("--out", type=Path, default=Path("out"), help="โฟลเดอร์ผลลัพธ์ (ค่าเริ่มต้น ./out)")
    render.add_argument("--format", default="pdf,docx", help="pdf,docx (ค่าเริ่มต้น ทั้งสองแบบ)")
    render.add_argument("--only", default=None, help="เฉพาะรหัสผู้รับเหล่านี้ คั่นด้วยจุลภาค")
    render.add_argument("--jobs", type=whole_number, default=None, help="จำนวนโพรเซสที่ใช้ (ค่าเริ่มต้น จำนวนคอร์)")
    render.add_argument("--encrypt", action="store_true",
                        help="เพิ่มสำเนาสำหรับส่ง NAME.delivery.pdf เข้ารหัส AES-256 ด้วยรหัสเปิดไฟล์ (คอลัมน์ pdf_password) ของผู้รับแต่ละราย")
    render.add_argument("--print", dest="print_pdf", action="store_true",
                        help="รวมทุกฉบับเป็น print.pdf ไฟล์เดียวสำหรับสั่งพิมพ์")
    render.add_argument("--zip", dest="zip_set", action="store_true",
                        help="รวมทุกไฟล์ที่เขียน (หนังสือ ทะเบียน print.pdf) เป็น letters.zip ไฟล์เดียว")
    render.add_argument("--wait", action="store_true",
                        help="ถ้ามีงานอื่นกำลังเขียนโฟลเดอร์ผลลัพธ์เดียวกัน ให้รอจนเสร็จ (ไม่ระบุ: หยุดทันที)")
    signing_options(render)
    render.add_argument("--signing-memo", action="store_true",
                        help="เพิ่มบันทึกเสนอลงนาม (บันทึกข้อความถึงผู้ลงนาม บอกจำนวนหนังสือ ผู้รับ และเลขที่) "
                             "ไว้หน้าหนังสือชุดนี้ ผู้ลงนามบันทึกอยู่ใน [signing_memo] ของ spec")

    check = sub.add_parser("check", help="ตรวจ spec และรายชื่อผู้รับ ไม่เขียนไฟล์ใด")
    common(check)

    status = sub.add_parser("status", help="ความคืบหน้าตามอำเภอและประเภท จากคอลัมน์ดำเนินการแล้ว")
    common(status)
    status.add_argument("--out", type=Path, default=None,
                        help="โฟลเดอร์ที่จะเขียน status.xlsx และ status.pdf (ไม่ระบุ: แสดงผลอย่างเดียว)")
    status.add_argument("--date", default=None, help="ข้อมูล ณ วันที่ (ค่าเริ่มต้น วันนี้)")

    remind = sub.add_parser("remind", help="หนังสือติดตามถึงผู้ที่ยังไม่ดำเนินการเท่านั้น")
    common(remind, tracking=True)
    remind.add_argument("--out", type=Path, default=Path("out") / "reminders",
                        help="โฟลเดอร์ผลลัพธ์ (ค่าเริ่มต้น ./out/reminders)")
    remind.add_argument("--register", type=Path, default=None,
                        help="ทะเบียนหนังสือส่งของการส่งครั้งแรก (register.csv หรือ register.xlsx): "
                             "ใช้อ้างถึงเลขหนังสือเดิม และเพิ่มแถวหนังสือติดตามต่อท้าย; "
                             "ค่าเริ่มต้น out/register.csv ถ้ามี")
    remind.add_argument("--format", default="pdf,docx", help="pdf,docx (ค่าเริ่มต้น ทั้งสองแบบ)")
    remind.add_argument("--jobs", type=whole_number, default=None, help="จำนวนโพรเซสที่ใช้ (ค่าเริ่มต้น จำนวนคอร์)")
    remind.add_argument("--wait", action="store_true",
                        help="ถ้ามีงานอื่นกำลังเขียนโฟลเดอร์ผลลัพธ์เดียวกัน ให้รอจนเสร็จ (ไม่ระบุ: หยุดทันที)")

    for p in (render, remind, check):
        p.add_argument("--workspace", type=Path, default=None, metavar="DIR",
                       help="ใช้เลขที่หนังสือจากทะเบียนหนังสือส่งใน workspace นี้ และบันทึกการสร้างไว้ที่นั่น "
                            "(ค่าเริ่มต้น $LETTERGEN_WORKSPACE ถ้ากำหนดไว้); ไม่ระบุ --out: เขียนไว้ใน runs/ ของ workspace")
    for p in (render, remind):  # --out not given: ./out without a workspace, its runs/ with one
        p.set_defaults(out=None)
    register = sub.add_parser("register", help="ทะเบียนหนังสือส่ง (แบบที่ ๑๔) ของ workspace เป็น XLSX")
    register.add_argument("--workspace", type=Path, default=None, metavar="DIR",
                          help="โฟลเดอร์ workspace (ค่าเริ่มต้น $LETTERGEN_WORKSPACE หรือโฟลเดอร์ข้อมูลของผู้ใช้)")
    register.add_argument("--year", default=None, help="ปี พ.ศ. ของทะเบียน (ค่าเริ่มต้น ปีปัจจุบัน)")
    register.add_argument("--out", type=Path, default=None, help="ไฟล์ XLSX ที่จะเขียน")
    register.add_argument("--continue-from", type=whole_number, default=None, metavar="N",
                          help="ให้เลขทะเบียนส่งของปีนั้นต่อจากทะเบียนเดิม: หนังสือฉบับถัดไปได้เลข N")
    register.add_argument("--continue-circular-from", type=whole_number, default=None, metavar="N",
                          help="เช่นเดียวกัน สำหรับเลขหนังสือเวียน (ว)")
    register.add_argument("--continue-internal-from", type=whole_number, default=None, metavar="N",
                          help="เช่นเดียวกัน สำหรับเลขบันทึกข้อความ (หนังสือภายใน ซึ่งมีเลขชุดของตนเอง)")
    register.add_argument("--list", action="store_true", help="แสดงการสร้างหนังสือแต่ละครั้งของปีนั้น")
    register.add_argument("--cancel", type=whole_number, default=None, metavar="RUN",
                          help="ยกเลิกหนังสือของการสร้างครั้งที่ RUN (ไม่ได้ส่ง): เลขยังถูกใช้ไปแล้ว ไม่ออกซ้ำ")

    verify_parser(sub)
    send_parser(sub)

    preview = sub.add_parser("preview", help="ภาพ PNG ของหน้าหนึ่งของหนังสือฉบับหนึ่ง")
    common(preview)
    preview.add_argument("--recipient", default=None, help="รหัสผู้รับ (ค่าเริ่มต้น ฉบับแรก)")
    preview.add_argument("--page", type=whole_number, default=1, help="หน้าที่ (ค่าเริ่มต้น ๑)")
    preview.add_argument("--out", type=Path, default=Path("preview.png"))

    serve = sub.add_parser("serve", help="เปิดโปรแกรมแบบเว็บสำหรับเจ้าหน้าที่ (ใช้ผ่านเบราว์เซอร์)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="ที่อยู่ที่รอรับการเชื่อมต่อ (ค่าเริ่มต้น 127.0.0.1 เฉพาะเครื่องนี้)")
    serve.add_argument("--port", type=whole_number, default=8000, help="พอร์ต (ค่าเริ่มต้น 8000)")
    serve.add_argument("--workspace", type=Path, default=None,
                       help="โฟลเดอร์พื้นที่ทำงาน (ค่าเริ่มต้น ~/.local/share/lettergen)")
    serve.add_argument("--open", dest="open_browser", action="store_true", help="เปิดเบราว์เซอร์ให้ด้วย")
    serve.add_argument("--password-file", type=Path, default=None,
                       help="ไฟล์รหัสผ่านสำหรับเข้าสู่ระบบ (ต้องมีเมื่อ --host ไม่ใช่เครื่องนี้)")
    serve.add_argument("--jobs", type=whole_number, default=None, help="จำนวนโพรเซสต่องาน (ค่าเริ่มต้น จำนวนคอร์)")
    return parser


def _overrides(items: list[str]) -> dict[str, str]:
    from .errors import SpecError

    result = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SpecError(f"--set ต้องเป็นรูป KEY=VALUE ไม่ใช่ \"{item}\"")
        result[key.strip()] = value
    return result


def _load(args):
    from .sheets.recipients import load_recipients, report_encoding
    from .spec import load_spec
    from .errors import RecipientsError

    spec = load_spec(args.spec, _overrides(getattr(args, "overrides", [])))
    if spec.addressee is not None:
        return spec, _addressee_book(spec, args)
    path = getattr(args, "recipients", None) or spec.recipients.file
    if path is None:
        raise RecipientsError("ไม่ได้ระบุไฟล์รายชื่อผู้รับ: ใช้ --recipients หรือ [recipients] file ใน spec",
                              file=args.spec)
    use = {"status": "status", "remind": "reminders"}.get(args.command, "letters")
    book = load_recipients(path, spec, use=use)
    report_encoding(book)
    from .error_log import remember_secrets

    remember_secrets(book)  # an internal error's log never shows them
    for note in spec.notes:
        print(note, file=sys.stderr)
    return spec, book


def _addressee_book(spec, args):
    """The one row of a spec that names its addressee ([addressee]): no sheet to read, and
    nothing to follow up."""
    from .errors import RecipientsError, SpecError
    from .sheets.recipients import addressee_book

    if args.command in ("status", "remind"):
        raise SpecError(f"lettergen {args.command} ใช้กับรายชื่อผู้รับ แต่ spec นี้เป็นหนังสือฉบับเดียวถึง "
                        "[addressee]", file=args.spec, key="addressee")
    if getattr(args, "recipients", None) is not None:
        raise RecipientsError("spec นี้เป็นหนังสือฉบับเดียวถึง [addressee] จึงไม่ใช้ไฟล์รายชื่อผู้รับ: "
                              "ไม่ต้องระบุ --recipients", file=args.recipients)
    if getattr(args, "encrypt", False):
        raise SpecError("--encrypt ใช้รหัสเปิดไฟล์ของผู้รับแต่ละรายจากไฟล์รายชื่อ ซึ่งหนังสือฉบับเดียวถึง "
                        "[addressee] ไม่มี", file=args.spec, key="addressee")
    for note in spec.notes:
        print(note, file=sys.stderr)
    return addressee_book(spec)


def _formats(text: str) -> tuple[str, ...]:
    from .rendering import FORMATS
    from .errors import InputError

    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"--format รู้จักแค่ {', '.join(FORMATS)} ไม่ใช่ \"{text}\"")
    return formats


def cmd_render(args) -> int:
    from .batch import RunOptions, print_files, run
    from .files import check_output

    workspace = _workspace(args)
    if args.out is None and workspace is None:
        args.out = Path("out")
    if args.out is not None:
        check_output(args.out, folder=True)
    signer = signer_of(args)
    spec, book = _load(args)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs ต้องเป็นจำนวนเต็มบวก ไม่ใช่ {args.jobs}")
    formats = _formats(args.format)
    if args.encrypt:
        from .rendering import DELIVERY

        formats += (DELIVERY,)
    options = RunOptions(formats=formats, only=only, jobs=args.jobs, print_pdf=args.print_pdf,
                         zip_set=args.zip_set, wait=args.wait, signer=signer,
                         signing_memo=args.signing_memo)
    result = run(spec, book, args.out, options, workspace=workspace)
    prints = [name for name, _ in print_files(range(result.letters))] if args.print_pdf else []
    extras = ", ".join(["register.csv", "register.xlsx", *prints[:1], *(["…", prints[-1]] if len(prints) > 1 else [])])
    zipped = " รวมเป็น letters.zip แล้ว" if args.zip_set else ""
    pages = f" {result.pages} หน้า" if result.pages else ""  # pages are counted in the PDFs
    seconds = time.monotonic() - args.started  # the whole command: a stall anywhere shows
    memo = " รวมบันทึกเสนอลงนาม" if args.signing_memo else ""
    print(f"เขียนหนังสือ {result.letters} ฉบับ{memo}{pages} ใน {seconds:.1f} วินาที "
          f"ไว้ที่ {result.out_dir} (พร้อมทะเบียนหนังสือส่ง {extras}){zipped}")
    if signer is not None:
        print(f"ลงลายมือชื่ออิเล็กทรอนิกส์ ({signer.level}) ทุกไฟล์ PDF โดย {signer.certificate.name} "
              f"(ใบรับรองเลขที่ {signer.certificate.serial})")
    _say_numbers(result)
    return EXIT_OK


def _workspace(args):
    """The workspace of --workspace, else of $LETTERGEN_WORKSPACE, else None."""
    import os

    from .registers.workspace import ENV, Workspace

    if args.command == "demo":  # the demo never takes numbers from an office's register
        return None
    root = getattr(args, "workspace", None) or os.environ.get(ENV) or None
    return Workspace(root) if root else None


def _say_numbers(result) -> None:
    if result.register_run is not None:
        print(f"เลขที่หนังสือจากทะเบียนหนังสือส่งของ workspace (ไม่ใช้ number ใน spec): {result.numbers} "
              f"บันทึกเป็นการสร้างครั้งที่ {result.register_run}")


DEMO_SETS = (  # the bundled example's specs, and the folder under --out each is written into
    ("letter.toml", ""),  # the circulars (หนังสือประทับตรา): 18 district letters, 2 direct
    ("memo.toml", "memo"),  # a memo (บันทึกข้อความ) to the governor proposing them
    ("external.toml", "external"),  # an external letter (หนังสือภายนอก) to one person
)


def cmd_demo(args) -> int:
    """The bundled Chiang Rai example, a set per kind of letter: the circulars into --out
    (with their signing memo when asked), the memo and the external letter into folders of
    their own under it."""
    from .resources import EXAMPLES

    out, signing_memo = args.out, args.signing_memo
    for name, folder in DEMO_SETS:
        args.spec, args.out = EXAMPLES / "chiang-rai-2561" / name, out / folder if folder else out
        args.recipients, args.overrides, args.format, args.only = None, [], "pdf,docx", None
        args.print_pdf = args.encrypt = args.zip_set = False
        args.sign = args.sign_password_file = args.tsa = None
        args.signing_memo = signing_memo and name == "letter.toml"
        cmd_render(args)
        args.started = time.monotonic()  # each set's line gives its own time
    return EXIT_OK


def cmd_check(args) -> int:
    from .batch import check_letters
    from .compose import plan_letters
    from .districts import district_offices

    spec, book = _load(args)
    planning = plan_letters(spec, book)
    # as `render` checks them: chunk by chunk, keeping no letter, a large set on two cores
    entries = check_letters(planning).entries
    for note in book.notes:  # what reading the sheet decided: title, header row, ...
        print(note)
    made = district_offices(spec, book.rows)[1]
    if made:
        print(f"สร้างแถวของ {spec.routing.district_office} {made} แห่งจากอำเภอในรายชื่อ "
              "(ไฟล์ไม่มีแถวของสำนักงานอำเภอ)")
    print(f"ตรวจแล้ว: ผู้รับ {len(book.rows)} ราย, หนังสือ {len(entries)} ฉบับ ไม่พบข้อผิดพลาด")
    workspace = _workspace(args)
    if workspace is not None:
        from .registers.workspace import next_numbers_text

        print(next_numbers_text(workspace, planning))
    return EXIT_OK


def cmd_preview(args) -> int:
    from .compose import compose_all
    from .errors import InputError
    from .preview import pdf_page_png
    from .rendering import render_letters

    from .files import check_output, output_error, write_atomic

    check_output(args.out, folder=False)
    spec, book = _load(args)
    only = [args.recipient] if args.recipient else None
    letters = compose_all(spec, book, only)[:1]
    pdf = render_letters(letters, ("pdf",))[0].files["pdf"]
    try:
        png = pdf_page_png(pdf, args.page)
    except IndexError as exc:
        raise InputError(str(exc)) from None
    try:
        write_atomic(args.out, png, mode=0o644)
    except OSError as exc:
        raise output_error(exc, args.out, folder=False) from None
    print(f"ภาพหน้า {args.page} ของหนังสือถึง {letters[0].recipient_name}: {args.out}")
    return EXIT_OK


def _date(text: str | None):
    import datetime as dt

    from .thai import DateError, parse_thai_date

    if text is None:
        return dt.date.today()
    try:
        return parse_thai_date(text)
    except DateError as exc:
        raise InputError(f"--date: {exc}") from None


def cmd_status(args) -> int:
    from .files import check_output, make_folder, output_error, write_atomic
    from .status import book_as_of, status, status_pdf, status_xlsx, table_text

    if args.out is not None:
        check_output(args.out, folder=True)
    spec, book = _load(args)
    day = _date(args.date)
    report = status(spec, book_as_of(book, day), day)  # done as of that day
    if args.out is not None:  # both files made before either is written
        files = {"status.xlsx": status_xlsx(report), "status.pdf": status_pdf(report)}
        make_folder(args.out, mode=0o755)
        try:
            for name, data in files.items():
                write_atomic(args.out / name, data, mode=0o644)
        except OSError as exc:
            raise output_error(exc, args.out) from None
    sys.stdout.write(table_text(report))
    if args.out is not None:
        print(f"เขียน status.xlsx และ status.pdf ไว้ที่ {args.out}")
    return EXIT_OK


def cmd_remind(args) -> int:
    import datetime as dt

    from .remind import remind

    from .files import check_output

    workspace = _workspace(args)
    if args.out is None and workspace is None:
        args.out = Path("out") / "reminders"
    if args.out is not None:
        check_output(args.out, folder=True)
    spec, book = _load(args)
    if args.register is None:  # the default: the first run's register when it is there
        args.register = Path("out") / "register.csv"
    elif not args.register.exists():  # one named and missing: never cite the spec instead
        raise InputError("ไม่พบทะเบียนหนังสือส่งที่ระบุ (--register): ระบุไฟล์ register.csv หรือ "
                         "register.xlsx ของการส่งครั้งแรก หรือไม่ต้องระบุ --register เพื่อใช้เลขที่จาก "
                         "[reminder] ใน spec", file=args.register)
    result = remind(spec, book, args.out, register=args.register, today=dt.date.today(),
                    formats=_formats(args.format), jobs=args.jobs, wait=args.wait, workspace=workspace)
    if result is None:
        print("ทุกหน่วยงานดำเนินการแล้ว ไม่มีหนังสือติดตามที่ต้องส่ง")
        return EXIT_OK
    pair = [path for path in (args.register.with_suffix(".csv"), args.register.with_suffix(".xlsx"))
            if path.is_file()]
    extra = f" และเพิ่มแถวในทะเบียน {' และ '.join(map(str, pair))}" if pair and not workspace else ""
    pages = f" {result.pages} หน้า" if result.pages else ""  # pages are counted in the PDFs
    print(f"เขียนหนังสือติดตาม {result.letters} ฉบับ{pages} ไว้ที่ {result.out_dir}{extra}")
    _say_numbers(result)
    return EXIT_OK


def cmd_register(args) -> int:
    import datetime as dt

    from .kinds import SERIES_NAMES, number_prefix
    from .registers.record import CIRCULAR, INTERNAL, ORDINARY, be_year
    from .thai import arabic_digit_to_thai_digit, thai_digit_to_arabic_digit
    from .registers.workspace import Workspace

    text = thai_digit_to_arabic_digit(str(args.year or be_year(dt.date.today()))).strip()
    if not text.isdigit() or not 2400 <= int(text) <= 2800:
        raise InputError(f"--year ต้องเป็นปี พ.ศ. เช่น 2569 ไม่ใช่ \"{args.year}\"")
    year = int(text)
    if args.out is not None:
        from .files import check_output

        check_output(args.out, folder=False)
    workspace = Workspace(args.workspace)
    office = workspace.register()
    for series, start in ((ORDINARY, args.continue_from), (CIRCULAR, args.continue_circular_from),
                          (INTERNAL, args.continue_internal_from)):
        if start is not None:
            try:
                office.continue_from(year, series, start)
            except ValueError as exc:
                raise InputError(f"--continue-from: {exc}") from None
            print(f"เลขทะเบียนส่งปี พ.ศ. {arabic_digit_to_thai_digit(str(year))} "
                  f"{SERIES_NAMES[series]}ฉบับถัดไปจะได้เลข "
                  f"{arabic_digit_to_thai_digit(number_prefix(series) + str(start))}")
    if args.cancel is not None:
        try:
            office.cancel(args.cancel)
        except ValueError as exc:
            raise InputError(f"--cancel: {exc}") from None
        print(f"ยกเลิกหนังสือของการสร้างครั้งที่ {args.cancel} แล้ว (เลขของหนังสือเหล่านั้นจะไม่ออกซ้ำ)")
    if args.list:
        from .registers.form14 import KIND_TEXT, status_text
        from .registers.workspace import numbers_text

        entries = office.entries(year)
        for run in office.runs():
            taken: dict[str, list[int]] = {}
            for e in entries:
                if e.run_id == run.id and e.register_number not in taken.setdefault(e.series, []):
                    taken[e.series].append(e.register_number)
            if taken:
                code = next(e.number for e in entries if e.run_id == run.id).rsplit("/", 1)[0]
                print(f"ครั้งที่ {run.id}  {run.started:%Y-%m-%d %H:%M} UTC  "
                      f"{KIND_TEXT.get(run.kind, run.kind)} {run.letters} ฉบับ  "
                      f"{status_text(run.status, run.note, run.finished)}  "
                      f"{numbers_text(code, taken)}  {run.out_dir}")
    if args.out is not None:
        from .files import make_folder, output_error, write_atomic
        from .registers.form14 import register_xlsx_of

        data = register_xlsx_of(office, year)
        make_folder(args.out.parent, mode=0o755)
        try:
            write_atomic(args.out, data)
        except OSError as exc:
            raise output_error(exc, args.out, folder=False) from None
        rows = len(office.entries(year))
        print(f"เขียนทะเบียนหนังสือส่ง ปี พ.ศ. {arabic_digit_to_thai_digit(str(year))} "
              f"({arabic_digit_to_thai_digit(str(rows))} รายการ) ไว้ที่ {args.out}")
    elif (args.continue_from, args.continue_circular_from, args.continue_internal_from, args.cancel,
          args.list) == (None, None, None, None, False):
        raise InputError("lettergen register: ระบุ --out FILE.xlsx เพื่อเขียนทะเบียน, --list, "
                         "--cancel RUN หรือ --continue-from N")
    return EXIT_OK


def cmd_serve(args) -> int:
    from .web.serve import serve

    return serve(args.host, args.port, args.workspace, args.open_browser, args.password_file,
                 jobs=args.jobs)


COMMANDS = {"demo": cmd_demo, "render": cmd_render, "check": cmd_check, "status": cmd_status,
            "remind": cmd_remind, "preview": cmd_preview, "register": cmd_register,
            "serve": cmd_serve, "verify": cmd_verify,
            "send": lambda args: cmd_send(args, _workspace)}


def main(argv: list[str] | None = None, *, started: float | None = None) -> int:
    """Run one command. ``started``: when the command started (``time.monotonic()``), for
    the time its summary line reports; by default, now."""
    started = time.monotonic() if started is None else started
    argv = sys.argv[1:] if argv is None else argv
    with thai_argparse():  # its usage, its help's headings and its messages in Thai
        args = _parser().parse_args(argv)
    args.started = started
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"ข้อผิดพลาด: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head or less, which quit early
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # an internal error: one line, the details in a log file
        print(_internal_error_line(exc, args, [str(a) for a in argv]), file=sys.stderr)
        return EXIT_INTERNAL


def _internal_error_line(exc: Exception, args, argv: list[str]) -> str:
    from .error_log import write_error_log

    log = write_error_log(exc, argv)
    where = f"รายละเอียดอยู่ในไฟล์ {log}" if log else "และเขียนไฟล์บันทึกรายละเอียดไม่ได้"
    kept = ""
    if args.command in ("render", "demo", "remind"):
        kept = ("ไฟล์ในโฟลเดอร์ผลลัพธ์ยังเหมือนเดิม งานที่ทำไปแล้วเก็บไว้ใน .incomplete/ "
                "สั่งคำสั่งเดิมอีกครั้งเพื่อทำต่อ; ")
    return f"ข้อผิดพลาดภายในของ lettergen ({type(exc).__name__}): {kept}{where}"


def command() -> int:
    """The ``lettergen`` command: ``main()``, after which the process ends. What the run
    left in memory (the layout engine, its caches) goes with the process: frozen, so the
    interpreter's last garbage collection does not walk it, which took 0.2 s after a run
    of 144 letters. (``main()`` itself, called from Python, leaves the collector alone.)
    The times it reports count from the moment lettergen was loaded (its imports
    included: all but the interpreter's own start-up), not from when the run began. (The
    process's start time in /proc is not the command's: a shell that execs the command
    starts the process earlier, for something else.)"""
    from . import LOADED

    code = main(started=LOADED)
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(command())
