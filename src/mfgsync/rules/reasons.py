"""Every reason code the hub raises: one stable string each, the role that must act, and why.

Codes are a contract (stored with exceptions, shown in the CLI, API and README). Add codes;
never rename one.
"""

from __future__ import annotations

from typing import NamedTuple


class Reason(NamedTuple):
    role: str  # engineering, supply_chain, warehouse, planner, admin
    description: str


CATALOGUE: dict[str, Reason] = {
    # --- envelope and structure (pipeline intake) ---
    "MALFORMED_JSON": Reason("admin", "the message is not a JSON object"),
    "PAYLOAD_TOO_LARGE": Reason("admin", "the message is larger than the intake limit"),
    "ENVELOPE_INVALID": Reason("admin", "an envelope attribute is missing or malformed"),
    "UNKNOWN_EVENT_TYPE": Reason("admin", "the event type is not one the hub knows"),
    "UNKNOWN_SOURCE": Reason("admin", "the source is not a configured system"),
    "MISSING_ATTRIBUTE": Reason("admin", "a mandatory attribute is missing"),
    "INVALID_FIELD": Reason("admin", "a field has a value of the wrong type or range"),
    "UNKNOWN_FIELD": Reason("admin", "the payload carries a field the canonical model does not have"),
    "TIMESTAMP_NOT_UTC": Reason("admin", "a timestamp carries no time zone"),
    "TIMESTAMP_OUT_OF_RANGE": Reason("admin", "a timestamp falls outside the years 1900 to 2199 once converted to UTC"),
    "TIMESTAMP_IN_FUTURE": Reason("admin", "a message's time is further ahead of the hub's clock than max_future_skew_seconds"),
    "NUMBER_OUT_OF_RANGE": Reason("admin", "a number is not finite, has more than 28 significant digits, or lies outside 10^-12 to 10^15"),
    "IDENTIFIER_INVALID": Reason("admin", "an identifier is empty, too long, or holds a control character, a lone surrogate or a key separator"),
    "EFFECTIVITY_INVERTED": Reason("engineering", "effective_to is before effective_from"),
    "REPORT_MOVEMENT_KIND": Reason("planner", "a production report carries a movement that is not consumption, completion or scrap"),
    "NOT_SYSTEM_OF_RECORD": Reason("admin", "the source does not own the fields it changes"),
    # --- units ---
    "UOM_UNKNOWN": Reason("engineering", "a unit of measure is not a known UN/CEFACT Rec 20 code or alias"),
    "UOM_NO_CONVERSION": Reason("engineering", "no conversion exists between the unit sent and the item's base unit"),
    "UOM_BAD_FACTOR": Reason("engineering", "a unit conversion factor is not positive"),
    # --- validation rules ---
    "ITEM_UNKNOWN": Reason("engineering", "a referenced item is not in the hub's item master"),
    "FIXED_LOT_NOT_POSITIVE": Reason("planner", "an item with lot rule fixed has no fixed_lot above zero"),
    "COMPONENT_UNKNOWN": Reason("engineering", "a BOM line's component is not in the hub's item master"),
    "COMPONENT_OBSOLETE": Reason("engineering", "a BOM line uses an obsolete component"),
    "QTY_PER_NOT_POSITIVE": Reason("engineering", "a BOM line's qty_per is zero or negative"),
    "SCRAP_PCT_OUT_OF_RANGE": Reason("engineering", "a BOM line's scrap_pct is outside [0, 100)"),
    "BOM_LINE_DUPLICATE": Reason("engineering", "a BOM carries the same line number twice"),
    "BOM_REVISION_REGRESSION": Reason("engineering", "a released revision comes before the current released one"),
    "EFFECTIVITY_OVERLAP": Reason("engineering", "two released revisions of an item are effective on the same day in one plant"),
    "BOM_CYCLE": Reason("engineering", "an item contains itself through the BOMs effective on one date"),
    "SUPPLIER_UNKNOWN": Reason("supply_chain", "a referenced supplier is not known to the hub"),
    "PO_UNKNOWN": Reason("supply_chain", "a referenced purchase order is not known to the hub"),
    "PO_ALREADY_EXISTS": Reason("supply_chain", "a created purchase order's number is held by an order with another supplier"),
    "PO_TRANSITION_INVALID": Reason("supply_chain", "a purchase order status change is outside the status graph"),
    "PO_LINE_UNKNOWN": Reason("supply_chain", "a referenced purchase order line does not exist on the order"),
    "PO_SUPPLIER_MISMATCH": Reason("supply_chain", "a supplier document names a purchase order placed with another supplier"),
    # --- supplier collaboration (workflows/supplier_orders.py and its neighbours) ---
    "EDI_DUPLICATE_INTERCHANGE": Reason("supply_chain", "a partner used an interchange control number again for another interchange"),
    "EDI_INTERCHANGE_REFUSED": Reason("supply_chain", "a document belongs to an interchange the hub refused, so it is not applied"),
    "EDI_ENVELOPE_REJECTED": Reason("supply_chain", "a partner's interchange has a broken envelope and was rejected whole"),
    "EDI_ACK_OVERDUE": Reason("supply_chain", "a partner has not sent the 997 or CONTRL for an interchange within its acknowledgement window"),
    "EDI_ACK_UNMATCHED": Reason("admin", "a partner acknowledged an interchange the hub did not send it"),
    "EDI_INTERCHANGE_REJECTED": Reason("supply_chain", "a partner's 997, CONTRL or TA1 rejected an interchange the hub sent"),
    "PO_ACK_OVERDUE": Reason("supply_chain", "a supplier has not acknowledged a purchase order (855, ORDRSP) within its window"),
    "ASN_OVERDUE": Reason("supply_chain", "no ship notice came for an acknowledged purchase order line before its promised date"),
    "PO_PROMISED_LATE": Reason("planner", "a supplier promises a purchase order line after its need date"),
    "PO_QTY_REDUCED": Reason("planner", "a supplier commits less than the ordered quantity of a purchase order line"),
    "PO_LINE_REJECTED": Reason("planner", "a supplier rejected a purchase order line"),
    "ASN_QTY_ABOVE_OPEN": Reason("supply_chain", "a ship notice ships more than is open on its purchase order line"),
    "RECEIPT_WITHOUT_ASN": Reason("warehouse", "a receipt of an item on order from a trading partner is covered by no ship notice"),
    "INVOICE_MISMATCH": Reason("supply_chain", "an invoice line does not match its order's price or the quantity received, within the partner's tolerances"),
    "INVOICE_DUPLICATE": Reason("supply_chain", "an invoice number was received before with other content"),
    "WEBHOOK_SIGNATURE_INVALID": Reason("admin", "a supplier webhook call is unsigned or its HMAC-SHA256 signature does not match its body"),
    "WEBHOOK_TIMESTAMP_STALE": Reason("admin", "a supplier webhook call's timestamp is outside the partner's window"),
    "WEBHOOK_REPLAYED": Reason("admin", "a supplier webhook call was received before: a replay is refused"),
    "SOURCING_LEAD_TIME_AT_RISK": Reason("planner", "a supplier's longer lead time can no longer meet the need date of open requisitions or planned orders"),
    "STOCK_NEGATIVE": Reason("warehouse", "a movement would take available stock below zero"),
    "LOT_ON_HOLD": Reason("warehouse", "a movement takes out stock that is on quality hold"),
    "RECON_UNEXPLAINED": Reason("warehouse", "two systems disagree about a stock position and the hub's records do not say why"),
    "QTY_NOT_POSITIVE": Reason("warehouse", "a movement other than an adjustment has a quantity of zero or less"),
    "LOT_REQUIRED": Reason("warehouse", "a movement of a lot-tracked item names no lot"),
    "PRODUCTION_ORDER_UNKNOWN": Reason("planner", "a production report names an order the hub does not know"),
    "PRODUCTION_ORDER_CLOSED": Reason("planner", "a production report names an order that is closed"),
    "PRODUCTION_ORDER_NOT_RELEASED": Reason("planner", "a production report names an order that is still planned"),
    "PRODUCTION_TRANSITION_INVALID": Reason("planner", "a production order status change is outside its lifecycle"),
    "REORDER_NO_SOURCING": Reason("supply_chain", "an item needs replenishing but has no sourcing rule valid today: its requisition waits for a buyer"),
    "PO_AWAITS_APPROVAL": Reason("supply_chain", "a purchase order the hub raised from a requisition waits for approval"),
    "ATP_SHORT": Reason("planner", "available-to-promise falls below the committed demand of a period"),
    "WMS_RECORD_INVALID": Reason("warehouse", "a WMS record is not a transaction or snapshot the hub reads"),
    "SIGNATURE_INVALID": Reason("admin", "an inbound webhook's signature is missing, wrong or too old"),
    "MQTT_UNREACHABLE": Reason("admin", "the MQTT broker named by MFGSYNC_MQTT_URL cannot be reached"),
    # --- planning ---
    "MRP_INPUT_UNREADABLE": Reason("planner", "the MRP input file cannot be read as a JSON document"),
    "MRP_INPUT_INVALID": Reason("planner", "the MRP input breaks its contract: a missing key, a wrong type or a value out of range"),
    "MRP_PEG_UNKNOWN": Reason("planner", "the item or end demand to trace is not in the plan"),
    "MRP_BOM_CYCLE": Reason("engineering", "the bills of material contain a cycle, so no low-level code exists"),
    "MRP_PAST_DUE": Reason("planner", "a planned order should have been released before the planning horizon starts"),
    "MRP_EXPEDITE": Reason("planner", "a scheduled receipt is needed before it is due: bring it in"),
    "MRP_DEFER": Reason("planner", "a scheduled receipt is needed later than it is due: push it out"),
    "MRP_CANCEL": Reason("planner", "a scheduled receipt is not needed within the planning horizon"),
    # --- formats ---
    "FORMAT_UNKNOWN": Reason("admin", "the file is not X12, EDIFACT, B2MML or a PLM BOM CSV"),
    "FILE_UNREADABLE": Reason("admin", "the file named cannot be read"),
    "EDI_EMPTY": Reason("admin", "the file holds no interchange"),
    "EDI_INPUT_TOO_LARGE": Reason("admin", "the file is larger than the format reader accepts"),
    "EDI_ENCODING": Reason("admin", "the file is not text in the encoding expected"),
    "EDI_TRUNCATED": Reason("supply_chain", "the file ends before a trailer (IEA, SE, UNZ, UNT) or inside a segment"),
    "EDI_SEGMENT_OUT_OF_ORDER": Reason("supply_chain", "a segment appears where the message structure does not allow it"),
    "EDI_MANDATORY_SEGMENT_MISSING": Reason("supply_chain", "a segment the message structure requires is missing"),
    "EDI_SEGMENT_REPEAT_EXCEEDED": Reason("supply_chain", "a segment or loop repeats more often than allowed"),
    "EDI_UNKNOWN_SEGMENT": Reason("supply_chain", "a segment is not part of the message's structure"),
    "EDI_UNSUPPORTED_MESSAGE": Reason("supply_chain", "the transaction set or message type is not one the hub reads"),
    "EDI_UNKNOWN_CODE": Reason("supply_chain", "a coded value is not in the partner's code list"),
    "EDI_INVALID_NUMBER": Reason("supply_chain", "a numeric element is not a number"),
    "EDI_INVALID_DATE": Reason("supply_chain", "a date element is not a calendar date"),
    "X12_BAD_ISA": Reason("supply_chain", "the ISA interchange header is malformed"),
    "X12_BAD_COUNT": Reason("supply_chain", "a trailer count is not a number"),
    "X12_CONTROL_NUMBER_MISMATCH": Reason("supply_chain", "a trailer's control number differs from its header's (IEA/ISA, GE/GS, SE/ST)"),
    "X12_GROUP_COUNT_MISMATCH": Reason("supply_chain", "IEA01 differs from the number of functional groups"),
    "X12_SET_COUNT_MISMATCH": Reason("supply_chain", "GE01 differs from the number of transaction sets"),
    "X12_SE_COUNT_MISMATCH": Reason("supply_chain", "SE01 differs from the number of segments in the transaction set"),
    "X12_GROUP_TRAILER_MISSING": Reason("supply_chain", "a functional group has no GE trailer"),
    "X12_SET_TRAILER_MISSING": Reason("supply_chain", "a transaction set has no SE trailer"),
    "X12_DELIMITER_IN_DATA": Reason("admin", "a value to render contains an X12 delimiter (X12 has no escape)"),
    "X12_HL_INVALID": Reason("supply_chain", "an 856 HL level is repeated or names a parent that does not precede it"),
    "X12_HL_NO_ORDER": Reason("supply_chain", "an 856 item level has no order level above it"),
    "EDIFACT_SYNTAX": Reason("supply_chain", "the EDIFACT text cannot be split into segments"),
    "EDIFACT_BAD_UNA": Reason("supply_chain", "the UNA service string advice does not give distinct delimiters"),
    "EDIFACT_REFERENCE_MISMATCH": Reason("supply_chain", "a trailer's reference differs from its header's (UNZ/UNB, UNE/UNG, UNT/UNH)"),
    "EDIFACT_COUNT_MISMATCH": Reason("supply_chain", "UNZ or UNE counts differ from the messages or groups present"),
    "EDIFACT_UNT_COUNT_MISMATCH": Reason("supply_chain", "UNT's segment count differs from the message's segments"),
    "EDIFACT_LINE_NO_ORDER": Reason("supply_chain", "a DESADV line has no RFF+ON reference to an order"),
    "XML_HOSTILE": Reason("admin", "the XML uses entity declarations or external references, which are refused"),
    "XML_MALFORMED": Reason("admin", "the file is not well-formed XML"),
    "B2MML_UNSUPPORTED_DOCUMENT": Reason("admin", "the XML is not a B2MML document the hub reads, or not in a B2MML namespace"),
    "B2MML_MISSING_ELEMENT": Reason("planner", "a B2MML element the mapping needs is missing or empty"),
    "PLM_CSV_HEADER": Reason("engineering", "the BOM CSV's header lacks a required column"),
    "PLM_CSV_LEVEL": Reason("engineering", "a BOM CSV row's level does not follow from the row above"),
    "PLM_CSV_VALUE": Reason("engineering", "a BOM CSV cell holds a value of the wrong kind"),
    "PLM_CSV_NO_ASSEMBLY": Reason("engineering", "the BOM CSV has no level-0 assembly row before its components"),
    # --- command line ---
    "CONFIG_INVALID": Reason("admin", "the configuration file cannot be read or breaks its schema"),
    "INPUT_INVALID": Reason("admin", "an input file cannot be read as the format given"),
    "SNAPSHOT_UNREADABLE": Reason("admin", "a reconciliation snapshot cannot be read at all: no such file, an unknown format, no key column, or its live source failed"),
    "FILE_NOT_FOUND": Reason("admin", "a file named on the command line does not exist"),
    "UNKNOWN_FORMAT": Reason("admin", "the --format named is not one the command reads"),
    "UNKNOWN_TYPE": Reason("admin", "the entity type named is not one the hub stores"),
    "UNKNOWN_BENCHMARK": Reason("admin", "no benchmark has the name given"),
    "NOT_FOUND": Reason("admin", "no entity or exception has the key given"),
    "EXCEPTION_STATE": Reason("admin", "the exception is not in a state that allows the action"),
    "ROUTING_OPERATION_DUPLICATE": Reason("engineering", "a routing numbers two operations the same"),
    "ROUTING_OPERATION_ORDER": Reason("engineering", "a routing's operations are not numbered in the order they are done"),
    "ROUTING_WORK_CENTER_UNKNOWN": Reason("engineering", "a routing uses a work center its plant does not have"),
    "ECO_EFFECTIVITY_MISMATCH": Reason("engineering", "a revision and the ECO that introduces it give different effective dates"),
    "RELEASE_INCOMPLETE": Reason("engineering", "another part (BOM, routing or ECO) of the same release failed its rules: a release is published whole or not at all"),
    "ECO_PO_CANCEL": Reason("supply_chain", "an engineering change leaves a purchase line unneeded: cancel it"),
    "ECO_PO_REDUCE": Reason("supply_chain", "an engineering change needs less of a purchase line: reduce it"),
    "ECO_PO_SPLIT": Reason("supply_chain", "a purchase line needed before an engineering change carries quantity "
                           "for after it: split it"),
    "ECO_PO_EXPEDITE": Reason("supply_chain", "an engineering change needs a purchase line earlier than promised"),
    "ECO_REQUISITION_CANCEL": Reason("supply_chain", "an engineering change leaves a purchase requisition unneeded: cancel it"),
    "ECO_REQUISITION_REDUCE": Reason("supply_chain", "an engineering change needs less of a purchase requisition: reduce it"),
    "ECO_REQUISITION_SPLIT": Reason("supply_chain", "a requisition needed before an engineering change carries quantity "
                                    "for after it: split it"),
    "ECO_REQUISITION_EXPEDITE": Reason("supply_chain", "an engineering change needs a requisition earlier than it is due"),
    "ECO_SUPPLY_AT_RISK": Reason("planner", "a component an engineering change adds or increases cannot be had "
                                 "by the date it is needed"),
    "MESSAGE_ID_CONFLICT": Reason("admin", "a message id (or movement id) was used before for other content"),
    "NOT_PERMITTED": Reason("admin", "the actor's role may not act on that exception, or approves its own request"),
    # --- the API ---
    "UNAUTHENTICATED": Reason("admin", "the request carries no API key, or one that is wrong or revoked"),
    "RATE_LIMITED": Reason("admin", "the API key sent more requests than its rate allows: retry after the time given"),
    "ROUTE_UNKNOWN": Reason("admin", "no API route has this path and method"),
    "INTERNAL_ERROR": Reason("admin", "the hub failed to answer a request; its log says why"),
    "STORE_NOT_MIGRATED": Reason("admin", "the store's schema is behind this version: run `mfgsync db upgrade`"),
    # --- delivery ---
    "DELIVERY_FAILED": Reason("admin", "a target kept failing and the message was dead-lettered"),
    "DELIVERY_REJECTED": Reason("admin", "a target rejected the message permanently"),
    "DELIVERY_NO_CONNECTOR": Reason("admin", "no connector is configured for the delivery's target"),
    "DELIVERY_CONNECTOR_ERROR": Reason("admin", "the target's connector failed unexpectedly (a bug, not retried)"),
}


def role_for(codes: list[str]) -> str:
    """The role that must act on an exception: that of its first known code."""
    for code in codes:
        if code in CATALOGUE:
            return CATALOGUE[code].role
    return "admin"
