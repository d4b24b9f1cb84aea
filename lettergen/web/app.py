"""The web app: routes and pages (Starlette, Jinja2). Each handler reads the session, calls
the engine through ``work`` / ``jobs`` and renders a Thai page, or answers the page's
scripts with JSON. Heavy work (a preview's layout) runs in a thread off the event loop;
whole sets are made by job processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, RedirectResponse,
                                 Response)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import InputError
from ..resources import FONTS
from ..spec import LETTER_KINDS, URGENCIES
from ..thai import thai_number
from . import security, sheets, specform, work
from .jobs import DOWNLOADS, Jobs
from .state import Session, Sessions, load_raw, saved_letters, saved_name, saved_sheets

HERE = Path(__file__).resolve().parent
PAGES = (("/letter", "หนังสือ"), ("/recipients", "รายชื่อผู้รับ"), ("/preview", "ตัวอย่าง"),
         ("/produce", "สร้างหนังสือ"), ("/followup", "ติดตามผล"))
URGENCY_LABELS = {"": "ปกติ (ไม่มีชั้นความเร็ว)"}


@dataclass
class Config:
    workspace: object
    password: str | None = None
    jobs: int | None = None
    warm: bool = True


def create_app(config: Config) -> Starlette:
    sessions = Sessions(config.workspace)
    jobs = Jobs(config.workspace, config.jobs)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["thai_seconds"] = _seconds_text
    env.filters["thai_number"] = thai_number
    env.filters["when"] = _when
    env.filters["thai_day"] = _thai_day

    # --- sessions, login, CSRF ---------------------------------------------------------------

    def session_of(request: Request) -> tuple[Session, bool]:
        session = sessions.get(request.cookies.get(security.COOKIE))
        if session is None:
            session = sessions.new()
            session.logged_in = config.password is None
            return session, True
        return session, False

    def with_cookie(response: Response, session: Session) -> Response:
        response.set_cookie(security.COOKIE, session.id, max_age=security.SESSION_SECONDS,
                            httponly=True, samesite="strict", path="/")
        return response

    async def csrf_ok(request: Request, session: Session) -> bool:
        token = request.headers.get("x-csrf-token")
        if token is None and request.headers.get("content-type", "").startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_part_size=security.UPLOAD_LIMIT)
            request.state.form = form
            token = form.get("csrf")
        return isinstance(token, str) and security.same(token, session.csrf)

    def page(handler):
        """Every route but the login and the static files: a session (logged in when there
        is a password), and the CSRF token checked on each POST."""
        async def wrapped(request: Request):
            session, fresh = session_of(request)
            if not session.logged_in:
                if request.method == "GET" and "application/json" not in request.headers.get("accept", ""):
                    return with_cookie(RedirectResponse("/login", 303), session)
                return with_cookie(JSONResponse({"error": "ต้องเข้าสู่ระบบก่อน"}, 401), session)
            if request.method == "POST" and (fresh or not await csrf_ok(request, session)):
                return with_cookie(_refusal(request, security.BAD_CSRF, 403), session)
            request.state.session = session
            response = await handler(request, session)
            return with_cookie(response, session) if fresh else response
        return wrapped

    def render(request: Request, name: str, session: Session, status: int = 200, **values) -> HTMLResponse:
        html = env.get_template(name).render(
            pages=PAGES, path=request.url.path, csrf=session.csrf, login=config.password is not None,
            letter_name=session.letter_name, sheet_name=session.sheet.name if session.sheet else "",
            **values)
        return HTMLResponse(html, status)

    async def login_page(request: Request):
        session, _ = session_of(request)
        if session.logged_in:
            return with_cookie(RedirectResponse("/letter", 303), session)
        error = None
        if request.method == "POST":
            form = await request.form()
            if not security.same(str(form.get("csrf", "")), session.csrf):
                error = security.BAD_CSRF
            else:
                client = request.client.host if request.client else "-"
                wait = sessions.attempts.wait(client)
                if wait:
                    await asyncio.sleep(min(wait, 5.0))
                if security.same(str(form.get("password", "")), config.password or ""):
                    sessions.attempts.passed(client)
                    sessions.drop(session)
                    fresh = sessions.new()  # a new id after the login
                    fresh.logged_in = True
                    return with_cookie(RedirectResponse("/letter", 303), fresh)
                sessions.attempts.failed(client)
                error = "รหัสผ่านไม่ถูกต้อง"
        html = env.get_template("login.html.j2").render(csrf=session.csrf, error=error, pages=(), path="/login")
        return with_cookie(HTMLResponse(html), session)  # the form again, with its message

    @page
    async def logout(request: Request, session: Session):
        sessions.drop(session)
        response = RedirectResponse("/login" if config.password else "/letter", 303)
        response.delete_cookie(security.COOKIE, path="/")
        return response

    # --- หนังสือ: the letter ------------------------------------------------------------------

    def ensure_letter(session: Session) -> None:
        if session.raw is None:
            work.load_example(session)

    @page
    async def letter_page(request: Request, session: Session):
        ensure_letter(session)
        message = request.query_params.get("m")
        error = None
        try:
            work.spec_of(session)
        except InputError as exc:
            error = _error_json(work.shown_name(exc, session))
        from ..qr import svg

        values = specform.form_values(session.raw)
        qr = {}
        for name, url in values["links"]:
            try:
                qr[name] = svg(url)
            except Exception:  # an unusable link: the form's check says why
                qr[name] = ""
        return render(request, "letter.html.j2", session, v=values, kinds=LETTER_KINDS,
                      urgencies=URGENCIES, urgency_labels=URGENCY_LABELS, qr=qr,
                      sender_fields=specform.SENDER_FIELDS, variant_names=specform.VARIANT_NAMES,
                      placeholders=specform.PLACEHOLDERS, saved=saved_letters(config.workspace),
                      error=error, message=MESSAGES.get(message, ""))

    @page
    async def letter_update(request: Request, session: Session):
        ensure_letter(session)
        try:
            form = await request.json()
            if not isinstance(form, dict):
                raise ValueError
        except ValueError:
            return JSONResponse({"error": {"message": "ข้อมูลฟอร์มไม่ถูกต้อง", "text": "ข้อมูลฟอร์มไม่ถูกต้อง"}}, 400)
        raw = specform.apply_form(session.raw, form)
        session.set_raw(raw)
        try:
            await run_in_threadpool(work.check, session)
        except InputError as exc:
            return JSONResponse({"error": _error_json(work.shown_name(exc, session))})
        # The letter page's preview (the first letter) redrawn in the same request, its page 1
        # drawn too: the page shows it without asking again (one round trip, not three).
        try:
            version, pages, rid = await run_in_threadpool(_drawn_preview, session)
        except InputError:
            return JSONResponse({"ok": True})
        return JSONResponse({"ok": True, "preview": {"version": version, "pages": pages, "rid": rid}})

    @page
    async def letter_qr(request: Request, session: Session):
        from ..qr import svg

        url = request.query_params.get("url", "")
        if not url.startswith(("https://", "http://")) or len(url) > 2000:
            return Response("", 404)
        return Response(svg(url), media_type="image/svg+xml")

    @page
    async def letter_example(request: Request, session: Session):
        work.load_example(session)
        return RedirectResponse("/letter?m=example", 303)

    @page
    async def letter_open(request: Request, session: Session):
        form = await _form(request)
        name = str(form.get("name", ""))
        if name not in saved_letters(config.workspace):
            return RedirectResponse("/letter?m=missing", 303)
        session.set_raw(load_raw(config.workspace.letters_dir / f"{name}.toml"))
        session.letter_name = name
        return RedirectResponse("/letter?m=opened", 303)

    @page
    async def letter_save(request: Request, session: Session):
        ensure_letter(session)
        form = await _form(request)
        name = saved_name(str(form.get("name", "")))
        if name is None:
            return RedirectResponse("/letter?m=badname", 303)
        try:
            work.spec_of(session)
        except InputError:
            return RedirectResponse("/letter?m=invalid", 303)
        config.workspace.save_letter(f"{name}.toml", session.spec_path().read_bytes())
        session.letter_name = name
        return RedirectResponse("/letter?m=saved", 303)

    @page
    async def letter_download(request: Request, session: Session):
        ensure_letter(session)
        return Response(session.spec_path().read_bytes(), media_type="application/toml",
                        headers=_attachment("letter.toml"))

    @page
    async def letter_upload(request: Request, session: Session):
        form = await _form(request)
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return RedirectResponse("/letter?m=nofile", 303)
        data = await upload.read()
        try:
            text = sheets.check_toml(upload.filename or "", data)
            import tomllib

            raw = tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            return render(request, "letter_error.html.j2", session, 400, error=str(exc))
        session.set_raw(raw)
        session.letter_name = Path(upload.filename or "letter.toml").stem
        return RedirectResponse("/letter?m=uploaded", 303)

    # --- รายชื่อผู้รับ: recipients --------------------------------------------------------------

    @page
    async def recipients_page(request: Request, session: Session):
        ensure_letter(session)
        rows, error, plan, hidden, header_row = [], None, None, set(), 0
        spec_error = None
        if session.sheet is not None:
            try:
                spec = await run_in_threadpool(work.spec_of, session)
            except InputError:  # said on the letter page; the sheet is shown as for no spec
                spec = None
            rows = await run_in_threadpool(sheets.cells, session.sheet.path, spec=spec)
            hidden, header_row = sheets.masked_columns(rows, spec.recipients.columns if spec else {})
            try:
                plan = await run_in_threadpool(work.summary, session)
            except InputError as exc:
                exc = work.shown_name(exc, session)
                if exc.file == "หนังสือ (spec)":
                    spec_error = str(exc)
                else:
                    error = exc
        marks = {}  # (row, column index) -> message: every bad row the reader found
        for problem in ([error, *getattr(error, "others", ())] if error is not None else []):
            marks.setdefault(sheets.error_cell(rows, problem), problem.message)
        mark_row, mark_column = sheets.error_cell(rows, error)
        return render(request, "recipients.html.j2", session, rows=rows, error=error,
                      error_text=str(error) if error else "", mark_row=mark_row, marks=marks,
                      others=len(marks) - 1 if marks else 0, header_row=header_row,
                      bad_rows={row for row, _ in marks} | {mark_row},
                      mark_column=mark_column, plan=plan, hidden=hidden, spec_error=spec_error,
                      saved=saved_sheets(config.workspace), upload_error=request.query_params.get("e"),
                      message=MESSAGES.get(request.query_params.get("m"), ""))

    async def _read_upload(request: Request):
        form = await _form(request)
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            raise ValueError("ยังไม่ได้เลือกไฟล์")
        data = await upload.read()
        suffix = sheets.check_sheet(upload.filename or "", data)
        return upload.filename, data, suffix

    @page
    async def recipients_upload(request: Request, session: Session):
        try:
            name, data, suffix = await _read_upload(request)
        except ValueError as exc:
            return _back(request, "/recipients", str(exc))
        session.sheet = session.add_upload(Path(name).name, data, suffix)
        return _back(request, "/recipients")

    @page
    async def recipients_save(request: Request, session: Session):
        form = await _form(request)
        name = saved_name(str(form.get("name", "")) or (session.sheet.name if session.sheet else ""))
        if session.sheet is None or name is None:
            return RedirectResponse("/recipients?m=badname", 303)
        if not name.lower().endswith(session.sheet.path.suffix):
            name += session.sheet.path.suffix
        config.workspace.save_sheet(name, session.sheet.path.read_bytes())
        return RedirectResponse("/recipients?m=saved", 303)

    @page
    async def recipients_open(request: Request, session: Session):
        name = str((await _form(request)).get("name", ""))
        if name not in saved_sheets(config.workspace):
            return RedirectResponse("/recipients?m=missing", 303)
        data = (config.workspace.sheets_dir / name).read_bytes()
        session.sheet = session.add_upload(name, data, Path(name).suffix.lower())
        return RedirectResponse("/recipients?m=opened", 303)

    # --- ตัวอย่าง: preview ----------------------------------------------------------------------

    @page
    async def preview_page(request: Request, session: Session):
        ensure_letter(session)
        plan, error, numbers = None, None, ""
        try:
            plan = await run_in_threadpool(work.summary, session)
            numbers = await run_in_threadpool(work.numbers_now, session, config.workspace)
        except InputError as exc:
            error = str(work.shown_name(exc, session))
        return render(request, "preview.html.j2", session, plan=plan, error=error,
                      rid=request.query_params.get("rid", ""), numbers=numbers)

    @page
    async def preview_api(request: Request, session: Session):
        ensure_letter(session)
        rid = request.query_params.get("rid") or None
        try:
            version, pages, rid = await run_in_threadpool(_locked_preview, session, rid)
        except InputError as exc:
            return JSONResponse({"error": _error_json(work.shown_name(exc, session))})
        return JSONResponse({"version": version, "pages": pages, "rid": rid})

    @page
    async def preview_png(request: Request, session: Session):
        png = await run_in_threadpool(work.page_png, session, request.path_params["version"],
                                      int(request.path_params["page"]))
        if png is None:
            return Response("", 404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @page
    async def preview_file(request: Request, session: Session):
        fmt = request.path_params["fmt"]
        if fmt not in ("pdf", "docx"):
            return Response("", 404)
        found = await run_in_threadpool(work.letter_file, session, request.path_params["version"], fmt)
        if found is None:
            return Response("", 404)
        data, name = found
        media = "application/pdf" if fmt == "pdf" else \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return Response(data, media_type=media, headers=_attachment(name))

    # --- สร้างหนังสือ: produce ------------------------------------------------------------------

    @page
    async def produce_page(request: Request, session: Session):
        ensure_letter(session)
        plan, error, numbers = None, None, ""
        try:
            plan = await run_in_threadpool(work.summary, session)
            numbers = await run_in_threadpool(work.numbers_now, session, config.workspace)
        except InputError as exc:
            error = str(work.shown_name(exc, session))
        current = request.query_params.get("job")
        listing = jobs.listing("letters")
        if current is None and listing:  # the latest job, running or done: the clerk is back
            current = listing[0]["id"]
        years = await run_in_threadpool(config.workspace.register().years)
        return render(request, "produce.html.j2", session, plan=plan, error=error, listing=listing,
                      current=current, downloads=DOWNLOADS, years=years, numbers=numbers)

    @page
    async def produce_start(request: Request, session: Session):
        ensure_letter(session)
        try:
            await run_in_threadpool(work.summary, session)  # the same checks, before any job
        except InputError as exc:
            return _back(request, "/produce", str(work.shown_name(exc, session)))
        job_id = jobs.start("letters", session.spec_path(), session.sheet.path,
                            letter_name=session.letter_name, sheet_name=session.sheet.name)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"job": job_id})
        return RedirectResponse(f"/produce?job={quote(job_id)}", 303)

    @page
    async def job_api(request: Request, session: Session):
        info = jobs.info(request.path_params["job"])
        if info is None:
            return JSONResponse({"error": "ไม่พบงานนี้"}, 404)
        keys = ("id", "kind", "state", "state_text", "done", "total", "rate", "left", "phase",
                "error", "letters", "pages", "seconds", "files")
        return JSONResponse({k: info.get(k) for k in keys})

    @page
    async def job_cancel(request: Request, session: Session):
        job_id = request.path_params["job"]
        await run_in_threadpool(jobs.cancel, job_id)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"ok": True})
        return RedirectResponse(f"/produce?job={quote(job_id)}", 303)

    @page
    async def job_file(request: Request, session: Session):
        what = request.path_params["what"]
        path = jobs.file(request.path_params["job"], what) if what in DOWNLOADS else None
        if path is None:
            return Response("ไม่พบไฟล์", 404, media_type="text/plain; charset=utf-8")
        return FileResponse(path, media_type=DOWNLOADS[what][0], headers=_attachment(path.name))

    @page
    async def register_file(request: Request, session: Session):
        from ..register_form import register_xlsx_of

        register = config.workspace.register()
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            year = None
        if year not in register.years():
            return Response("ไม่พบทะเบียนของปีนี้", 404, media_type="text/plain; charset=utf-8")
        data = await run_in_threadpool(register_xlsx_of, register, year)
        return Response(data, media_type=DOWNLOADS["register"][0],
                        headers=_attachment(f"ทะเบียนหนังสือส่ง-{year}.xlsx"))

    # --- ติดตามผล: follow-up --------------------------------------------------------------------

    def followup_date(request: Request) -> dt.date:
        """The day the figures are counted on: the page's date field (read as the letter's
        dates are), today when there is none. A date that cannot be read is an InputError
        (the page says so; it is never replaced by today)."""
        from ..thai import DateError, parse_thai_date

        text = request.query_params.get("date", "")
        try:
            return parse_thai_date(text) if text.strip() else dt.date.today()
        except DateError as exc:
            raise InputError(f"ข้อมูล ณ วันที่: {exc}") from None

    @page
    async def followup_page(request: Request, session: Session):
        ensure_letter(session)
        report, error, rule, rspec_error = None, None, None, None
        try:
            day, date_error = followup_date(request), None
        except InputError as exc:
            day, date_error = None, str(exc)
        if session.tracking is not None and day is not None:
            try:
                report, rule = await run_in_threadpool(_followup, session, day)
            except InputError as exc:
                error = str(work.shown_name(exc, session))
        if report is not None and isinstance(rule, str):
            rspec_error, rule = rule, None
        return render(request, "followup.html.j2", session, report=report, error=error, rule=rule,
                      rspec_error=rspec_error, day=day.isoformat() if day else "",
                      day_text=_thai_day(day) if day else request.query_params.get("date", ""),
                      date_error=date_error,
                      tracking=session.tracking.name if session.tracking else "",
                      listing=jobs.listing("reminders"), downloads=DOWNLOADS,
                      upload_error=request.query_params.get("e"))

    @page
    async def followup_upload(request: Request, session: Session):
        try:
            name, data, suffix = await _read_upload(request)
        except ValueError as exc:
            return _back(request, "/followup", str(exc))
        session.tracking = session.add_upload(Path(name).name, data, suffix)
        return _back(request, "/followup")

    @page
    async def followup_chart(request: Request, session: Session):
        if session.tracking is None:
            return Response("", 404)
        try:
            day = followup_date(request)
        except InputError:
            return Response("", 404)
        png = await run_in_threadpool(_chart, session, day)
        return Response(png, media_type="image/png") if png else Response("", 404)

    @page
    async def followup_remind(request: Request, session: Session):
        if session.tracking is None:
            return _back(request, "/followup", "ยังไม่ได้อัปโหลดตารางติดตามผล")
        try:
            day = followup_date(request)
            await run_in_threadpool(_followup, session, day)
        except InputError as exc:
            return _back(request, "/followup", str(work.shown_name(exc, session)))
        job_id = jobs.start("reminders", session.spec_path(), session.tracking.path,
                            letter_name=session.letter_name, sheet_name=session.tracking.name,
                            today=day)
        return RedirectResponse(f"/followup?job={quote(job_id)}&date={day.isoformat()}", 303)

    # --- the app ---------------------------------------------------------------------------------

    async def home(request: Request):
        return RedirectResponse("/letter", 303)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if config.warm:  # before the server says it is ready: the first preview is then waiting
            await run_in_threadpool(_warm)
        try:
            yield
        finally:  # the server stops: running jobs are cancelled, session folders removed
            await run_in_threadpool(jobs.stop_all)
            sessions.clear()

    routes = [
        Route("/", home),
        Route("/login", login_page, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/letter", letter_page),
        Route("/letter/update", letter_update, methods=["POST"]),
        Route("/letter/qr", letter_qr),
        Route("/letter/example", letter_example, methods=["POST"]),
        Route("/letter/open", letter_open, methods=["POST"]),
        Route("/letter/save", letter_save, methods=["POST"]),
        Route("/letter/upload", letter_upload, methods=["POST"]),
        Route("/letter/letter.toml", letter_download),
        Route("/recipients", recipients_page),
        Route("/recipients/upload", recipients_upload, methods=["POST"]),
        Route("/recipients/save", recipients_save, methods=["POST"]),
        Route("/recipients/open", recipients_open, methods=["POST"]),
        Route("/preview", preview_page),
        Route("/preview/api", preview_api),
        Route("/preview/{version:str}/{page:int}.png", preview_png),
        Route("/preview/{version:str}/letter.{fmt:str}", preview_file),
        Route("/produce", produce_page),
        Route("/produce/start", produce_start, methods=["POST"]),
        Route("/jobs/{job:str}", job_api),
        Route("/jobs/{job:str}/cancel", job_cancel, methods=["POST"]),
        Route("/jobs/{job:str}/{what:str}", job_file),
        Route("/register.xlsx", register_file),
        Route("/followup", followup_page),
        Route("/followup/upload", followup_upload, methods=["POST"]),
        Route("/followup/chart.png", followup_chart),
        Route("/followup/remind", followup_remind, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/fonts", StaticFiles(directory=FONTS), name="fonts"),
    ]
    async def internal_error(request: Request, exc: Exception):
        return _refusal(request, "เกิดข้อผิดพลาดภายในของ lettergen: ลองอีกครั้ง หรือแจ้งผู้ดูแล", 500)

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={Exception: internal_error})
    app.state.jobs = jobs
    app.state.sessions = sessions
    return app


MESSAGES = {
    "example": "โหลดหนังสือตัวอย่างจังหวัดเชียงรายแล้ว (พร้อมรายชื่อผู้รับตัวอย่าง)",
    "opened": "เปิดหนังสือที่บันทึกไว้แล้ว",
    "saved": "บันทึกไว้ในพื้นที่ทำงานแล้ว",
    "uploaded": "อัปโหลดไฟล์หนังสือแล้ว",
    "missing": "ไม่พบรายการที่เลือก",
    "badname": "ชื่อที่ใช้บันทึกต้องเป็นตัวอักษร ตัวเลข ช่องว่าง จุด หรือขีด",
    "invalid": "หนังสือยังมีข้อผิดพลาด แก้ให้ถูกต้องก่อนบันทึก",
    "nofile": "ยังไม่ได้เลือกไฟล์",
}


async def _form(request: Request):
    """The request's form (parsed once: the CSRF check may have read it already)."""
    if not hasattr(request.state, "form"):
        request.state.form = await request.form(max_part_size=security.UPLOAD_LIMIT)
    return request.state.form


