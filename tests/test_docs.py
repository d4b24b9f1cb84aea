"""The README is tested like code: its library example runs, every command it lists exists
with the options it shows, and its Quick start is what .ci/run runs."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_library_example_runs(tmp_path, monkeypatch):
    code = "\n".join(line[4:] for line in section("As a library").splitlines() if line.startswith("    "))
    monkeypatch.chdir(ROOT)
    code = code.replace('Path(f"{rendered.letter.key}.pdf")', f'(Path(r"{tmp_path}") / f"{{rendered.letter.key}}.pdf")')
    exec(compile(code, "README.md", "exec"), {})
    written = list(tmp_path.glob("*.pdf"))
    assert [p.name for p in written] == ["570102.pdf"]
    assert written[0].read_bytes().startswith(b"%PDF-")


def test_every_command_and_option_in_the_readme_exists():
    from lettergen.cli import _parser

    parser = _parser()
    commands = "\n".join(line for line in section("Commands").splitlines() if line.startswith("    "))
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    listed = re.findall(r"^    lettergen (\w+)", commands, re.M)
    assert set(listed) == set(subparsers), (listed, sorted(subparsers))
    for name in listed:
        block = commands.split(f"lettergen {name}", 1)[1].split("lettergen ", 1)[0]
        options = set(re.findall(r"--[a-z-]+", block))
        known = {o for action in subparsers[name]._actions for o in action.option_strings}
        assert options <= known, (name, options - known)


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    quick = section("Quick start")
    commands = [line.strip() for line in quick.splitlines() if line.startswith("    ")]
    assert len(commands) == 2
    assert commands[0].endswith("lettergen demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
