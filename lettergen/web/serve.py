"""``lettergen serve``: check the host and the password, open the workspace, run the app.

Loopback needs no password; any other host does (--password-file or LETTERGEN_PASSWORD),
or the command refuses with exit 2. The password is never printed or logged, and a
password file other users can read is warned of. SIGTERM and Ctrl-C stop the server within
5 seconds, whatever runs: the engine's processes are killed and running jobs cancelled.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from pathlib import Path

from ..errors import InputError
from . import security

NEEDS_PASSWORD = ("การเปิดให้เครื่องอื่นเข้าใช้ (--host {host}) ต้องตั้งรหัสผ่าน: "
                  "ใช้ --password-file ไฟล์รหัสผ่าน หรือตัวแปรสภาพแวดล้อม LETTERGEN_PASSWORD")


def _check_port(host: str, port: int) -> None:
    """A port already taken (another lettergen serve, say) is said in Thai, before anything
    else starts."""
    import socket

    if not 0 <= port <= 65535:
        raise InputError(f"--port ต้องอยู่ระหว่าง 0 ถึง 65535 ไม่ใช่ {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise InputError(f"เปิดพอร์ต {port} ที่ {host} ไม่ได้ ({exc.strerror}): "
                         "อาจมีโปรแกรมอื่นใช้พอร์ตนี้อยู่ ให้ใช้ --port อื่น") from None


# The limits an administrator may change, by environment variable (the defaults suit an
# office of a few dozen clerks on one PC): variable -> (the field of engine.Limits or of
# site.Config, its type, its least value).
LIMIT_VARIABLES = {
    "LETTERGEN_WEB_TIME_LIMIT": ("seconds", float, 0.1),
    "LETTERGEN_WEB_MEMORY_MB": ("memory_mb", int, 64),
    "LETTERGEN_WEB_WORKERS": ("workers", int, 1),
    "LETTERGEN_WEB_SESSIONS": ("max_sessions", int, 1),
    "LETTERGEN_WEB_IDLE_SECONDS": ("session_idle", float, 1),
    "LETTERGEN_WEB_JOB_MEMORY_MB": (None, int, 0),  # read by each job (job_runner.limit_memory)
}


def _limits(environ) -> dict:
    """Config's limits from the environment: {"limits": engine.Limits, "max_sessions": ...};
    a value that is not a number, or below its least, is an InputError naming it."""
    import dataclasses

    from .engine import Limits

    engine, config = {}, {}
    for variable, (name, kind, least) in LIMIT_VARIABLES.items():
        text = environ.get(variable, "").strip()
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < least:
            raise InputError(f"{variable} ต้องเป็นตัวเลขไม่น้อยกว่า {least} ไม่ใช่ \"{text}\"")
        if name is not None:
            (engine if name in {f.name for f in dataclasses.fields(Limits)} else config)[name] = value
    return {"limits": Limits(**engine), **config}


def serve(host: str, port: int, workspace: Path | None, open_browser: bool,
          password_file: Path | None, jobs: int | None = None, stream=None) -> int:
    from .engine import Engine
    from .state import open_workspace

    stream = stream or sys.stdout
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs ต้องเป็นจำนวนเต็มบวก ไม่ใช่ {jobs}")
    try:
        password = security.read_password(password_file, os.environ)
    except OSError:
        raise InputError("อ่านไฟล์รหัสผ่านไม่ได้", file=password_file) from None
    if password is None and password_file is not None:
        raise InputError("ไฟล์รหัสผ่านว่าง", file=password_file)
    if not security.is_loopback(host) and password is None:
        raise InputError(NEEDS_PASSWORD.format(host=host))
    limits = _limits(os.environ)
    _check_port(host, port)
    warning = security.password_file_warning(password_file)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    os.umask(0o077)  # the workspace's folders 0700 and files 0600, whoever writes them
    try:
        ws = open_workspace(workspace)
    except OSError as exc:
        raise InputError(f"สร้างพื้นที่ทำงานไม่ได้: {exc.strerror}", file=workspace) from None
    engine = Engine(limits["limits"])
    engine.launch()  # the engine loads (WeasyPrint, the example's first preview) meanwhile
    import uvicorn

    from .app import Config, app_with_limit

    app = app_with_limit(Config(workspace=ws, password=password, jobs=jobs, **limits), engine)
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            timeout_graceful_shutdown=1.5, lifespan="on")
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/"

    def announce():
        import time

        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            port_now = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
            shown_url = url.replace(f":{port}/", f":{port_now}/")
            print(f"lettergen พร้อมใช้งานที่ {shown_url}", file=stream, flush=True)
            print(f"พื้นที่ทำงาน: {ws.root}", file=stream, flush=True)
            print("กด Ctrl-C เพื่อหยุด", file=stream, flush=True)
            if open_browser:
                webbrowser.open(shown_url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
    return 0
