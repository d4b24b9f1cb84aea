"""One exception family for bad input. Each error names where the problem is (file, row,
column, or spec key) and says what is wrong in Thai, since a clerk reads it.

The CLI prints ``str(error)`` as one line and exits with code 2; nothing is written.
"""

from __future__ import annotations

import difflib
from pathlib import Path


class InputError(Exception):
    """Bad input: a spec, a recipients sheet, a template or a resource file."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        key: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.key = key

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"แถว {self.row}")
        if self.column:
            letter = getattr(self.column, "letter", "")  # a sheets.columns.ColumnLabel
            parts.append(f"คอลัมน์ {letter} \"{self.column}\"" if letter and letter != self.column
                         else f"คอลัมน์ \"{self.column}\"")
        if self.key:
            parts.append(f"คีย์ {self.key}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class SpecError(InputError):
    """A problem in the letter spec (TOML) or a --set override."""


class RecipientsError(InputError):
    """A problem in the recipients sheet (CSV or XLSX). ``others``: the problems of the rows
    after this one's, when the sheet was read to its end (the command line says the first;
    the web page marks them all)."""

    others: tuple["RecipientsError", ...] = ()


class TemplateError(InputError):
    """A spec text that does not render (syntax error, undefined variable)."""


class ResourceError(InputError):
    """A missing or unusable font, emblem or template file."""


def did_you_mean(word: str, choices) -> str:
    """" (หรือหมายถึง "x")" for the closest of ``choices``, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (หรือหมายถึง \"{close[0]}\")" if close else ""
