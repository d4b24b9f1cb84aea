"""The DOCX writer: letters -> python-docx -> DOCX.

writer.py       the letter's blocks as Word paragraphs and tables
thai_xml.py     the raw WordprocessingML for Thai (complex-script attributes) in one place
package_zip.py  the zip a DOCX package is, each distinct part compressed once
"""
