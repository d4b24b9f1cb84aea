"""The package's shape: each library's internals in its one adapter, versions checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lettergen.errors import ResourceError

PACKAGE = Path(__file__).resolve().parent.parent / "lettergen"


def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "examples" not in path.relative_to(PACKAGE).parts:
            yield path, path.read_text(encoding="utf-8")


# What only the adapter may touch: WeasyPrint's box tree, computed styles, private
# stylesheet hook and fetcher; python-docx's package writer and the elements behind proxies.
WEASYPRINT_INTERNALS = re.compile(
    r"_page_box|formatting_structure|_ua_stylesheets|URLFetcher|import weasyprint|from weasyprint"
    r"|border_\w+_width|parse_content_stream")
PYTHON_DOCX_INTERNALS = re.compile(
    r"PackageWriter|docx\.table\b|\._(?:r|p|tr|tc|tbl|sectPr|body)\b|tblStyle_val")


@pytest.mark.parametrize("pattern, adapter", [
    (WEASYPRINT_INTERNALS, "pdf/weasy.py"),
    (PYTHON_DOCX_INTERNALS, "docx/python_docx.py"),
])
def test_library_internals_live_in_their_adapter_only(pattern, adapter):
    users = sorted(str(path.relative_to(PACKAGE)) for path, text in sources() if pattern.search(text))
    assert users == [adapter]


def test_an_untested_weasyprint_is_refused_with_a_thai_message():
    from lettergen.pdf import weasy

    weasy.check_version("70.0")
    weasy.check_version("70.2.1")
    for version in ("69.1", "71.0", "100.0"):
        with pytest.raises(ResourceError, match=rf"WeasyPrint รุ่น 70\.x .*รุ่น {re.escape(version)}"):
            weasy.check_version(version)


def test_an_untested_python_docx_is_refused_with_a_thai_message():
    from lettergen.docx import python_docx

    python_docx.check_version("1.2.0")
    python_docx.check_version("1.9")
    for version in ("1.1.2", "0.8.11", "2.0.0"):
        with pytest.raises(ResourceError, match=rf"python-docx .*รุ่น {re.escape(version)}"):
            python_docx.check_version(version)


def test_the_command_exits_2_with_one_line_when_weasyprint_is_untested(tmp_path, monkeypatch, capsys):
    """The check runs before any output: nothing is written, and no traceback."""
    import importlib

    from lettergen import cli
    from lettergen.pdf import weasy

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "71.0" if name == "weasyprint" else real(name))
    monkeypatch.delitem(__import__("sys").modules, "lettergen.pdf.weasy")
    monkeypatch.delattr(__import__("lettergen.pdf").pdf, "weasy")
    try:
        code = cli.main(["demo", "--out", str(tmp_path / "out"), "--jobs", "1"])
    finally:
        monkeypatch.undo()
        importlib.reload(weasy)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "WeasyPrint รุ่น 70.x" in err and "71.0" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
