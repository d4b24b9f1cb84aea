"""Golden page images: page 1 of a district circular and the step-table page, rendered with
pdfium and compared with a small tolerance, so an unintended layout change fails here.
Refresh with `pytest --update-goldens` after an intended change, and look at the new PNGs."""

from __future__ import annotations


import pytest

from conftest import GOLDEN

DPI = 60
PAGES = {"5714-page1.png": 1, "5714-steps.png": 4}


def render_page(pdf: bytes, number: int):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[number - 1].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


@pytest.fixture(scope="module")
def pdf(example):
    from lettergen.pdf.writer import write_pdf

    _, _, letters = example
    return write_pdf(next(l for l in letters if l.key == "5714"))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matches_its_golden_image(pdf, name, request):
    from PIL import Image, ImageChops

    image = render_page(pdf, PAGES[name])
    path = GOLDEN / name
    if request.config.getoption("--update-goldens"):
        image.save(path, optimize=True)
        return
    golden = Image.open(path).convert("L")
    assert image.size == golden.size
    diff = ImageChops.difference(image, golden)
    changed = sum(diff.histogram()[65:])
    share = changed / (image.size[0] * image.size[1])
    assert share < 0.002, f"{name}: {share:.2%} of the pixels changed (see --update-goldens)"
    # and the change is not one shifted line: no 20x20 block differs by more than a little
    assert diff.resize((diff.size[0] // 20, diff.size[1] // 20), Image.BOX).getextrema()[1] < 40