THAI_TIME = dt.timezone(dt.timedelta(hours=7), "เวลาประเทศไทย")


def _when(timestamp: float | None) -> str:
    """A job's time as a clerk writes it, in Thai time whatever the server's clock is set
    to: "1 ธ.ค. 2569 09:30 น." (Buddhist era)."""
    from ..thai import thai_strftime

    if not timestamp:
        return ""
    return thai_strftime(dt.datetime.fromtimestamp(timestamp, THAI_TIME), "%-d %b %Y %H:%M น.",
                         thaidigit=False)


def _thai_day(day: dt.date) -> str:
    """A date as the pages show it: "3 สิงหาคม 2561" (Buddhist era)."""
    from ..thai import thai_strftime

    return thai_strftime(day, "%-d %B %Y", thaidigit=False)


def _warm() -> None:
    try:
        work.warm()
    except Exception:  # a failed warm-up only makes the first preview slower
        pass


def _locked_preview(session: Session, rid):
    with session.lock:
        return work.preview(session, rid)


def _drawn_preview(session: Session):
    """The first letter's preview, and its page 1 as PNG, ready for the page to fetch."""
    with session.lock:
        version, pages, rid = work.preview(session, None)
    work.page_png(session, version, 1)
    return version, pages, rid


def _followup(session: Session, day: dt.date):
    """The status report of the tracking sheet, and the reminder's urgency rule (or, when no
    reminder can be made, the reason as text)."""
    from ..errors import SpecError
    from ..recipients import load_recipients
    from ..remind import reminder_spec
    from ..status import status

    spec = work.spec_of(session)
    book = load_recipients(session.tracking.path, spec)
    report = status(spec, book, day)
    try:
        rspec = reminder_spec(spec, day)
    except SpecError as exc:
        return report, str(work.shown_name(exc, session))
    date = spec.reminder.date or day
    rule = {"date": date, "deadline": spec.deadline, "days_left": (spec.deadline - date).days,
            "urgency": rspec.urgency, "rules": spec.reminder.urgency_rules,
            "default": spec.urgency, "pending": report.total.pending}
    return report, rule


