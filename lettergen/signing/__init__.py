"""Signed letters: each PDF of a set signed with the office's certificate (PAdES), and the
check that anyone can run on a signed file.

- ``keys``: the office's .p12 loaded (its passphrase from a file, the environment or the
  terminal), refused in Thai when the passphrase is wrong, the file is no certificate, or
  the certificate cannot sign today;
- ``place``: where the visible signature goes on a letter, from the rows the PDF writer
  placed (the one function to change when a letter kind says where its signature goes);
- ``pyhanko_adapter``: everything taken from pyHanko (signing, the visible signature in
  Sarabun with its Thai text, the time-stamp client, validation);
- ``verify``: a signed file (or a folder of them) checked, one Thai line per file.

The render core signs (rendering.render_letters with a ``signer``), so the command line,
the batch engine's workers and the web app sign the same way; the batch engine signs in its
staging folder, so a set is wholly signed or not at all.
"""

from __future__ import annotations

from .keys import Signer, load_signer, read_passphrase
from .verify import Verdict, verify_paths

__all__ = ["Signer", "load_signer", "read_passphrase", "Verdict", "verify_paths"]
