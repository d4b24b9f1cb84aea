"""What the pages' views share: the page templates, the answers every page gives alike
(a redirect after a form, a refusal, a download), and how times and dates are shown.

A view reads its request (the session is on ``request.state.session``, put there by the
session middleware), calls the engine through ``engine`` (a worker process: see
``engine.py`` and ``tasks.py``) or ``jobs``, and renders a page with ``Pages.render`` or
answers the page's script with JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ...errors import InputError
from ...thai import thai_number
from .. import security
from ..site import Site, site_of
from ..state import Session, load_example
from ..wording import clerk_message, clerk_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGES = (("/letter", "หนังสือ"), ("/recipients", "รายชื่อผู้รับ"), ("/preview", "ตัวอย่าง"),
         ("/produce", "สร้างหนังสือ"), ("/followup", "ติดตามผล"))
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
INTERNAL_ERROR = "เกิดข้อผิดพลาดภายในของ lettergen: ลองอีกครั้ง หรือแจ้งผู้ดูแล"
THAI_TIME = dt.timezone(dt.timedelta(hours=7), "เวลาประเทศไทย")


class Pages:
    """The Jinja2 templates of the pages (templates/), with the filters they use."""

    def __init__(self, password: bool):
        self.password = password
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(thai_seconds=seconds_text, thai_number=thai_number, when=when,
                                thai_day=thai_day)

    def render(self, request: Request, name: str, session: Session, status: int = 200,
               **values) -> HTMLResponse:
        """A page of the five steps: the navigation, the CSRF token, what is being worked on."""
        html = self.env.get_template(name).render(
            pages=PAGES, path=request.url.path, csrf=session.csrf, login=self.password,
            letter_name=session.letter_name, sheet_name=session.sheet.name if session.sheet else "",
            draft_saved=when(session.saved) if session.lasting and session.saved else "",
            single=session.single, **values)
        return HTMLResponse(html, status)

    def render_bare(self, name: str, **values) -> str:
        """A page outside the five steps (the login)."""
        return self.env.get_template(name).render(**values)


def session_of(request: Request) -> Session:
    return request.state.session


def site(request: Request) -> Site:
    return site_of(request)


def ensure_letter(session: Session) -> None:
    """A session starts with the bundled example, the letter and its sheet."""
    if not session.has_letter():
        load_example(session)


async def engine(request: Request, name: str, *args):
    """``tasks.OPS[name]`` run for the request's session in its engine worker (a process of
    its own, with a time and memory limit): its value, or its InputError raised here."""
    here, session = site(request), session_of(request)
    return await here.engine.call(session.engine_key, name, session.files(here.config.workspace.root), *args)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def form(request: Request):
    """The request's form (parsed once: the CSRF check may have read it already)."""
    if not hasattr(request.state, "form"):
        request.state.form = await request.form(max_part_size=security.UPLOAD_LIMIT)
    return request.state.form


def error_json(exc: InputError) -> dict:
    """An input error for the page's script: its spec key (the field it is shown beside),
    its message there, and the whole of it as the page says it (wording.clerk_text)."""
    return {"key": exc.key, "row": exc.row, "column": exc.column, "message": clerk_message(exc.message),
            "text": clerk_text(exc)}


def attachment(name: str) -> dict:
    """The Content-Disposition of a download named ``name`` (Thai names kept, RFC 5987)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"}


def back(request: Request, where: str, error: str | None = None, go: str | None = None) -> Response:
    """After an upload: JSON for the page's script (``go``: the page it goes to next, else
    it draws the page again), or a redirect for a plain form (the error as ``e``)."""
    if wants_json(request):
        if error:
            return JSONResponse({"error": error}, 400)
        return JSONResponse({"ok": True, **({"go": go} if go else {})})
    target = go or where + (f"{'&' if '?' in where else '?'}e={quote(error)}" if error else "")
    return RedirectResponse(target, 303)


def refusal(request: Request, message: str, status: int) -> Response:
    """A request not carried out: its reason, as JSON for a script or as a short page."""
    if wants_json(request):
        return JSONResponse({"error": message}, status)
    return HTMLResponse(f"<!doctype html><html lang=\"th\"><meta charset=\"utf-8\"><title>ไม่ได้ทำรายการ</title>"
                        f"<link rel=\"stylesheet\" href=\"/static/app.css\"><main><p role=\"alert\" class=\"error\">"
                        f"{message}</p><p><a href=\"/letter\">กลับไปหน้าหนังสือ</a></p></main></html>", status)


async def internal_error(request: Request, exc: Exception) -> Response:
    return refusal(request, INTERNAL_ERROR, 500)


def when(timestamp: float | None) -> str:
    """A job's time as a clerk writes it, in Thai time whatever the server's clock is set
    to: "1 ธ.ค. 2569 09:30 น." (Buddhist era)."""
    from ...thai import thai_strftime

    if not timestamp:
        return ""
    return thai_strftime(dt.datetime.fromtimestamp(timestamp, THAI_TIME), "%-d %b %Y %H:%M น.",
                         thaidigit=False)


def thai_day(day: dt.date) -> str:
    """A date as the pages show it: "3 สิงหาคม 2561" (Buddhist era)."""
    from ...thai import thai_strftime

    return thai_strftime(day, "%-d %B %Y", thaidigit=False)


def seconds_text(seconds) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    return f"{seconds // 60} นาที {seconds % 60} วินาที" if seconds >= 60 else f"{seconds} วินาที"
