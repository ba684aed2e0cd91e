"""The hub's configuration: one YAML file, validated at start, errors naming the line.

A file needs only the sections it changes; everything else keeps the built-in defaults,
which accept the sources plm, erp, mes, wms and supplier and deliver nowhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from mfgsync.envelope import SOURCE_PATTERN, EventType
from mfgsync.model.base import Quantity
from mfgsync.model.timestamps import DEFAULT_FUTURE_SKEW_SECONDS
from mfgsync.model.units import Conversion, UnitError, normalize_uom
from mfgsync.rules.ownership import DEFAULT_OWNERSHIP, DOMAINS

SystemKind = Literal["source", "memory", "dropfolder", "b2mml", "recorder", "webhook", "tryton", "rest", "x12",
                     "edifact"]
# Kinds that receive deliveries in this version; the others are named for the flows to come.
# Kinds that take commands (item.upsert, bom.upsert, …) that workflows emit for them.
COMMAND_KINDS = {"tryton", "x12", "edifact"}
DELIVERING_KINDS = {"memory", "dropfolder", "b2mml", "recorder", "webhook", "tryton", "x12", "edifact"}
PARTNER_KINDS = {"x12", "edifact"}  # and a webhook system naming a supplier_id
# A subscription naming no system: purchase orders go to each supplier's own channel (the
# supplier workflow sends them there whether or not it is written).
BY_SUPPLIER_CHANNEL = "by_supplier_channel"
DEFAULT_SOURCES = ("plm", "erp", "mes", "wms", "supplier")


class ConfigError(ValueError):
    """A configuration problem, with the file position when it is known."""


def _located(path: tuple[Any, ...], message: str) -> PydanticCustomError:
    """A problem found across sections, carrying the path it is about so the error names its line
    (a model-level check is otherwise reported at the top of the file)."""
    return PydanticCustomError("config_reference", message.replace("{", "{{").replace("}", "}}"), {"path": path})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class System(_Strict):
    kind: SystemKind
    url: str | None = None
    path: str | None = None
    dropfolder: str | None = None
    database: str | None = None
    user: str | None = None
    password_env: str | None = None
    secret_env: str | None = None
    sender_id: str | None = None
    receiver_id: str | None = None
    timeout_seconds: float = 10.0
    # A trading partner (kind x12 or edifact, or a webhook naming a supplier_id): the supplier it
    # serves (default: the system's name), its envelopes, acknowledgement windows, tolerances
    # for invoices, where its deliveries arrive, and its code lists (formats.partners keys).
    supplier_id: str | None = None
    sender_qualifier: Annotated[str, Field(max_length=4)] = "ZZ"
    receiver_qualifier: Annotated[str, Field(max_length=4)] = "ZZ"
    version: Literal["004010", "005010"] = "004010"
    directory: Annotated[str, Field(pattern=r"^D\.?[0-9]{2}[A-C]$")] = "D96A"
    ack_window_hours: Annotated[float, Field(gt=0)] = 24.0  # 997 / CONTRL
    po_ack_window_hours: Annotated[float, Field(gt=0)] = 72.0  # 855 / ORDRSP
    envelope_policy: Literal["strict", "lenient"] = "strict"
    ta1_requested: bool = False  # ask the partner for a TA1 on every interchange (ISA14)
    price_tolerance_pct: Annotated[Quantity, Field(ge=0)] = Decimal(0)
    qty_tolerance_pct: Annotated[Quantity, Field(ge=0)] = Decimal(0)
    plant_id: str = "P1"
    location_id: str = "RECEIVING"
    profile: dict[str, Any] = Field(default_factory=dict)
    webhook_window_seconds: Annotated[float, Field(gt=0)] = 300.0
    _name: str = PrivateAttr(default="")  # its key under `systems`, set by Settings, for messages

    @model_validator(mode="after")
    def _has_what_its_kind_needs(self) -> "System":
        needs = {"dropfolder": ["path"], "b2mml": ["path"], "recorder": ["path"], "webhook": ["url", "secret_env"],
                 "x12": ["dropfolder", "sender_id", "receiver_id"], "edifact": ["dropfolder", "sender_id", "receiver_id"],
                 "tryton": ["url", "database", "user", "password_env"], "rest": ["url"]}
        for field in needs.get(self.kind, []):
            if not getattr(self, field):
                raise ValueError(f"a {self.kind} system needs `{field}`")
        return self

    @field_validator("profile")
    @classmethod
    def _known_profile_keys(cls, profile: dict[str, Any]) -> dict[str, Any]:
        from mfgsync.formats.partners import DEFAULT_PROFILE
        DEFAULT_PROFILE.with_overrides(profile)  # an unknown key is an error naming it
        return profile

    @property
    def name(self) -> str:
        return self._name

    def is_partner(self) -> bool:
        return self.kind in PARTNER_KINDS or (self.kind == "webhook" and self.supplier_id is not None)

    def partner_profile(self) -> Any:
        """The partner's code lists and qualifiers: the defaults with its `profile` overrides."""
        from mfgsync.formats.partners import DEFAULT_PROFILE
        return DEFAULT_PROFILE.with_overrides(self.profile)

    def secret(self) -> str | None:
        """The signing secret, read from the environment (never from the file)."""
        if not self.secret_env:
            return None
        value = os.environ.get(self.secret_env)
        if not value:
            raise ConfigError(f"system {self._name or '(unnamed)'}: the environment variable {self.secret_env} "
                              f"(its signing secret) is not set")
        return value

    def password(self) -> str:
        """The login password (a Tryton user's), read from the environment (never from the file)."""
        value = os.environ.get(self.password_env or "")
        if not value:
            raise ConfigError(f"system {self._name or '(unnamed)'}: the environment variable {self.password_env} "
                              f"(its password) is not set")
        return value


class RetryPolicy(_Strict):
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    base_seconds: Annotated[float, Field(ge=0)] = 1.0
    max_seconds: Annotated[float, Field(ge=0)] = 300.0
    lease_seconds: Annotated[float, Field(gt=0)] = 60.0


class UnitRule(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Annotated[str, Field(alias="from")]
    to: str
    factor: Annotated[Quantity, Field(gt=0)]
    item_id: str | None = None

    @field_validator("from_", "to")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        try:
            return normalize_uom(value)
        except UnitError as exc:
            raise ValueError(str(exc)) from None


class Plant(_Strict):
    erp_warehouse: str | None = None
    # The code of the ERP location under that warehouse where stock on quality hold sits
    # (unset: the connector's default, QUARANTINE, made on first use).
    erp_quarantine: str | None = None
    negative_stock: Literal["reject", "alert"] = "reject"
    # Which items' BOMs the plant receives (shell-style patterns over item ids).
    receives: list[str] = Field(default_factory=lambda: ["*"])
    # The work centers the plant's routings may use (unset: any).
    work_centers: list[str] | None = None
    # The plant's own codes for hub items, per target system: {system: {item_id: code}}.
    item_codes: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Components the plant may build with in place of one, in its order of preference:
    # {component_id: [alternate_id, ...]}; each joins the component's alternate group in the
    # plant's manufacturing BOM.
    alternates: dict[str, list[str]] = Field(default_factory=dict)
    # The unit the plant counts an item in where it is not the engineering one: {item_id: uom};
    # the plant's BOM lines of that component are converted into it.
    units: dict[str, str] = Field(default_factory=dict)

    @field_validator("units")
    @classmethod
    def _units_are_known(cls, units: dict[str, str]) -> dict[str, str]:
        try:
            return {item_id: normalize_uom(uom) for item_id, uom in units.items()}
        except UnitError as exc:
            raise ValueError(str(exc)) from None
    # Whether a report of completions alone consumes the order's frozen BOM revision
    # (backflush), and whether that consumption includes each line's scrap allowance.
    backflush: bool = False
    backflush_scrap: bool = True


class Replenishment(_Strict):
    # A purchase order the hub raises from a requisition is approved at once when its value is
    # at most this much (in its currency); above it, or with no price, it waits for approval.
    # None: every such order waits for a person.
    auto_approve_up_to: Annotated[Quantity, Field(ge=0)] | None = None
    # A plant whose stock moved is planned again (MRP on the hub's data, as `mfgsync replenish`)
    # at the end of each window of this many seconds in which it moved, once however many did.
    # None: only when someone runs `mfgsync replenish`.
    plan_after_movements_seconds: Annotated[int, Field(ge=1, le=7 * 86400)] | None = None


class ScheduledReconciliation(_Strict):
    """A reconciliation `serve` runs every `every_seconds`: each side a snapshot file, `hub` (the
    hub's own balances) or `system:NAME` (pulled live from a configured ERP)."""
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    left: str
    right: str
    left_system: str | None = None  # whose codes a file's rows carry (mapped as `mappings` say)
    right_system: str | None = None
    every_seconds: Annotated[float, Field(gt=0)] = 3600.0


class ReconciliationSettings(_Strict):
    # Per item, how far two quantities may differ and still match (`*`: every other item); exact by default.
    tolerances: dict[str, Annotated[Quantity, Field(ge=0)]] = Field(default_factory=dict)
    schedule: list[ScheduledReconciliation] = Field(default_factory=list)


class Settings(_Strict):
    systems: dict[str, System] = Field(default_factory=lambda: {s: System(kind="source") for s in DEFAULT_SOURCES})
    ownership: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_OWNERSHIP))
    subscriptions: dict[EventType, list[str]] = Field(default_factory=dict)
    plants: dict[str, Plant] = Field(default_factory=dict)
    units: list[UnitRule] = Field(default_factory=list)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    replenishment: Replenishment = Field(default_factory=Replenishment)
    # Event types whose replay needs a second person's approval.
    approval_required: list[EventType] = Field(default_factory=list)
    # Code mappings per system: {system: {code_kind: {their_code: our_code}}}.
    mappings: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)
    max_message_bytes: Annotated[int, Field(gt=0)] = 4 * 1024 * 1024
    # How far a message's `time` may be ahead of the hub's clock before it is quarantined
    # (TIMESTAMP_IN_FUTURE): a sender's clock years ahead would make every later update stale.
    max_future_skew_seconds: Annotated[float, Field(ge=0)] = DEFAULT_FUTURE_SKEW_SECONDS
    reconciliation: ReconciliationSettings = Field(default_factory=ReconciliationSettings)

    @field_validator("systems")
    @classmethod
    def _names_are_source_names(cls, systems: dict[str, System]) -> dict[str, System]:
        for name in systems:
            if not re.fullmatch(SOURCE_PATTERN, name):
                raise _located(("systems", name), f"system name {name!r} must be 1 to 64 letters, digits, `_`, `.` or `-`")
        return systems

    @field_validator("ownership")
    @classmethod
    def _known_domains(cls, ownership: dict[str, str]) -> dict[str, str]:
        for domain in ownership:
            if domain not in DOMAINS:
                raise _located(("ownership", domain), f"`{domain}` is not an ownership domain; "
                                                      f"the domains are {', '.join(DOMAINS)}")
        return ownership

    @model_validator(mode="after")
    def _names_refer_to_systems(self) -> "Settings":
        for name, system in self.systems.items():
            system._name = name
        for domain, owner in self.ownership.items():
            if owner not in self.systems:
                raise _located(("ownership", domain), f"`{owner}` is not a configured system")
        for event_type, targets in self.subscriptions.items():
            for n, target in enumerate(targets):
                if target == BY_SUPPLIER_CHANNEL:
                    continue
                system = self.systems.get(target)
                where = ("subscriptions", event_type.value, n)
                if system is None:
                    raise _located(where, f"`{target}` is not a configured system")
                if system.kind not in DELIVERING_KINDS:
                    raise _located(where, f"`{target}` is a {system.kind} system, which cannot receive deliveries yet")
        # Orders reach their supplier's channel through the supplier workflow, not as envelopes.
        self.subscriptions = {event: [t for t in targets if t != BY_SUPPLIER_CHANNEL]
                              for event, targets in self.subscriptions.items()}
        return self

    def partners(self) -> dict[str, System]:
        """Trading partners by the supplier id each serves."""
        return {system.supplier_id or name: system for name, system in self.systems.items() if system.is_partner()}

    def owners(self) -> dict[str, str | list[str]]:
        """Ownership with every trading partner an owner of the supplier domain beside its owner."""
        partners = [s.name for s in self.partners().values()]
        if not partners:
            return dict(self.ownership)
        supplier = self.ownership.get("supplier", DEFAULT_OWNERSHIP["supplier"])
        return {**self.ownership, "supplier": [supplier, *partners]}

    def command_targets(self) -> set[str]:
        """Systems that take the hub's commands (an ERP's API) rather than its envelopes."""
        return {name for name, system in self.systems.items() if system.kind in COMMAND_KINDS}

    def targets_for(self, event_type: str) -> list[str]:
        return self.subscriptions.get(event_type, [])

    def conversions(self) -> list[Conversion]:
        return [Conversion(u.item_id, u.from_, u.to, u.factor) for u in self.units]


