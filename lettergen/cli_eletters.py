"""The command line of electronic letters: ``render --sign``'s options, ``lettergen verify``
and ``lettergen send``. Argument parsing and printing only, as in cli.py, which calls these;
the work is in lettergen/signing/ and lettergen/mail/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .cli_words import whole_number
from .errors import InputError

EXIT_OK, EXIT_INPUT = 0, 2


def signing_options(render) -> None:
    render.add_argument("--sign", type=Path, default=None, metavar="OFFICE.p12",
                        help="ลงลายมือชื่ออิเล็กทรอนิกส์ (PAdES) ทุกไฟล์ PDF ด้วยใบรับรองของหน่วยงาน (.p12/.pfx)")
    render.add_argument("--sign-password-file", type=Path, default=None, metavar="FILE",
                        help="ไฟล์รหัสผ่านของใบรับรอง (ไม่ระบุ: ใช้ $LETTERGEN_SIGN_PASSWORD หรือถามที่เทอร์มินัล)")
    render.add_argument("--tsa", default=None, metavar="URL",
                        help="ประทับเวลาจากผู้ให้บริการประทับเวลา (RFC 3161) ที่อยู่นี้: PAdES B-T")


def signer_of(args):
    """The signer of ``render --sign`` (its passphrase read and the key opened before any
    output), or None."""
    if args.sign is None:
        if args.sign_password_file is not None or args.tsa is not None:
            raise InputError("--sign-password-file และ --tsa ใช้คู่กับ --sign OFFICE.p12 เท่านั้น")
        return None
    from .signing import load_signer, read_passphrase

    return load_signer(args.sign, read_passphrase(args.sign_password_file), tsa=args.tsa)


def verify_parser(sub) -> None:
    verify = sub.add_parser("verify", help="ตรวจลายมือชื่ออิเล็กทรอนิกส์ของไฟล์ PDF หรือของทุกฉบับในโฟลเดอร์")
    verify.add_argument("paths", type=Path, nargs="+", metavar="FILE.pdf|DIR",
                        help="ไฟล์ PDF หรือโฟลเดอร์ผลลัพธ์")
    verify.add_argument("--trust", type=Path, action="append", default=[], metavar="CA.pem",
                        help="ใบรับรองของผู้ออกใบรับรองที่เชื่อถือ (ระบุได้หลายครั้ง)")


def cmd_verify(args) -> int:
    """One Thai line per file; exit 0 when every file verifies, 2 otherwise."""
    from .signing import verify_paths

    verdicts = verify_paths(args.paths, args.trust)
    for verdict in verdicts:
        print(verdict.line())
    failed = [v for v in verdicts if not v.ok]
    if failed:
        print(f"ไม่ผ่าน {len(failed)} จาก {len(verdicts)} ไฟล์", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def send_parser(sub) -> None:
    send = sub.add_parser("send", help="ส่งหนังสือของชุดที่สร้างเสร็จแล้วทางอีเมล ผู้รับแต่ละรายได้ฉบับของตน")
    send.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="โฟลเดอร์ผลลัพธ์ของชุดหนังสือ")
    send.add_argument("--smtp", default=None, metavar="HOST:PORT", help="เซิร์ฟเวอร์อีเมลของสำนักงาน")
    send.add_argument("--starttls", action="store_true", help="เข้ารหัสการเชื่อมต่อด้วย STARTTLS")
    send.add_argument("--user", default=None, help="ชื่อผู้ใช้ของเซิร์ฟเวอร์อีเมล")
    send.add_argument("--password-file", type=Path, default=None, metavar="F",
                      help="ไฟล์รหัสผ่านของเซิร์ฟเวอร์อีเมล (หรือตัวแปร LETTERGEN_SMTP_PASSWORD)")
    send.add_argument("--from", dest="sender", required=True, metavar="ADDR", help="ที่อยู่อีเมลผู้ส่ง")
    send.add_argument("--per-minute", type=whole_number, default=30, help="ส่งไม่เกินกี่ฉบับต่อนาที (ค่าเริ่มต้น 30)")
    send.add_argument("--dry-run", type=Path, default=None, metavar="DIR",
                      help="ไม่ส่งจริง เขียนอีเมลแต่ละฉบับเป็นไฟล์ .eml ไว้ในโฟลเดอร์นี้")
    send.add_argument("--with-docx", action="store_true",
                      help="แนบไฟล์ DOCX ด้วย (ไม่แนบกับหนังสือที่มีรหัสผ่าน)")
    send.add_argument("--pdf-password", choices=("shared", "printed"), default=None,
                      help="รหัสเปิดไฟล์เข้ารหัสไปถึงผู้รับทางใด: shared รหัสที่แต่ละหน่วยงานตกลงไว้แล้ว, "
                           "printed แจ้งเป็นหนังสือแยกต่างหาก (ต้องระบุเมื่อชุดมีหนังสือที่มีรหัสผ่าน)")
    send.add_argument("--resend", default=None, metavar="ID,...",
                      help="ส่งซ้ำหนังสือของรหัสผู้รับเหล่านี้ที่การส่งครั้งก่อนไม่ทราบผล")
    send.add_argument("--workspace", type=Path, default=None, metavar="DIR",
                      help="บันทึกการส่งในทะเบียนของ workspace นี้ (ค่าเริ่มต้น $LETTERGEN_WORKSPACE; "
                           "ไม่มี: บันทึกใน deliveries.sqlite3 ในโฟลเดอร์ของชุด)")


def _smtp_settings(args):
    from .error_log import remember_secret
    from .mail.addresses import AddressError, check_addresses
    from .mail.send import SmtpSettings

    try:
        (args.sender,) = check_addresses(args.sender)
    except (AddressError, ValueError) as exc:
        raise InputError(f"--from: {exc if isinstance(exc, AddressError) else 'ระบุที่อยู่เดียว'}") from None
    if args.per_minute < 1:
        raise InputError(f"--per-minute ต้องเป็นจำนวนเต็มบวก ไม่ใช่ {args.per_minute}")
    if args.smtp is None:
        if args.dry_run is None:
            raise InputError("ระบุ --smtp HOST:PORT ของเซิร์ฟเวอร์อีเมล (หรือ --dry-run DIR เพื่อทดลอง)")
        return None
    host, _, port = args.smtp.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--smtp ต้องเป็นรูป HOST:PORT เช่น mail.chiangrai.go.th:587 ไม่ใช่ \"{args.smtp}\"")
    password = None
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            raise InputError("อ่านไฟล์รหัสผ่านของเซิร์ฟเวอร์อีเมลไม่ได้", file=args.password_file) from None
        password = lines[0] if lines else ""
    elif args.user:
        password = os.environ.get("LETTERGEN_SMTP_PASSWORD")
        if password is None:
            raise InputError("--user ต้องมีรหัสผ่าน: ระบุ --password-file F หรือตัวแปร LETTERGEN_SMTP_PASSWORD")
    if password:
        remember_secret(password)
    return SmtpSettings(host.strip("[]"), int(port), args.starttls, args.user, password)


def cmd_send(args, workspace_of) -> int:
    """Send a finished set by e-mail; one line per letter not sent; exit 2 naming them."""
    from .files import write_atomic
    from .mail.journal import OWN_DB, STATUS_TEXT, Journal
    from .mail.send import DRY_RUN, NO_ADDRESS, SENT, SKIPPED, deliveries_csv, send_run, statuses

    smtp = _smtp_settings(args)
    workspace = workspace_of(args)
    folder = args.out_dir
    if not folder.is_dir():
        raise InputError("ไม่พบโฟลเดอร์ของชุดหนังสือนี้", file=folder)
    from .mail.mailing import read_mailing
    from .mail.send import check_set

    check_set(read_mailing(folder), args.pdf_password, args.with_docx)  # before any record
    journal = None
    if args.dry_run is None:
        journal = Journal(workspace.db_path if workspace is not None else folder / OWN_DB)
        if workspace is not None:
            workspace.register()  # the register of record's own tables are there too
    resend = [s.strip() for s in args.resend.split(",")] if args.resend else []
    report = send_run(folder, sender=args.sender, smtp=smtp, journal=journal,
                      channel=args.pdf_password, with_docx=args.with_docx,
                      per_minute=args.per_minute, dry_run=args.dry_run, resend=resend)
    if args.dry_run is not None:
        print(f"เขียนอีเมล {report.count(DRY_RUN)} ฉบับเป็นไฟล์ .eml ไว้ที่ {args.dry_run} (ยังไม่ได้ส่ง)")
    else:
        write_atomic(folder / "deliveries.csv", deliveries_csv(statuses(folder, journal)))
        print(f"ส่งอีเมลแล้ว {report.count(SENT, now=True)} ฉบับ"
              + (f" (ส่งไว้ก่อนหน้านี้แล้ว {report.count(SENT, now=False)} ฉบับ)" if report.count(SENT, now=False) else "")
              + f"; บันทึกการส่งไว้ใน {folder / 'deliveries.csv'}")
    words = {**STATUS_TEXT, NO_ADDRESS: "ไม่มีที่อยู่อีเมล", SKIPPED: "ยังไม่ได้ส่ง"}
    for o in report.problems:
        print(f"{words.get(o.status, o.status)}: {o.recipient_id} {o.name} {o.to} "
              f"Message-ID {o.message_id}{' — ' + o.detail if o.detail else ''}", file=sys.stderr)
    if report.problems:
        uncertain = [o.recipient_id for o in report.problems if o.status == "uncertain"]
        hint = (f"; ฉบับที่ไม่ทราบผล: ตรวจกับผู้ดูแลเซิร์ฟเวอร์อีเมลด้วย Message-ID แล้วสั่ง --resend "
                f"{','.join(uncertain)} ถ้ายังไม่ถึง") if uncertain else ""
        print(f"ข้อผิดพลาด: ยังส่งไม่ได้ {len(report.problems)} ฉบับ{hint}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK
