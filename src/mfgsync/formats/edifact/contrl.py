"""CONTRL: read one, write one, and generate one answering a received interchange.

UCI answers the interchange, UCM each message, UCS points at a segment in error. Action codes
(0083): 7 acknowledged, 4 rejected. Syntax error codes (0085) per reason code below.
"""

from __future__ import annotations

from typing import Any

from mfgsync.formats.edifact.common import Context
from mfgsync.formats.edifact.envelope import Interchange, Message
from mfgsync.formats.edifact.syntax import Segment, component
from mfgsync.formats.errors import FormatError
from mfgsync.formats.walking import walk

ACCEPTED, REJECTED = "7", "4"
SYNTAX_ERROR_CODES = {"EDIFACT_UNT_COUNT_MISMATCH": "29", "EDIFACT_COUNT_MISMATCH": "29",
                      "EDIFACT_REFERENCE_MISMATCH": "28",
                      "EDI_MANDATORY_SEGMENT_MISSING": "13", "EDI_SEGMENT_OUT_OF_ORDER": "15",
                      "EDI_UNKNOWN_SEGMENT": "15", "EDI_SEGMENT_REPEAT_EXCEEDED": "35",
                      "EDI_TRUNCATED": "13", "EDI_UNSUPPORTED_MESSAGE": "18"}
_INVALID_VALUE = "12"


def _message_response(message: Message) -> list[Segment]:
    kind = [message.type, message.version, message.release, message.agency]
    if not message.errors:
        return [["UCM", message.reference, kind, ACCEPTED]]
    error = message.errors[0]
    code = SYNTAX_ERROR_CODES.get(error.code, _INVALID_VALUE)
    out: list[Segment] = [["UCM", message.reference, kind, REJECTED, code]]
    if error.segment is not None and error.code not in ("EDIFACT_REFERENCE_MISMATCH", "EDIFACT_UNT_COUNT_MISMATCH"):
        out.append(["UCS", str(error.segment - message.first + 2), code])
    return out


def acknowledge(interchange: Interchange) -> list[Segment]:
    """The body of a CONTRL answering `interchange`: its envelope in the UCI, each message in a UCM.

    A broken envelope rejects the interchange whole: the UCI carries the syntax error and the
    service segment at fault (UCI05, UCI06), and no message is answered on its own.
    """
    uci: Segment = ["UCI", interchange.reference, [interchange.sender], [interchange.recipient]]
    if interchange.errors:
        error = interchange.errors[0]
        return [uci + [REJECTED, SYNTAX_ERROR_CODES.get(error.code, _INVALID_VALUE), error.tag or ""]]
    action = REJECTED if any(m.errors for m in interchange.messages) else ACCEPTED
    body: list[Segment] = [uci + [action]]
    for message in interchange.messages:
        body += _message_response(message)
    return body


def read(segments: list[Segment], first: int, ctx: Context) -> dict[str, Any]:
    ack: dict[str, Any] = {"messages": []}

    def uci(s: Segment) -> None:
        ack.update(interchange_reference=component(s, 1), sender=component(s, 2), recipient=component(s, 3),
                   action=component(s, 4), error=component(s, 5), segment=component(s, 6))

    def ucm(s: Segment) -> None:
        ack["messages"].append({"reference": component(s, 1), "type": component(s, 2, 0), "action": component(s, 3),
                                "error": component(s, 4), "segment_errors": []})

    def ucs(s: Segment) -> None:
        if not ack["messages"]:
            raise FormatError("EDI_SEGMENT_OUT_OF_ORDER", "UCS without a UCM")
        ack["messages"][-1]["segment_errors"].append({"position": component(s, 1), "error": component(s, 2)})

    walk(segments, first, {"UCI": uci, "UCM": ucm, "UCS": ucs})
    return ack


def write(ack: dict[str, Any], ctx: Context) -> list[Segment]:
    try:
        out: list[Segment] = [["UCI", str(ack["interchange_reference"]), [str(ack["sender"])],
                               [str(ack["recipient"])], str(ack["action"]), str(ack.get("error") or ""),
                               str(ack.get("segment") or "")]]
        for message in ack.get("messages", []):
            out.append(["UCM", str(message["reference"]), [str(message["type"]), "D", "96A", "UN"],
                        str(message["action"]), str(message.get("error") or "")])
            for error in message.get("segment_errors", []):
                out.append(["UCS", str(error["position"]), str(error["error"])])
    except (KeyError, TypeError) as exc:
        raise FormatError("MISSING_ATTRIBUTE", f"CONTRL lacks {exc}") from None
    return out
