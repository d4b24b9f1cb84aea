"""The PDF writer: letters -> rows -> justified lines -> WeasyPrint -> placed pages -> PDF.

justify.py     body paragraphs cut into justified lines (Thai words, the font's advances;
               a long link cut where lettergen/links.py lets it break)
rows.py        a letter's own pages as rows (blocks that never break across pages)
paginate.py    rows onto pages (pure arithmetic, points)
placement.py   laid-out rows cut out of a WeasyPrint document and placed on pages (pikepdf)
weasy.py       everything taken from WeasyPrint, its internals included, and its version check
fontfix.py     the bundled fonts patched so that text copied out of the PDF is right
actualtext.py  each laid-out line's own text (/ActualText), so copied text has no added spaces
writer.py      the templates, WeasyPrint, and the batch writer that ties these together
"""
