"""The zip file a DOCX package is, written with each distinct part compressed once.

Most of a letter's DOCX is the same in every letter: python-docx's styles (780 kB of XML in
two parts), theme, settings, headers and pictures. zipfile compresses every part of every
file again; here a part's compressed bytes are kept (by its content) and reused, so a letter
costs only the compression of what is its own (word/document.xml above all).

The file is an ordinary zip: a local header and the data for each entry, then the central
directory. Every entry carries the same fixed date (files.zip_date_time), so the same letter
gives the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from ..caches import cached
from ..files import dos_time, zip_date_time  # noqa: F401  (the one date rule)

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION = 20  # 2.0: deflate
_MADE_BY = _VERSION | 3 << 8  # on a Unix system, so the permission bits below are read
_MODE = 0o600 << 16
_STORED, _DEFLATED = 0, 8
LEVEL = 1  # a third of the time of zlib's default level, a few percent larger


@cached(maxsize=128)
def compressed(data: bytes, deflate: bool) -> tuple[int, int, bytes]:
    """(method, CRC-32, bytes as stored) of one part; kept for the parts letters share."""
    if not deflate:
        return _STORED, zlib.crc32(data), data
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return _DEFLATED, zlib.crc32(data), packer.compress(data) + packer.flush()


def zip_bytes(entries, date_time) -> bytes:
    """A zip of ``entries``, (name, data, deflate) in order, all dated ``date_time``."""
    time, date = dos_time(date_time)
    out, central = [], []
    offset = 0
    for name, data, deflate in entries:
        method, crc, stored = compressed(data, deflate)
        encoded = name.encode("ascii")  # part names are ASCII in python-docx's packages
        header = _LOCAL.pack(0x04034B50, _VERSION, 0, method, time, date, crc, len(stored),
                             len(data), len(encoded), 0)
        central.append(_CENTRAL.pack(0x02014B50, _MADE_BY, _VERSION, 0, method, time, date, crc,
                                     len(stored), len(data), len(encoded), 0, 0, 0, 0, _MODE,
                                     offset) + encoded)
        out += (header, encoded, stored)
        offset += len(header) + len(encoded) + len(stored)
    directory = b"".join(central)
    out += (directory, _END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory),
                                 offset, 0))
    return b"".join(out)
