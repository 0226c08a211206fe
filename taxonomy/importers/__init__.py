"""Generators of the shipped data files in `taxonomy/data/` from the official / reference files.

Each importer reads its sources completely and checks them before anything is written, then writes through a
temp file and a rename, so a bad input file leaves the shipped data untouched.
"""

from __future__ import annotations


class ImportFileError(Exception):
    """A source file cannot be imported; the message is one line naming the file and what is wrong."""
