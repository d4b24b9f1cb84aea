"""lettergen as a new user installs it: a wheel built with `python -m build`, installed into a
fresh virtual environment, runs the demo from anywhere; the version; the switch that hides
the optional programs from the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import conftest
from conftest import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The folder `python -m build --wheel` wrote the wheel to: built once, for both tests."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def test_the_wheel_carries_templates_fonts_with_their_licence_and_the_example(built):
    wheel = next(built.glob("lettergen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("lettergen/templates/letter.css", "lettergen/templates/parts.html.j2",
                 "lettergen/templates/ua.css", "lettergen/fonts/Sarabun-Regular.ttf",
                 "lettergen/fonts/OFL.txt", "lettergen/examples/chiang-rai-2561/letter.toml",
                 "lettergen/examples/chiang-rai-2561/recipients.csv",
                 "lettergen/pdf/weasy_subset.py"):
        assert name in names, name
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode("utf-8")
    assert "License-Expression: MIT AND OFL-1.1" in text
    assert "Requires-Dist: weasyprint<71,>=70" in text
    assert "Classifier: Natural Language :: Thai" in text
    assert "# lettergen" in text  # the README as the long description
    assert not any("tests/" in n for n in names)


def test_the_wheel_in_a_fresh_venv_runs_the_demo(built, tmp_path):
    """The wheel is installed by pip into a new venv (without its dependencies, which it reads
    from this environment's site-packages through a .pth file, so nothing is downloaded; and
    by this environment's pip, ``pip --python``, which spares the new venv a pip of its own);
    the demo then runs from a folder outside the clone with an empty cache, and the lettergen
    it runs is the installed one, not the clone."""
    wheel = next(built.glob("lettergen-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies, from here; this folder's own .pth files (the clone's editable
    # install among them) are not read, since it is not a site folder of the new venv
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = subprocess.run([*pip, "install", "-q", "--no-deps", str(wheel)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert (env_dir / "bin" / "lettergen").is_file()  # pip wrote the command into the new venv
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # the pins hold here

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
    env["LETTERGEN_CACHE"] = str(tmp_path / "cache")
    where = subprocess.run([str(python), "-c", "import lettergen; print(lettergen.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(site)
    command = env_dir / "bin" / "lettergen"
    version = subprocess.run([str(command), "--version"], cwd=work, env=env, capture_output=True,
                             text=True)
    assert version.stdout.strip() == f"lettergen {_version()}"
    demo = subprocess.run([str(command), "demo", "--jobs", "2"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stderr
    out = work / "out"
    assert len(list(out.glob("*.pdf"))) == 20 and len(list(out.glob("*.docx"))) == 20
    assert (out / "register.xlsx").is_file()
    assert not (out / ".incomplete").exists()
    for kind in ("memo", "external"):  # the other kinds' examples, each a set of one letter
        assert len(list((out / kind).glob("*.pdf"))) == 1 and len(list((out / kind).glob("*.docx"))) == 1
        assert (out / kind / "register.xlsx").is_file()


def _version() -> str:
    from lettergen import __version__

    return __version__


def test_version_option(capsys):
    from lettergen.cli import main

    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.strip() == f"lettergen {_version()}"


@pytest.mark.optional_tools
def test_hidden_tools_skip_even_in_ci(monkeypatch):
    monkeypatch.setattr(conftest, "IN_CI", True)
    monkeypatch.setattr(conftest, "HIDE_TOOLS", True)
    with pytest.raises(pytest.skip.Exception, match="LETTERGEN_TEST_HIDE_TOOLS=1"):
        conftest.require_tool("sh")  # present on every machine, yet counted as missing


@pytest.mark.optional_tools
def test_a_missing_tool_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(conftest, "HIDE_TOOLS", False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="soffice is not installed"):
        conftest.require_tool("soffice")
    monkeypatch.setattr(conftest, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception, match="soffice is not installed"):
        conftest.require_tool("soffice")


class _Test:
    """A test as pytest runs it, with the optional marker or without."""

    nodeid = "tests/test_x.py::test_y"

    def __init__(self, marked: bool):
        self.marked = marked

    def get_closest_marker(self, name):
        return object() if self.marked and name == conftest.OPTIONAL else None


def test_a_test_that_uses_an_optional_program_must_carry_the_marker(monkeypatch):
    """Without the marker, .ci/run's pass without the optional programs would leave the test
    out: calling require_tool (or uses_optional) from it fails, whether the tool is there,
    hidden or missing."""
    monkeypatch.setattr(conftest, "HIDE_TOOLS", False)
    monkeypatch.setattr(conftest, "_RUNNING", [_Test(marked=False)])
    for use in (lambda: conftest.require_tool("sh"), lambda: conftest.uses_optional("libharfbuzz-subset0")):
        with pytest.raises(pytest.fail.Exception, match="without @pytest.mark.optional_tools"):
            use()
    monkeypatch.setattr(conftest, "HIDE_TOOLS", True)
    with pytest.raises(pytest.fail.Exception, match="without @pytest.mark.optional_tools"):
        conftest.require_tool("sh")
    monkeypatch.setattr(conftest, "_RUNNING", [_Test(marked=True)])
    with pytest.raises(pytest.skip.Exception, match="LETTERGEN_TEST_HIDE_TOOLS=1"):
        conftest.require_tool("sh")
    monkeypatch.setattr(conftest, "HIDE_TOOLS", False)
    assert conftest.require_tool("sh").endswith("/sh")
    conftest.uses_optional("libharfbuzz-subset0")


def test_the_lock_pins_every_dependency_within_pyproject_bounds():
    """requirements.lock (pip install -c requirements.lock .) names one version of every
    dependency, and that version is one pyproject.toml allows."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock (refresh it: see its header)"
        assert requirement.specifier.contains(pins[name]), (name, pins[name], str(requirement.specifier))
