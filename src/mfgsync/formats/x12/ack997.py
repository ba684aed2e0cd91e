"""997 functional acknowledgement: read one, write one, and generate one for a received interchange.

AK1/AK9 answer a functional group, AK2/AK5 each transaction set; AK3/AK4 point at the segment
and element in error. Codes are those of X12 data elements 718, 715, 717, 720 and 723.
"""

from __future__ import annotations

from typing import Any

from mfgsync.formats.errors import FormatError
from mfgsync.formats.x12.common import Context
from mfgsync.formats.x12.envelope import Group, Interchange, TransactionSet
from mfgsync.formats.x12.syntax import Segment, element
from mfgsync.formats.walking import walk

# Reason code -> AK502 (718) transaction set syntax error code.
SET_ERROR_CODES = {"EDI_UNSUPPORTED_MESSAGE": "1", "X12_SET_TRAILER_MISSING": "2",
                   "X12_CONTROL_NUMBER_MISMATCH": "3", "X12_SE_COUNT_MISMATCH": "4"}
# Reason code -> AK304 (720) segment syntax error code.
SEGMENT_ERROR_CODES = {"EDI_UNKNOWN_SEGMENT": "2", "EDI_MANDATORY_SEGMENT_MISSING": "3",
                       "EDI_SEGMENT_REPEAT_EXCEEDED": "5", "EDI_SEGMENT_OUT_OF_ORDER": "7"}
# Reason code -> AK403 (723) element syntax error code; other data errors are "invalid character".
ELEMENT_ERROR_CODES = {"EDI_UNKNOWN_CODE": "7", "UOM_UNKNOWN": "7", "EDI_INVALID_DATE": "8",
                       "MISSING_ATTRIBUTE": "1"}
# Reason code -> AK905 (716) functional group syntax error code.
GROUP_ERROR_CODES = {"X12_GROUP_TRAILER_MISSING": "3", "X12_CONTROL_NUMBER_MISMATCH": "4",
                     "X12_SET_COUNT_MISMATCH": "5"}


def _set_response(ts: TransactionSet) -> list[Segment]:
    out: list[Segment] = [["AK2", ts.set_id, ts.control_number]]
    set_codes: list[str] = []
    for error in ts.errors:
        if error.code in SET_ERROR_CODES:
            set_codes.append(SET_ERROR_CODES[error.code])
            continue
        position = str(error.segment - ts.first + 2) if error.segment is not None else ""
        segment_code = SEGMENT_ERROR_CODES.get(error.code, "8")
        out.append(["AK3", error.tag or "", position, "", segment_code])
        if segment_code == "8":
            out.append(["AK4", str(error.element or ""), "", ELEMENT_ERROR_CODES.get(error.code, "6")])
        set_codes.append("5")
    out.append(["AK5", "R" if ts.errors else "A", *sorted(set(set_codes))[:5]])
    return out


def acknowledge_group(group: Group) -> list[Segment]:
    """The body of a 997 answering `group`: accepted, partially accepted or rejected."""
    body: list[Segment] = [["AK1", group.functional_id, group.control_number]]
    for ts in group.sets:
        body += _set_response(ts)
    accepted = sum(1 for ts in group.sets if not ts.errors)
    group_codes = sorted({GROUP_ERROR_CODES.get(e.code, "") for e in group.errors} - {""})
    if group.errors or (group.sets and accepted == 0):
        status = "R"
    else:
        status = "A" if accepted == len(group.sets) else "P"
    body.append(["AK9", status, str(len(group.sets)), str(len(group.sets)), str(accepted), *group_codes[:5]])
    return body


def acknowledgements(interchange: Interchange) -> list[list[Segment]]:
    return [acknowledge_group(group) for group in interchange.groups]


def read(segments: list[Segment], first: int, ctx: Context) -> dict[str, Any]:
    ack: dict[str, Any] = {"sets": []}

    def ak1(s: Segment) -> None:
        ack.update(functional_id=element(s, 1), group_control_number=element(s, 2))

    def ak2(s: Segment) -> None:
        ack["sets"].append({"set_id": element(s, 1), "control_number": element(s, 2), "segment_errors": []})

    def ak3(s: Segment) -> None:
        if ack["sets"]:
            ack["sets"][-1]["segment_errors"].append(
                {"tag": element(s, 1), "position": element(s, 2), "code": element(s, 4)})

    def ak5(s: Segment) -> None:
        if not ack["sets"]:
            raise FormatError("EDI_SEGMENT_OUT_OF_ORDER", "AK5 without an AK2")
        ack["sets"][-1].update(status=element(s, 1), errors=[e for e in s[2:] if e])

    def ak9(s: Segment) -> None:
        ack.update(status=element(s, 1), sets_included=element(s, 2), sets_received=element(s, 3),
                   sets_accepted=element(s, 4), group_errors=[e for e in s[5:] if e])

    walk(segments, first, {"AK1": ak1, "AK2": ak2, "AK3": ak3, "AK5": ak5, "AK9": ak9})
    return ack


def write(ack: dict[str, Any], ctx: Context) -> list[Segment]:
    try:
        out: list[Segment] = [["AK1", str(ack["functional_id"]), str(ack["group_control_number"])]]
        for ts in ack.get("sets", []):
            out.append(["AK2", str(ts["set_id"]), str(ts["control_number"])])
            for error in ts.get("segment_errors", []):
                out.append(["AK3", str(error["tag"]), str(error["position"]), "", str(error["code"])])
            out.append(["AK5", str(ts["status"]), *map(str, ts.get("errors", []))])
        out.append(["AK9", str(ack["status"]), str(ack["sets_included"]), str(ack["sets_received"]),
                    str(ack["sets_accepted"]), *map(str, ack.get("group_errors", []))])
    except (KeyError, TypeError) as exc:
        raise FormatError("MISSING_ATTRIBUTE", f"functional acknowledgement lacks {exc}") from None
    return out
