"""Segment tables of the EDIFACT messages the hub reads (D.96A order and usage, later releases'
extra segments allowed where they sit). Segment groups are loops named SGn as in the directory."""

from __future__ import annotations

from mfgsync.formats.segment_table import loop, m, o

_RFF = loop("RFF", o("RFF"), o("DTM", 5), repeats=9999)
_CTA = loop("CTA", o("CTA"), o("COM", 5), repeats=10)
_NAD = loop("NAD", o("NAD"), o("LOC", 25), o("FII", 5), _RFF, loop("DOC", o("DOC"), o("DTM", 5), repeats=5),
            _CTA, repeats=99)
_TAX = loop("TAX", o("TAX"), o("MOA"), o("LOC", 5), repeats=10)
_CUX = loop("CUX", o("CUX"), o("PCD", 5), o("DTM", 5), repeats=5)
_PAT = loop("PAT", o("PAT"), o("DTM", 5), o("PCD"), o("MOA"), repeats=10)
_TDT = loop("TDT", o("TDT"), o("PCD"), loop("LOC", o("LOC"), o("DTM", 5), repeats=10), repeats=10)
_TOD = loop("TOD", o("TOD"), o("LOC", 2), repeats=5)
_PCI = loop("PCI", o("PCI"), o("RFF"), o("DTM", 5), o("MEA", 10), o("QTY", 10), o("GIN", 10), repeats=1000)
_PAC = loop("PAC", o("PAC"), o("MEA", 10), o("QTY", 5), o("DTM", 5), _RFF, o("HAN", 10), _PCI, repeats=1000)
_EQD = loop("EQD", o("EQD"), o("HAN", 5), o("MEA", 5), o("SEL", 25), o("EQA", 5), o("FTX", 5), repeats=10)
_SCC = loop("SCC", o("SCC"), o("FTX", 5), o("RFF", 5), loop("QTY", o("QTY"), o("DTM", 2), repeats=10),
            repeats=100)
_ALC = loop("ALC", o("ALC"), o("ALI", 5), o("DTM", 5), _RFF, loop("QTY", o("QTY"), o("RNG")),
            loop("PCD", o("PCD"), o("RNG")), loop("MOA", o("MOA", 2), o("RNG"), o("CUX"), o("DTM"), repeats=2),
            loop("RTE", o("RTE"), o("RNG")), _TAX, repeats=99)
_PRI = loop("PRI", o("PRI"), o("CUX"), o("APR"), o("RNG"), o("DTM", 5), repeats=25)
_HEADER = (o("DTM", 35), o("PAI"), o("ALI", 5), o("IMD", 999), o("FTX", 99), _RFF, _NAD, _TAX, _CUX, _PAT,
           _TDT, _TOD, _PAC, _EQD, _SCC, loop("APR", o("APR"), o("DTM", 5), o("RNG")), _ALC,
           loop("RCS", o("RCS"), o("RFF", 5), o("DTM", 5), o("FTX", 5)))
_LINE = loop("LIN", o("LIN"), o("PIA", 25), o("IMD", 99), o("MEA", 99), o("QTY", 99), o("PCD", 5), o("ALI", 5),
             o("DTM", 35), o("MOA", 10), o("GIN", 127), o("GIR", 1000), o("QVR"), o("EDT", 10), o("DOC", 5),
             o("PAI"), o("FTX", 99), loop("MOA", o("MOA"), o("QTY"), o("CUX"), repeats=100), _PAT, _PRI, _RFF,
             _PAC, loop("LOC", o("LOC"), o("QTY"), o("DTM"), repeats=9999), _TAX, _NAD, _ALC, _TDT, _TOD, _EQD,
             _SCC, loop("STG", o("STG"), loop("QTY", o("QTY"), o("DTM")), repeats=10), repeats=200_000)
_SUMMARY = (o("MOA", 12), o("CNT", 10), loop("MOA", o("MOA"), _RFF, repeats=100), _TAX, _ALC)

ORDERS = (m("BGM"), *_HEADER, _LINE, m("UNS"), *_SUMMARY)
ORDRSP = ORDERS
INVOIC = ORDERS

_DESADV_LINE = loop("LIN", o("LIN"), o("PIA", 10), o("IMD", 25), o("MEA", 10), o("QTY", 10), o("ALI", 10),
                    o("GIN", 100), o("GIR", 100), o("DLM", 100), o("DTM", 5), o("FTX", 5), o("MOA", 5), _RFF,
                    loop("DGS", o("DGS"), o("QTY"), o("FTX", 5)), loop("LOC", o("LOC"), o("NAD"), o("DTM"), o("QTY")),
                    loop("SGP", o("SGP"), o("QTY", 10)), _PCI, loop("QVR", o("QVR"), o("DTM")), repeats=200_000)
DESADV = (m("BGM"), o("DTM", 10), o("ALI", 5), o("MEA", 5), o("MOA", 5), _RFF, _NAD, _TOD, _TDT, _EQD,
          loop("CPS", o("CPS"), o("FTX", 5), _PAC, _DESADV_LINE, repeats=9999), o("CNT", 5))

CONTRL = (m("UCI"), loop("UCM", o("UCM"), loop("UCS", o("UCS"), o("UCD", 99), repeats=999), repeats=9_999_999))

TABLES = {"ORDERS": ORDERS, "ORDRSP": ORDRSP, "DESADV": DESADV, "INVOIC": INVOIC, "CONTRL": CONTRL}
