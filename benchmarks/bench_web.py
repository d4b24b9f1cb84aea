"""The web app's speed, through HTTP as the browser asks (python benchmarks/bench_web.py).

- first preview after start: from the server's "ready" line (and from the command's start)
  to the first letter's page 1 as PNG, in a new session that loads the example;
- warm redraw after an edit: the letter form sent with another urgency and date (each edit
  a letter not drawn before, so no cached preview answers it), answered with the preview
  drawn, and its page 1 fetched, as the letter page does after each edit (median, max);
- another recipient's letter: the preview of a letter to another addressee asked for and its
  page 1 fetched, after the edits (median, max over five addressees);
- the 162-row example produced (PDF + DOCX, print.pdf, register) and zipped, from the click
  (the POST) until the job reports done with letters.zip; and the same set made by
  ``lettergen render --print --zip`` as a process, for comparison under the same load;
- a district letter of a large province: the sheet of 998 LAOs of benchmarks/bench_bulk.py
  (18 districts, 45 to 62 LAOs each) uploaded, then five district letters not drawn before,
  each asked for and its page 1 fetched (median, max), as the preview page does.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_bulk import write_recipients  # noqa: E402
from web_server import Client, Server  # noqa: E402

JSON = {"Accept": "application/json"}


def preview(client: Client, rid: str = "", answer: dict | None = None) -> None:
    """Page 1 of the preview fetched: the one ``answer`` names (the letter's update answers
    with the preview it drew, as the page uses it), or the one asked for now."""
    if answer is None:
        status, body, _ = client.get("/preview/api" + (f"?rid={quote(rid)}" if rid else ""), headers=JSON)
        answer = json.loads(body)
        assert status == 200 and "version" in answer and (answer["rid"] == rid or not rid), answer
    status, png, _ = client.get(f"/preview/{answer['version']}/1.png")
    assert status == 200 and png.startswith(b"\x89PNG")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        launched = time.perf_counter()
        server = Server(Path(tmp) / "ws")
        ready = time.perf_counter()
        try:
            client = Client(server.url)
            client.get("/letter")  # a new session: the example and its sheet
            preview(client)
            first = time.perf_counter()
            print(f"first preview after start: {first - ready:.2f} s after the ready line "
                  f"({first - launched:.2f} s after the command started)")

            redraws = []
            for i in range(12):
                started = time.perf_counter()
                edit = {"letter.urgency": ("ด่วน", "ด่วนมาก", "ด่วนที่สุด")[i % 3],
                        "letter.date": f"2018-07-{i + 1:02d}"}  # each edit a letter not yet drawn
                status, body, _ = client.post_json("/letter/update", edit)
                answer = json.loads(body)
                assert answer["ok"] is True and "preview" in answer, body
                preview(client, answer=answer["preview"])
                redraws.append(time.perf_counter() - started)
            warm = redraws[2:]  # the first edits lay out what later ones reuse
            print(f"warm redraw after an edit: median {statistics.median(warm) * 1000:.0f} ms, "
                  f"max {max(warm) * 1000:.0f} ms over {len(warm)} edits "
                  f"(first two: {', '.join(f'{r * 1000:.0f}' for r in redraws[:2])} ms)")

            others = []
            for rid in ("5702", "570101", "5703", "570102", "5704"):  # letters of the example
                started = time.perf_counter()
                preview(client, rid)
                others.append(time.perf_counter() - started)
            print(f"another recipient's letter: median {statistics.median(others) * 1000:.0f} ms, "
                  f"max {max(others) * 1000:.0f} ms over {len(others)} addressees")

            client.post_json("/letter/update", {"letter.urgency": "ด่วนที่สุด", "letter.date": "2018-07-27"})
            client.get("/produce")
            started = time.perf_counter()
            status, body = client.start_set()
            job = json.loads(body)["job"]
            while True:
                info = json.loads(client.get(f"/jobs/{job}", headers=JSON)[1])
                if info["state"] != "running":
                    break
                time.sleep(0.1)
            produced = time.perf_counter() - started
            assert info["state"] == "done" and "zip" in info["files"], info
            print(f"162-row example produced and zipped: {produced:.2f} s from the click "
                  f"({info['letters']} letters, {info['pages']} pages)")

            sheet = Path(tmp) / "laos.csv"
            write_recipients(sheet, 998)
            status, _, _ = client.upload("/recipients/upload", "laos.csv", sheet.read_bytes())
            assert status in (200, 303), status
            preview(client, "สถ.อ.เมืองเชียงราย")  # the new sheet's first letter: not timed
            districts = []
            for name in ("เวียงชัย", "เชียงของ", "เทิง", "พาน", "ป่าแดด"):
                started = time.perf_counter()
                preview(client, f"สถ.อ.{name}")
                districts.append(time.perf_counter() - started)
            print(f"a district letter of 998 LAOs (45 to 62 each), not drawn before: median "
                  f"{statistics.median(districts) * 1000:.0f} ms, max {max(districts) * 1000:.0f} ms "
                  f"over {len(districts)} districts")
        finally:
            server.stop()
        # the same set made by the command line, for comparison on the same machine now
        import subprocess

        example = Path(__file__).resolve().parent.parent / "lettergen" / "examples" / "chiang-rai-2561"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lettergen", "render", str(example / "letter.toml"),
                        "--out", str(Path(tmp) / "cli"), "--print", "--zip"],
                       check=True, capture_output=True)
        print(f"the same with lettergen render --print --zip: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
