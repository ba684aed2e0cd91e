"""Segment tables of the X12 transaction sets the hub reads (004010/005010 order and usage).

Each lists the segments between ST and SE as the implementation guides do: position order,
mandatory (m) or optional (o), maximum use, and loops by their trigger segment.
"""

from __future__ import annotations

from mfgsync.formats.segment_table import MANY, loop, m, o

_N1_LOOP = loop("N1", o("N1"), o("N2", 2), o("N3", 2), o("N4"), o("NX2", MANY), o("REF", 12), o("PER", 3),
                o("SI", MANY), o("FOB"), o("TD1", 2), o("TD5", 12), o("TD3", 12), o("TD4", 5), o("PKG", 200),
                repeats=200)
_PID_LOOP = loop("PID", o("PID"), o("MEA", 10), repeats=1000)
_SAC_LOOP = loop("SAC", o("SAC"), o("CUR"), repeats=25)
_ITEM_DETAIL = (o("LIN", 1), o("SI", 1000), o("CUR"), o("CN1"), o("PO3", 25), loop("CTP", o("CTP"), o("CUR")),
                o("MEA", 40), _PID_LOOP, o("PWK", 25), o("PO4", 1), o("REF", 1000), o("PER", 3), _SAC_LOOP,
                o("IT8"), o("CSH", 5), o("ITD", 2), o("DIS", 20), o("INC"), o("TAX", MANY), o("FOB", MANY),
                o("SDQ", 500), o("IT3", 5), o("DTM", 10), o("TC2", MANY), o("TD1"), o("TD5", 12), o("TD3", 12),
                o("TD4", 5), o("PCT", MANY), o("MAN", 10), o("MSG", 12), o("SPI", MANY), o("TXI", MANY),
                o("CTB", MANY), loop("QTY", o("QTY"), o("SI", MANY)), loop("SCH", o("SCH"), o("TD1", 2),
                o("TD5", 12), o("TD3", 12), o("TD4", 5), o("REF", MANY), repeats=200),
                o("PKG", 200), o("LS"), loop("LDT", o("LDT"), o("QTY"), o("MSG"), o("REF", 3)),
                o("LE"), _N1_LOOP, loop("SLN", o("SLN"), o("MSG"), o("SI"), o("PID", 1000), repeats=1000))
_HEADER = (o("CUR"), o("REF", MANY), o("PER", 3), o("TAX", MANY), o("FOB", MANY), o("CTP", MANY),
           o("PAM", 10), o("CSH", 5), o("TC2", MANY), _SAC_LOOP, o("ITD", MANY), o("DIS", 20), o("INC"),
           o("DTM", 10), o("LDT", 12), o("LIN", 5), o("SI", MANY), _PID_LOOP, o("MEA", 40), o("PWK", 25),
           o("PKG", 200), o("TD1", 2), o("TD5", 12), o("TD3", 12), o("TD4", 5), o("MAN", 10), o("PCT", MANY),
           o("CTB", 5), o("TXI", MANY), loop("AMT", o("AMT"), o("REF", MANY), o("DTM"), o("PCT", MANY)),
           loop("N9", o("N9"), o("DTM", 10), o("MSG", 1000), repeats=1000), _N1_LOOP, o("LM", MANY),
           o("SPI", MANY), o("ADV", MANY))
_CTT_LOOP = loop("CTT", o("CTT"), o("AMT"))

PURCHASE_ORDER_850 = (m("BEG"), *_HEADER,
                      loop("PO1", o("PO1"), *_ITEM_DETAIL[0:], mandatory=True, repeats=100_000), _CTT_LOOP)

PO_ACK_855 = (m("BAK"), *_HEADER,
              loop("PO1", o("PO1"), *_ITEM_DETAIL[:24],
                   loop("ACK", o("ACK"), o("DTM"), repeats=104), *_ITEM_DETAIL[24:], repeats=100_000), _CTT_LOOP)

_HL_DETAIL = (o("LIN"), o("SN1"), o("SLN", 1000), o("PRF"), o("PO4"), o("PID", 200), o("MEA", 40), o("PWK", 25),
              o("PKG", 25), o("TD1", 20), o("TD5", 12), o("TD3", 12), o("TD4", 5), o("REF", MANY), o("PER", 3),
              loop("LH1", o("LH1"), o("LH2", 4), o("LH3", 10), o("LFH", 20), o("LEP", 3), o("LH4"), o("LHT", 3),
                   o("LHR", 10), o("PER", 5), o("LHE"), repeats=100),
              loop("CLD", o("CLD"), o("REF", 200), o("DTP"), repeats=200), o("MAN", MANY), o("DTM", 10),
              o("FOB"), o("PAL"), _N1_LOOP, o("SDQ", 50), o("ETD"), o("CUR"), loop("SAC", o("SAC"), o("CUR")),
              o("GF"), o("YNQ", 10), o("LH6", 5))
SHIP_NOTICE_856 = (m("BSN"), o("DTM", 10),
                   loop("HL", o("HL"), *_HL_DETAIL, mandatory=True, repeats=200_000), o("CTT"))

INVOICE_810 = (m("BIG"), o("NTE", 100), o("CUR"), o("REF", 12), o("YNQ", 10), o("PER", 3), _N1_LOOP,
               o("ITD", MANY), o("DTM", 10), o("FOB"), o("PID", 200), o("MEA", 40), o("PWK", 25), o("PKG", 25),
               o("L7"), o("BAL", MANY), o("INC"), o("PAM", MANY), loop("LM", o("LM"), o("LQ", 100), repeats=10),
               loop("N9", o("N9"), o("MSG", 10), repeats=1),
               loop("IT1", o("IT1"), o("CRC"), o("QTY", 5), o("CUR"), o("IT3", 5), o("TXI", 10), o("CTP", 25),
                    o("PAM", 10), o("MEA", 40), _PID_LOOP, o("PWK", 25), o("PKG", 25), o("PO4"), o("ITD", 2),
                    o("REF", MANY), o("YNQ", 10), o("PER", 5), o("SDQ", 500), o("DTM", 10), o("CAD", MANY),
                    o("L7", MANY), o("SR"), _SAC_LOOP, o("SLN"), _N1_LOOP, repeats=200_000),
               m("TDS"), o("TXI", 10), o("CAD"), o("AMT", MANY), _SAC_LOOP, loop("ISS", o("ISS"), o("PID"), repeats=MANY),
               o("CTT"))

FUNCTIONAL_ACK_997 = (m("AK1"),
                      loop("AK2", o("AK2"), loop("AK3", o("AK3"), o("AK4", 99), repeats=MANY), m("AK5"),
                           repeats=MANY),
                      m("AK9"))

TABLES = {"850": PURCHASE_ORDER_850, "855": PO_ACK_855, "856": SHIP_NOTICE_856, "810": INVOICE_810,
          "997": FUNCTIONAL_ACK_997}