def _line_of(root: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at `path` (or of its nearest ancestor)."""
    node, line = root, (root.start_mark.line + 1 if root else None)
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key = next((k for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            node, line = match, key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last one
    silently, so a repeated `plants:` would drop the first plant list without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` keys may be overridden: that is what merging is for
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # the base loader reports an unhashable key
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first_line[key]})", key_node.start_mark)
            first_line[key] = line
        return super().construct_mapping(node, deep)


def _load_yaml(text: str, name: str) -> tuple[yaml.Node | None, Any]:
    loader = _UniqueKeyLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise ConfigError(f"{name}: not valid YAML: nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # a scalar YAML cannot construct, e.g. 2026-13-45
        raise ConfigError(f"{name}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def parse_settings(text: str, name: str = "<config>") -> Settings:
    """Settings from YAML text; a ConfigError names the file, line and field otherwise."""
    root, data = _load_yaml(text, name)
    data = data or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the configuration must be a mapping of sections")
    if isinstance(data.get("systems"), dict):
        # Systems add to the default sources rather than replace them.
        data["systems"] = {**{s: {"kind": "source"} for s in DEFAULT_SOURCES}, **data["systems"]}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = (error.get("ctx") or {}).get("path") or \
                tuple(p for p in error["loc"] if not str(p).startswith("function-"))
            line = _line_of(root, loc)
            where = f"{name}:{line}" if line else name
            field = ".".join(str(p) for p in loc) or "(top level)"
            problems.append(f"{where}: {field}: {error['msg']}")
        raise ConfigError("\n".join(problems)) from None


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """The settings from `path`, or $MFGSYNC_CONFIG, or the built-in defaults."""
    path = path or os.environ.get("MFGSYNC_CONFIG")
    if not path:
        return Settings()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read configuration: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: the configuration is not UTF-8 text "
                          f"(byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from None
    return parse_settings(text, str(file))
