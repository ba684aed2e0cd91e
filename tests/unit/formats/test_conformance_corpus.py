"""Other people's EDI files: valid ones parse to documents, broken ones end in a clear error."""

import os
from pathlib import Path

import pytest

from mfgsync.formats import FormatError, decode, parse_edi
from mfgsync.rules.reasons import CATALOGUE

from .conftest import FIXTURES

# The shared conformance corpus beside the checkout, or where MFGSYNC_EDI_CORPUS says.
CORPUS = Path(os.environ.get("MFGSYNC_EDI_CORPUS", Path(__file__).resolve().parents[4] / "shared" / "corpus" / "edi"))

# Files that are sound (per their source and per the standard) and must yield documents.
MUST_PARSE = {
    "Silvenga__vscode-edi-x12-support/old.edi": 1, "aaronhuggins__node-x12/850.edi": 1,
    "aaronhuggins__node-x12/850_2.edi": 1, "aaronhuggins__node-x12/850_fat.edi": 2,
    "aaronhuggins__node-x12/855.edi": 1, "aaronhuggins__node-x12/856.edi": 1,
    "apimeister__x12-types/004010_850.edi": 1, "apimeister__x12-types/004060_856.edi": 1,
    "indice-co__EDI.Net/x12.810a.edi": 1, "kputnam__stupidedi/004010/FA997/pass/1.edi": 1,
    "kputnam__stupidedi/004010/IN810/pass/1.edi": 1, "kputnam__stupidedi/004010/PO850/pass/1.edi": 1,
    "kputnam__stupidedi/004010/PR855/pass/1.edi": 1, "nerdocs__pydifact/invoice1.edi": 1,
    "nerdocs__pydifact/invoice_with_colon_at_end.edi": 1, "smooks__smooks-edi-cartridge/ORDERS_D.03B_Interchange.txt": 1,
    "xlate__staedi/invoic_d97b.edi": 1, "xlate__staedi/invoic_d97b_una.edi": 1,
    "xlate__staedi/wrapped_invoic_d97b.edi": 1, "xlate__staedi/invoice810_po850_dual.edi": 3,
    "xlate__staedi/multi-tx-transaction-type.edi": 2, "xlate__staedi/optionalInterchangeServices.edi": 1,
    "xlate__staedi/simple810.edi": 2, "xlate__staedi/simple997-multiple-interchanges.edi": 3,
    "xlate__staedi/simple997.edi": 1,
}
# Files their authors made invalid on purpose, with the fault the hub reports.
MUST_FAIL = {
    "kputnam__stupidedi/003010/PO850/fail/1.edi": "X12_SE_COUNT_MISMATCH",
    "kputnam__stupidedi/004010/SH856/fail/2.edi": "X12_SE_COUNT_MISMATCH",
    "malteehrlen__edifact-ls/desadv-violation.edi": "EDI_SEGMENT_REPEAT_EXCEEDED",
    "malteehrlen__edifact-ls/envelope-count-mismatch.edi": "EDIFACT_UNT_COUNT_MISMATCH",
    "malteehrlen__edifact-ls/envelope-error.edi": "EDI_TRUNCATED",
    "malteehrlen__edifact-ls/ordrsp-violation.edi": "EDIFACT_UNT_COUNT_MISMATCH",
    "smooks__smooks-edi-cartridge/BAD_ORDERS_D.03B_Interchange.txt": "EDIFACT_UNT_COUNT_MISMATCH",
    "xlate__staedi/invoic_d97b_bad.edi": "EDI_SEGMENT_REPEAT_EXCEEDED",
}


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
                  if p.is_file() and p.suffix in (".edi", ".txt"))


def outcome(path: Path):
    try:
        result = parse_edi(decode(path.read_bytes()))
    except FormatError as error:
        assert error.code in CATALOGUE, error.code
        return error.code
    return sum(len(i["documents"]) for i in result["interchanges"])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared EDI corpus is not beside this checkout")
@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_file_parses_or_fails_with_a_reason_code(name):
    result = outcome(CORPUS / name)
    if name in MUST_PARSE:
        assert result == MUST_PARSE[name]
    if name in MUST_FAIL:
        assert result == MUST_FAIL[name]


@pytest.mark.parametrize("name,documents", [("node-x12_856.edi", 1), ("staedi_simple810.edi", 2),
                                            ("pydifact_invoice1.edi", 1)])
def test_copied_partner_files_parse(name, documents):
    assert outcome(FIXTURES / "corpus" / name) == documents
