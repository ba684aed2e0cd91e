"""A message's content hash is kept with it, so a resend is recognised by a hash computed the
same way in every version: json's canonical text of its data, whatever that data holds."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings, strategies as st

from mfgsync.adapters.decode import decode
from mfgsync.pipeline.batch import content_hash

MOVEMENT = ('{"specversion": "1.0", "id": "mes-MV-1", "source": "wms", "type": "inventory.moved", '
            '"time": "2026-11-23T00:01:41Z", "data": {"movement_id": "MV-1", "kind": "consumption", '
            '"item_id": "C-0019", "qty": 2.500, "uom": "C62", "plant_id": "P2", "from_location": "LINE", '
            '"reason": "tab\\there"}}')


def _json_hash(event_type: str, data: dict) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{event_type}\x1e{text}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def test_a_movement_hashes_as_it_did_when_it_was_first_received():
    # Hashes stored by earlier versions: a resend of these messages must still match them.
    assert content_hash(decode(MOVEMENT, 1 << 20)) == "9c2346ecf00b940fc263e64c12903f63"
    accented = MOVEMENT.replace('"C-0019"', '"Schraube M8 \\u00e9"').replace('there"', 'there \\u007f"')
    assert content_hash(decode(accented, 1 << 20)) == "46f038c391eccd2cf87347bdbabe4bbe"


_NUMBERS = st.integers(-10**12, 10**12) | st.decimals(min_value=-10**9, max_value=10**9, places=4,
                                                     allow_nan=False, allow_infinity=False)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.text(max_size=12) | _NUMBERS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6))
def test_any_data_read_from_text_hashes_as_json_writes_it(data):
    text = json.dumps({"specversion": "1.0", "id": "m-1", "source": "wms", "type": "inventory.moved",
                       "time": "2026-11-23T00:01:41Z", "data": data}, default=str)
    decoded = decode(text, 1 << 20)
    assert decoded.envelope is not None, decoded.findings
    assert content_hash(decoded) == _json_hash("inventory.moved", decoded.envelope.data)


def test_data_given_as_python_objects_hashes_as_json_writes_it():
    document = json.loads(MOVEMENT)
    document["data"]["qty"] = 2.5e-05  # a float (json writes 2.5e-05), as a Python caller may send it
    decoded = decode(document, 1 << 20)
    assert content_hash(decoded) == _json_hash("inventory.moved", document["data"])


def test_a_lone_surrogate_in_the_data_hashes_as_json_escapes_it():
    text = MOVEMENT.replace('"C-0019"', '"\\udfff"')
    decoded = decode(text, 1 << 20)
    assert content_hash(decoded) == _json_hash("inventory.moved", decoded.envelope.data)
