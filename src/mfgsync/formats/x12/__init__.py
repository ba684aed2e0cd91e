"""ANSI X12: 850, 855, 856, 810 and 997 in 004010 and 005010, and the TA1 that answers an envelope."""

from mfgsync.formats.x12.envelope import EnvelopeSettings
from mfgsync.formats.x12.reader import read, read_interchanges
from mfgsync.formats.x12.syntax import Delimiters
from mfgsync.formats.x12.writer import render, render_997, render_many, render_ta1

__all__ = ["Delimiters", "EnvelopeSettings", "read", "read_interchanges", "render", "render_997", "render_many",
           "render_ta1"]
