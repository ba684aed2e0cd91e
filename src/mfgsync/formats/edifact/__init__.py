"""UN/EDIFACT: ORDERS, ORDRSP, DESADV, INVOIC and CONTRL (D.96A and later)."""

from mfgsync.formats.edifact.envelope import EnvelopeSettings
from mfgsync.formats.edifact.reader import read, read_interchanges
from mfgsync.formats.edifact.writer import render, render_contrl, render_many

__all__ = ["EnvelopeSettings", "read", "read_interchanges", "render", "render_contrl", "render_many"]
