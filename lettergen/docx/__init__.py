"""The DOCX writer: letters -> python-docx -> DOCX.

writer.py       the letter's own pages: Garuda band, head, body paragraphs, signature
tables.py       its attachments and their tables (the step sheet built once, then pasted)
document.py     one letter's document while it is written; blocks copied between letters
blank.py        the blank document a letter starts from (Thai defaults, page), and saving it
thai_xml.py     the raw WordprocessingML for Thai (complex-script attributes) in one place
package_zip.py  the zip a DOCX package is, each distinct part compressed once
python_docx.py  everything taken from python-docx beyond its API, and its version check
"""