def _chart(session: Session, day: dt.date) -> bytes | None:
    from ..preview import pdf_page_png
    from ..status import status_pdf

    try:
        report, _ = _followup(session, day)
    except InputError:
        return None
    with work.RENDER_LOCK:
        return pdf_page_png(status_pdf(report), 1, dpi=80)


def _error_json(exc: InputError) -> dict:
    return {"key": exc.key, "row": exc.row, "column": exc.column, "message": exc.message,
            "text": str(exc)}


def _attachment(name: str) -> dict:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}


def _back(request: Request, where: str, error: str | None = None) -> Response:
    """After an upload: JSON for the page's script, or a redirect for a plain form."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": error} if error else {"ok": True}, 400 if error else 200)
    target = where + (f"?e={quote(error)}" if error else "")
    return RedirectResponse(target, 303)


def _refusal(request: Request, message: str, status: int) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": message}, status)
    return HTMLResponse(f"<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ไม่ได้ทำรายการ</title>"
                        f"<link rel=\"stylesheet\" href=\"/static/app.css\"><main><p role=\"alert\" class=\"error\">"
                        f"{message}</p><p><a href=\"/letter\">กลับไปหน้าหนังสือ</a></p></main></html>", status)


def _seconds_text(seconds) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    return f"{seconds // 60} นาที {seconds % 60} วินาที" if seconds >= 60 else f"{seconds} วินาที"


def app_with_limit(config: Config):
    """The app behind the upload size limit (the outermost layer, before any body is read).
    Without a password (loopback only) the Host header must name this machine too, so
    that a web page elsewhere cannot reach the app through a DNS name pointed at 127.0.0.1."""
    app = create_app(config)
    inner = app
    if config.password is None:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        inner = TrustedHostMiddleware(app, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"])
    limited = security.UploadLimit(security.QuietErrors(inner))
    limited.state = app.state
    return limited
