"""A fuzz over the sheet corpus: random column orders and header synonyms, title and blank
rows, district prefixes, LAO-only lists, CSV or XLSX, and now and then a bad cell, run
through check, render, status and remind. Never an internal error (exit 1); a good sheet
gives the right credentials and progress; a bad one exits 2 with one Thai line.

LETTERGEN_SHEET_FUZZ=N runs N sheets (default 10) from the seed LETTERGEN_SHEET_FUZZ_SEED."""

from __future__ import annotations

import datetime as dt
import os
import random
import re

import pytest

from lettergen.cli import main
from lettergen.compose import compose_all
from lettergen.sheets.recipients import load_recipients
from lettergen.sheets.columns import SYNONYMS
from lettergen.spec import load_spec
from sheet_corpus import HEADER, LAOS, ROWS, TITLE, write_csv, write_spec, write_xlsx
from test_sheets import credentials

CASES = int(os.environ.get("LETTERGEN_SHEET_FUZZ", "10"))
SEED = int(os.environ.get("LETTERGEN_SHEET_FUZZ_SEED", "13"))
PREFIXES = ["", "อำเภอ", "อ.", "อ. ", "อำเภอ ", "\u200b", "กิ่งอำเภอ"]
BAD_CELLS = ["empty-name", "unknown-kind", "date-password", "formula", "huge-number", "duplicate-id",
             "drop-column", "bad-done", "be-date", "text-in-number", "typo-district"]


def make_sheet(rng: random.Random, folder):
    """A random sheet in folder; returns (file name, the expected credentials or None when
    a bad cell was put in, a description)."""
    rows = [list(r) for r in (LAOS if rng.random() < 0.3 else ROWS)]
    order = list(range(len(HEADER)))
    rng.shuffle(order)
    header = [rng.choice([w for w in SYNONYMS[HEADER[i]] if "(" not in w]) for i in order]
    header = [h.upper() if h.isascii() and rng.random() < 0.3 else h for h in header]
    for row in rows:
        if row[2] != "สถ.อ." or rng.random() < 0.5:
            row[3] = rng.choice(PREFIXES) + row[3]
    body = [[row[i] for i in order] for row in rows]
    above = []
    for _ in range(rng.randrange(4)):
        above.append(rng.choice([[TITLE], [], [None, "ข้อมูล ณ วันที่ 3 ส.ค. 2561"]]))
    bad = rng.choice(BAD_CELLS) if rng.random() < 0.4 else None
    cells = {}  # (row index in body, canonical) -> value, for XLSX-only values
    column = {HEADER[i]: pos for pos, i in enumerate(order)}
    target = rng.randrange(1, len(body))
    if bad == "empty-name":
        body[target][column["name"]] = ""
    elif bad == "unknown-kind":
        body[target][column["kind"]] = "อบตต."
    elif bad == "date-password":
        cells[(target, "password")] = dt.datetime(2018, 3, 4)
    elif bad == "formula":
        cells[(target, "username")] = "=A1&B1"
    elif bad == "huge-number":
        cells[(target, "password")] = 12345678901234567890
    elif bad == "duplicate-id":
        body[target][column["id"]] = body[target - 1][column["id"]]
    elif bad == "drop-column":
        header[column[rng.choice(HEADER)]] = "หมายเหตุ"
    elif bad == "bad-done":
        body[target][column["done"]] = "บางส่วน"
    elif bad == "be-date":
        cells[(target, "done")] = dt.datetime(2561, 8, 1)
    elif bad == "text-in-number":
        body[target][column["done"]] = "7"
    elif bad == "typo-district":
        body[target][column["district"]] = "เวียงชย"
    if rng.random() < 0.3:  # the header repeated inside the table (printed on every page)
        at = rng.randrange(1, len(body))
        body.insert(at, list(header))
        cells = {(i + (i >= at), c): v for (i, c), v in cells.items()}
    table = above + [header] + body
    as_csv = not cells and rng.random() < 0.3
    if as_csv:
        name = "recipients.csv"
        write_csv(folder / name, table, delimiter=rng.choice([",", ";", "\t"]))
    else:
        name = "recipients.xlsx"
        first = len(above) + 2  # the sheet row of body[0]

        def edit(book, sheet):
            for (index, canonical), value in cells.items():
                cell = sheet.cell(row=first + index, column=column[canonical] + 1)
                cell.value = value

        merges = [f"A1:{chr(ord('A') + len(header) - 1)}1"] if above and above[0] == [TITLE] else []
        write_xlsx(folder / name, table, merges=merges, edit=edit)
    expected = None if bad else {r[1]: (r[4], r[5]) for r in rows if r[2] != "สถ.อ."}
    return name, expected, f"{name} bad={bad} header={header} above={len(above)}"


def run(argv, capsys):
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


THAI = re.compile("[\u0e01-\u0e5b]")


@pytest.mark.parametrize("case", range(CASES))
def test_fuzzed_sheet(case, tmp_path, capsys):
    rng = random.Random(SEED * 100_003 + case)
    name, expected, what = make_sheet(rng, tmp_path)
    spec = write_spec(tmp_path, name)
    commands = [
        ["check", spec],
        ["render", spec, "--format", "docx", "--out", tmp_path / "out"],
        ["status", spec],
        ["remind", spec, "--recipients", tmp_path / name, "--format", "docx",
         "--out", tmp_path / "rem", "--register", tmp_path / "out" / "register.csv"],
    ]
    for argv in commands:
        rc, out, err = run(argv, capsys)
        assert rc in (0, 2), (what, argv[0], err)
        if rc == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and THAI.search(lines[0]) and name in lines[0], (what, lines)
            assert "FAKE-" not in lines[0], lines  # no password echoed
        if expected is not None:
            assert rc == 0, (what, argv[0], err)
    if expected is not None:
        loaded = load_spec(spec)
        letters = compose_all(loaded, load_recipients(tmp_path / name, loaded))
        assert credentials(letters) == expected, what
