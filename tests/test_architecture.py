"""The package's shape: each library's internals in its one adapter, versions checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
    r"|border_\w+_width")
# The content streams WeasyPrint writes are read in two places: the adapter cuts rows out of
# them, and actualtext.py wraps each line's text operators in its /ActualText span.
CONTENT_STREAMS = re.compile(r"parse_content_stream")
PYTHON_DOCX_INTERNALS = re.compile(
    r"PackageWriter|docx\.table\b|\._(?:r|p|tr|tc|tbl|sectPr|body)\b|tblStyle_val")


@pytest.mark.parametrize("pattern, adapter", [
    (WEASYPRINT_INTERNALS, "pdf/weasy.py"),
    (PYTHON_DOCX_INTERNALS, "docx/python_docx.py"),
])
def test_library_internals_live_in_their_adapter_only(pattern, adapter):
    users = sorted(str(path.relative_to(PACKAGE)) for path, text in sources() if pattern.search(text))
    # pdf/weasy_subset.py, where present, is the adapter's font-subsetting part, and
    # pdf/weasy_shape.py its shaping part (Pango's fonts, WeasyPrint's way of drawing glyphs)
    parts = ("pdf/weasy_subset.py", "pdf/weasy_shape.py")
    assert [user for user in users if user not in parts] == [adapter]


def test_content_streams_are_read_by_the_adapter_and_the_span_writer_only():
    users = sorted(str(path.relative_to(PACKAGE)) for path, text in sources()
                   if CONTENT_STREAMS.search(text))
    assert users == ["pdf/actualtext.py", "pdf/weasy.py"]


LOADED_LIBRARIES = (
    "import re, subprocess, sys\n"
    "started = []\n"
    "spawn = subprocess.Popen.__init__\n"
    "def record(self, args, *rest, **options):\n"
    "    started.append(args)\n"
    "    spawn(self, args, *rest, **options)\n"
    "subprocess.Popen.__init__ = record\n"
    "if sys.argv[1] == 'adapter':\n"
    "    from lettergen.pdf.weasy import import_weasyprint\n"
    "    import_weasyprint()\n"
    "else:\n"
    "    import weasyprint, weasyprint.text.fonts\n"
    "maps = open('/proc/self/maps').read().split('\\n')\n"
    "print(sorted({l.split()[-1] for l in maps if re.search(r'/lib(gobject|pango|harfbuzz|fontconfig)', l)}))\n"
    "print(len(started))\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_weasyprint_loads_the_same_libraries_without_starting_a_process():
    """The adapter imports WeasyPrint without ctypes' library search (ldconfig, gcc, ld for
    each name it tries): the same library files are loaded as by a plain import, and no
    process is started."""
    root = str(PACKAGE.parent)
    env = {**os.environ, "PYTHONPATH": root}

    def loaded(how: str) -> tuple[str, int]:
        result = subprocess.run([sys.executable, "-W", "ignore", "-c", LOADED_LIBRARIES, how],
                                cwd=root, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        libraries, processes = result.stdout.strip().splitlines()[-2:]
        return libraries, int(processes)

    ours, plain = loaded("adapter"), loaded("plain")
    assert "libpango-1.0.so" in ours[0] and "libharfbuzz.so" in ours[0]
    assert ours[0] == plain[0]
    assert ours[1] == 0
    assert plain[1] > 0  # the search this spares: it starts processes


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


def pyproject_requirements(group: str | None = None) -> dict:
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    items = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return {Requirement(item).name.lower(): Requirement(item).specifier for item in items}


def test_pyproject_pins_each_dependency_to_its_tested_range():
    """pyproject.toml's range of every dependency is the one lettergen/versions.py checks:
    from the release tested, bounded above."""
    from packaging.specifiers import SpecifierSet

    from lettergen import versions

    ranges = pyproject_requirements()
    assert sorted(ranges) == sorted(versions.TESTED)
    for name, specifier in ranges.items():
        low, high = versions.TESTED[name]
        assert specifier == SpecifierSet(f">={low},<{high}"), name
    for name, specifier in pyproject_requirements("test").items():  # the test tools too
        assert any(s.operator == "<" for s in specifier), name


def test_the_lock_lies_inside_the_tested_ranges():
    from packaging.specifiers import SpecifierSet

    from lettergen import versions

    locked = {}
    for line in (PACKAGE.parent / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            locked[name.lower().replace("_", "-")] = version
    for name, specifier in {**pyproject_requirements(), **pyproject_requirements("test")}.items():
        assert name in locked, name
        assert locked[name] in SpecifierSet(str(specifier)), (name, locked[name])
        if name in versions.TESTED:
            assert versions.tested(name, locked[name])


@pytest.mark.parametrize("name", sorted(["weasyprint", "python-docx", "pythainlp", "uharfbuzz",
                                         "fonttools", "pikepdf", "qrcode", "pillow", "openpyxl"]))
def test_each_check_refuses_exactly_what_pyproject_leaves_out(name):
    """The adapters' checks (WeasyPrint's and python-docx's at import, the others' when a
    run starts) accept the range pyproject.toml gives, and nothing outside it."""
    from packaging.version import Version

    from lettergen import versions
    from lettergen.docx import python_docx
    from lettergen.pdf import weasy

    check = {"weasyprint": weasy.check_version, "python-docx": python_docx.check_version}.get(
        name, lambda version: versions.check(name, version))
    specifier = pyproject_requirements()[name]
    low, high = versions.TESTED[name]
    parts = list(versions.version_tuple(low))
    while parts[-1] == 0:
        parts.pop()
    parts[-1] -= 1
    below = ".".join(map(str, parts)) + ".99"  # the last release before the range
    for version in (low, low + ".0", low + ".7", high, high + ".1", below):
        if Version(version) in specifier:
            check(version)
        else:
            with pytest.raises(ResourceError, match=re.escape(versions.requirement(name))):
                check(version)
    assert any(name in names for names in versions.MAKES_BYTES.values())


def test_a_run_refuses_an_untested_library_that_makes_its_bytes(tmp_path, monkeypatch, capsys):
    """pikepdf 11 might write the PDFs' objects otherwise: exit 2, one line, nothing written."""
    import importlib

    from lettergen import cli

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "11.0.0" if name == "pikepdf" else real(name))
    code = cli.main(["demo", "--out", str(tmp_path / "out"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and 'pip install "pikepdf>=10.18,<10.19"' in err and "11.0.0" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_stylesheet_takes_every_length_of_the_geometry():
    from lettergen import geometry
    from lettergen.pdf.writer import stylesheet
    from lettergen.resources import template_path

    source = template_path("letter.css").read_text(encoding="utf-8")
    values = geometry.css_values()
    unused = [name for name in values if "{{ %s }}" % name not in source]
    assert unused == []
    css = stylesheet()
    assert "{{" not in css and "{#" not in css
    assert f"margin: {values['margin']};" in css and values["margin"] == "2.5cm 2cm 2cm 3cm"
    assert "word-spacing: -3.888pt;" in css and "width: 16cm;" in css


def test_the_space_width_in_the_geometry_is_sarabuns():
    """The body lines' negative word-spacing cancels exactly one space of the bundled font."""
    from lettergen import geometry
    from lettergen.pdf.justify import text_width

    measured = text_width(" ") / geometry.BODY_PT
    assert measured == pytest.approx(geometry.SPACE_EM, abs=0.0005)


def test_the_line_height_in_the_geometry_is_sarabuns():
    """Both writers set a line LINE_EM high: the PDF's stylesheet says so, and Word and
    LibreOffice give a line of single spacing the font's typographic ascender plus
    descender (its USE_TYPO_METRICS flag is set)."""
    from fontTools.ttLib import TTFont

    from lettergen import geometry
    from lettergen.resources import FONTS

    for name in ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf"):
        font = TTFont(FONTS / name)
        os2, em = font["OS/2"], font["head"].unitsPerEm
        assert os2.fsSelection & (1 << 7), name
        height = (os2.sTypoAscender - os2.sTypoDescender + os2.sTypoLineGap) / em
        assert height == pytest.approx(geometry.LINE_EM, abs=0.0005), name


MEASURE = re.compile(r"(?:Cm|Pt)\(\s*[1-9]|\b\d+(?:\.\d+)?\s*(?:cm|pt)\b")


@pytest.mark.parametrize("path", ["docx/writer.py", "docx/document.py", "docx/blank.py",
                                  "docx/tables.py", "pdf/rows.py", "templates/parts.html.j2",
                                  "kinds.py"])
def test_the_letters_measures_come_from_the_geometry(path):
    """The writers of a letter's page hold no length of their own: each comes from
    geometry.py or from the kind's description, which takes it from there."""
    text = (PACKAGE / path).read_text(encoding="utf-8")
    code = "\n".join(line.split("#")[0] for line in text.splitlines())  # comments say cm too
    assert MEASURE.findall(code) == []


def test_pagination_justification_and_docx_read_the_same_geometry():
    from lettergen import geometry as g
    from lettergen.docx.writer import _blank
    from lettergen.pdf import justify, paginate

    assert justify.COLUMN_PT == pytest.approx(paginate.PAGE_WIDTH - paginate.LEFT - g.pt(g.MARGIN_RIGHT_CM))
    section = _blank("TH SarabunIT๙").sections[0]
    assert section.left_margin.cm == pytest.approx(g.MARGIN_LEFT_CM, abs=0.001)
    assert section.right_margin.cm == pytest.approx(g.MARGIN_RIGHT_CM, abs=0.001)
    assert section.page_width.cm == pytest.approx(g.PAGE_WIDTH_CM, abs=0.001)
    assert paginate.TOP == pytest.approx(g.TOP_CM * 72 / 2.54)
    # the text of a continuation page starts TOP_CM down, under the page number's line
    assert (section.header_distance.cm + g.line_cm() + g.PAGE_NUMBER_GAP_CM
            == pytest.approx(g.TOP_CM, abs=0.001))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each lettergen module -> the lettergen modules it imports, at the top or inside a
    function (a lazy import is a dependency too)."""
    import ast

    paths = {_module_name(path): path for path, _ in sources()}
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the package, one level up per extra dot
                    parts = package.split(".")
                    parts = parts[:len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                else:
                    base = node.module
                for alias in node.names:
                    found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def test_the_import_graph_reads_imports():
    graph = import_graph()
    assert "lettergen.pdf.weasy" in graph["lettergen.pdf.writer"]
    assert "lettergen.geometry" in graph["lettergen.pdf.paginate"]
    assert "lettergen.pdf.writer" in graph["lettergen.rendering"]  # a lazy import counts


def private_imports() -> set[tuple[str, str, str]]:
    """(module, lettergen module it imports from, name) for every ``from X import _name``
    of one lettergen module from another."""
    import ast

    paths = {_module_name(path): path for path, _ in sources()}
    found = set()
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.startswith("lettergen") and base != name:
                found |= {(name, base, alias.name) for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")}
    return found


def test_no_module_takes_a_private_name_of_another():
    assert private_imports() == set()


def test_the_two_writers_do_not_reach_into_each_other():
    """What both writers need (link breaks, the geometry, the kinds) lives outside both."""
    graph = import_graph()
    for name, imported in graph.items():
        for writer, other in (("lettergen.pdf", "lettergen.docx"), ("lettergen.docx", "lettergen.pdf")):
            if name.startswith(writer + ".") or name == writer:
                assert not {m for m in imported if m == other or m.startswith(other + ".")}, name


def test_no_module_imports_itself_through_others():
    graph = import_graph()
    cycles = []

    def visit(name, path):
        for other in sorted(graph[name]):
            if other in path:
                cycles.append(path[path.index(other):] + [other])
            elif other not in done:
                visit(other, path + [other])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == []


# Imports each module named on the command line with no lettergen module loaded before it
# (every one of them is forgotten first), in one fresh interpreter, and prints the failures
# as JSON. The libraries lettergen uses stay loaded from one module to the next.
IMPORT_EACH = """
import importlib, json, sys, traceback
failed = {}
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "lettergen" or m.startswith("lettergen.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failed[name] = traceback.format_exc()[-2000:]
print(json.dumps({"imported": len(sys.argv) - 1, "failed": failed}))
"""


def test_every_module_imports_on_its_own():
    """Each module imported first, with no other lettergen module loaded before it: an
    import order that only works when another module was loaded before would fail here.
    (One fresh interpreter for all of them, lettergen's modules forgotten before each.)"""
    import json
    import subprocess
    import sys

    names = sorted(name for name in import_graph() if not name.endswith("__main__"))
    done = subprocess.run([sys.executable, "-c", IMPORT_EACH, *names], capture_output=True,
                          text=True, cwd=PACKAGE.parent, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"imported": len(names), "failed": {}}
    assert len(names) > 60


def _private_names_used(path: Path) -> list[str]:
    """The ``_private`` names ``path`` takes from other lettergen modules: imported by name
    (``from ..recipients import _pick_table``) or read off an imported module (``work._x``)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("lettergen")):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.module}.{alias.name}")
                modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_web_layer_uses_public_names_only_and_short_functions():
    """lettergen/web/ calls the engine (and its own modules) through public names only, and
    no function of it runs over 80 lines."""
    import ast

    private, long = {}, []
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        name = str(path.relative_to(PACKAGE))
        if _private_names_used(path):
            private[name] = _private_names_used(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 80:
                long.append(f"{name}:{node.name}")
    assert private == {} and long == []


def test_the_private_name_finder_finds_them(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from ..recipients import _pick_table, load_recipients\nfrom . import work\n"
                      "work._cache\nwork.preview\nself._x\n", encoding="utf-8")
    assert _private_names_used(sample) == ["recipients._pick_table", "work._cache"]


def test_no_module_takes_a_private_name_of_another():
    """Across the whole package, a module uses another's public names only."""
    private = {str(path.relative_to(PACKAGE)): _private_names_used(path)
               for path in sorted(PACKAGE.rglob("*.py")) if _private_names_used(path)}
    assert private == {}


def test_the_sheets_and_the_registers_have_rooms_of_their_own():
    """Reading sheets and keeping registers are packages, like pdf/ and docx/; no module of
    the top level is named for a sheet or a register."""
    top = sorted(path.stem for path in PACKAGE.glob("*.py"))
    assert not [name for name in top if name.startswith(("sheet", "register", "office_register"))
                or name in ("recipients", "workspace")], top
    for package, modules in (("sheets", {"recipients", "tables", "xlsx", "columns", "cells"}),
                             ("registers", {"run_register", "record", "form14", "workspace"})):
        assert {path.stem for path in (PACKAGE / package).glob("*.py")} == modules | {"__init__"}


def test_no_two_classes_of_the_package_share_a_name():
    """model.Run and the register's run, a sheet's table and the model's, the progress
    figures and the run's progress bar: one name, one class."""
    import ast

    seen: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                seen.setdefault(node.name.lstrip("_"), []).append(str(path.relative_to(PACKAGE)))
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}
