"""JSON files are read in the layout they are written in, and say which: JSON lines, a JSON array,
or one JSON document. Each message comes out as the text it was sent as."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.adapters.decode import decode
from mfgsync.adapters.files import file_layout, read_messages
from tests.support.hostile import DEEP_NESTING
from tests.support.messages import envelope, item


def written(tmp_path, text: str, name: str = "messages.json"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def items(n: int) -> list[dict]:
    return [envelope("item.upserted", item(f"PMP-{i}"), message_id=f"plm-{i}") for i in range(n)]


def test_a_pretty_printed_single_envelope_file_is_one_message(tmp_path):
    path = written(tmp_path, json.dumps(items(1)[0], indent=2))
    assert file_layout(path) == "json-document"
    [message] = read_messages(path)
    assert decode(message, 1 << 22).ok


def test_a_lone_cr_used_as_json_whitespace_does_not_split_a_line(tmp_path):
    first, second = (json.dumps(e).replace(", ", ",\r") for e in items(2))
    path = written(tmp_path, first + "\n" + second + "\r\n")
    assert file_layout(path) == "jsonl"
    messages = list(read_messages(path))
    assert len(messages) == 2 and all(decode(m, 1 << 22).ok for m in messages)


def test_a_deeply_nested_top_level_array_is_one_quarantined_message_not_a_crash(tmp_path):
    path = written(tmp_path, "[" * 1000 + "]" * 1000)
    assert file_layout(path) == "json-array"
    messages = list(read_messages(path))
    assert len(messages) == 1 and decode(messages[0], 1 << 22).findings[0].code == "MALFORMED_JSON"


def test_a_deeply_nested_element_of_an_array_leaves_its_neighbours_whole(tmp_path):
    good = [json.dumps(e) for e in items(2)]
    path = written(tmp_path, f"[{good[0]}, {'[' * 5000 + ']' * 5000}, {good[1]}]")
    messages = list(read_messages(path))
    assert [decode(m, 1 << 22).ok for m in messages] == [True, False, True]


@pytest.mark.parametrize("layout, text", [
    ("jsonl", "\n".join(json.dumps(e) for e in items(3)) + "\n"),
    ("json-array", json.dumps(items(3), indent=1)),
    ("json-document", json.dumps({"messages": "not an envelope"}, indent=4)),
])
def test_ingest_accepts_json_lines_an_array_and_a_single_document_and_says_which(tmp_path, layout, text):
    path = written(tmp_path, text)
    assert file_layout(path) == layout
    expected = 1 if layout == "json-document" else 3
    assert len(list(read_messages(path))) == expected


def test_array_elements_are_passed_on_exactly_as_sent(tmp_path):
    path = written(tmp_path, '[{"qty": 1e999999999, "s": "a,]}"} , {"b": "\\"]"}]')
    assert list(read_messages(path)) == ['{"qty": 1e999999999, "s": "a,]}"}', '{"b": "\\"]"}']


def test_text_after_an_array_or_an_array_left_open_is_quarantined_not_dropped(tmp_path):
    assert list(read_messages(written(tmp_path, '[{"a": 1}] trailing'))) == ['{"a": 1}', "trailing"]
    assert list(read_messages(written(tmp_path, '[{"a": 1}, {"b": '))) == ['{"a": 1}', '{"b":']


def test_a_file_of_lines_whose_first_line_is_garbage_keeps_its_good_lines(tmp_path):
    path = written(tmp_path, "{not json\n" + "\n".join(json.dumps(e) for e in items(2)))
    assert file_layout(path) == "jsonl"
    assert [decode(m, 1 << 22).ok for m in read_messages(path)] == [False, True, True]


# A file is UTF-8 bytes: a lone surrogate is no character it can hold.
JUNK = st.text(st.characters(exclude_categories=("Cs",), exclude_characters='[]{},"\\\n\r'), min_size=1,
               max_size=50).filter(
    lambda text: text.strip() == text)
ELEMENTS = DEEP_NESTING | st.text(max_size=100).map(json.dumps) | JUNK


@settings(max_examples=60, deadline=None)
@given(hostile=ELEMENTS, at=st.integers(0, 2), layout=st.sampled_from(["lines", "array"]))
def test_any_hostile_element_among_good_ones_is_one_message_and_leaves_the_others_whole(tmp_path_factory, hostile,
                                                                                      at, layout):
    good = [json.dumps(e) for e in items(2)]
    pieces = good[:at] + [hostile] + good[at:]
    text = "\n".join(pieces) if layout == "lines" else "[" + ",".join(pieces) + "]"
    messages = list(read_messages(written(tmp_path_factory.mktemp("f"), text)))
    assert messages == pieces


def test_an_array_on_one_line_is_an_array_even_with_blank_lines_after_it(tmp_path):
    path = written(tmp_path, json.dumps(items(2)) + "\n\n  \n")
    assert file_layout(path) == "json-array" and len(list(read_messages(path))) == 2
