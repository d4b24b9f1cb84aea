"""The files a spec names (letter.emblem): the command line reads any path on the clerk's
own machine; given ``files_from`` (the web app), only files inside those folders, and a
name that could lead out is refused before any file is looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE
from lettergen.errors import SpecError
from lettergen.spec import load_spec, with_overrides


def emblem_png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (20, 20), "white").save(path)
    return path


def spec_naming(folder: Path, emblem: str) -> Path:
    text = (EXAMPLE / "letter.toml").read_text(encoding="utf-8")
    text = text.replace('# emblem = "garuda.png"', f"emblem = '{emblem}'")  # a literal string
    assert f"emblem = '{emblem}'" in text
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "letter.toml").write_text(text, encoding="utf-8")
    return folder / "letter.toml"


def test_the_command_line_reads_an_emblem_anywhere(tmp_path):
    outside = emblem_png(tmp_path / "elsewhere.png")
    spec = load_spec(spec_naming(tmp_path / "spec", str(outside)))
    assert spec.emblem == outside.resolve()
    spec = load_spec(spec_naming(tmp_path / "spec", "../elsewhere.png"))
    assert spec.emblem == outside.resolve()


@pytest.mark.parametrize("name", ["/etc/passwd", "/etc/no-such-file", "../../usr/share/pixmaps/x.png",
                                  "../elsewhere.png", "sub/../../elsewhere.png", "..\\elsewhere.png"])
def test_a_name_leading_out_of_the_folders_is_refused_alike_whether_it_exists_or_not(tmp_path, name):
    emblem_png(tmp_path / "elsewhere.png")
    library = tmp_path / "library"
    library.mkdir()
    with pytest.raises(SpecError) as caught:
        load_spec(spec_naming(tmp_path / "spec", name), files_from=[tmp_path / "spec", library])
    assert caught.value.key == "letter.emblem"
    assert caught.value.message == (f"ไฟล์ที่ระบุต้องเป็นชื่อไฟล์ในพื้นที่ทำงาน เช่น \"garuda.png\" "
                                     f"ไม่ใช่ตำแหน่ง \"{name}\"")


def test_an_emblem_is_taken_from_the_first_folder_that_has_it(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    found = emblem_png(library / "ครุฑ.png")
    spec = load_spec(spec_naming(tmp_path / "spec", "ครุฑ.png"), files_from=[tmp_path / "spec", library])
    assert spec.emblem == found.resolve()
    with pytest.raises(SpecError, match="ไม่พบไฟล์ตราครุฑ อื่น.png ในพื้นที่ทำงาน"):
        load_spec(spec_naming(tmp_path / "spec", "อื่น.png"), files_from=[library])


def test_a_link_inside_a_folder_does_not_lead_out(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "garuda.png").symlink_to(emblem_png(tmp_path / "outside.png"))
    with pytest.raises(SpecError, match="ไม่พบไฟล์ตราครุฑ garuda.png ในพื้นที่ทำงาน"):
        load_spec(spec_naming(tmp_path / "spec", "garuda.png"), files_from=[library])


def test_the_folders_hold_for_overrides_and_the_reminder(tmp_path):
    """A sheet column "letter.emblem" (a per-row override) and the reminder's spec are read
    within the same folders as the letter."""
    library = tmp_path / "library"
    library.mkdir()
    emblem_png(tmp_path / "outside.png")
    spec = load_spec(EXAMPLE / "letter.toml", files_from=[library])
    assert spec.emblem is None and spec.files_from == (library,)
    with pytest.raises(SpecError, match="ไม่ใช่ตำแหน่ง"):
        with_overrides(spec, {"letter.emblem": str(tmp_path / "outside.png")}, origin="แถว 3")
    from lettergen.remind import reminder_spec

    assert reminder_spec(spec, spec.date).files_from == (library,)
