"""Stories of BOM releases the hub accepts, and those it quarantines for engineering."""

from datetime import date

from rules_builders import bom, codes, item, line, plant_state

from mfgsync.envelope import EventType
from mfgsync.rules.bom_rules import revision_before
from mfgsync.rules.reasons import CATALOGUE
from mfgsync.rules.validation import validate

RELEASE = EventType.bom_released


def release(candidate, state=None):
    return validate(RELEASE, candidate, state or plant_state())


def test_a_well_formed_bom_of_known_parts_is_accepted():
    assert release(bom("PUMP-100", "A", line(10, "SHAFT-1"), line(20, "BOLT-9", "4"))) == []


def test_a_bom_that_uses_an_obsolete_component_is_quarantined_for_engineering():
    findings = release(bom("PUMP-100", "A", line(10, "SHAFT-1"), line(20, "OLD-BOLT")))
    assert codes(findings) == ["COMPONENT_OBSOLETE"]
    assert findings[0].message == "component OLD-BOLT is obsolete (line 20)"
    assert findings[0].field == "lines[1].component_id"
    assert CATALOGUE[findings[0].code].role == "engineering"


def test_a_bom_naming_a_component_the_hub_has_never_seen_is_quarantined():
    findings = release(bom("PUMP-100", "A", line(10, "GHOST-1")))
    assert codes(findings) == ["COMPONENT_UNKNOWN"]
    assert "GHOST-1" in findings[0].message


def test_a_bom_for_an_unknown_parent_item_is_quarantined():
    assert codes(release(bom("GHOST-PUMP", "A", line(10, "BOLT-9")))) == ["ITEM_UNKNOWN"]


def test_a_line_in_a_unit_that_does_not_convert_to_the_components_base_unit_is_rejected():
    findings = release(bom("PUMP-100", "A", line(10, "BOLT-9", uom="KGM")))
    assert codes(findings) == ["UOM_NO_CONVERSION"]
    assert findings[0].field == "lines[0].uom"


def test_a_line_in_an_item_specific_unit_converts_through_the_items_own_conversion():
    from mfgsync.model.units import Conversion

    state = plant_state()
    state.catalogue.add(Conversion("BOLT-9", "BX", "C62", 12))
    assert release(bom("PUMP-100", "A", line(10, "BOLT-9", uom="BX")), state) == []
    assert codes(release(bom("PUMP-100", "A", line(10, "SHAFT-1", uom="BX")), state)) == ["UOM_NO_CONVERSION"]


def test_a_line_in_another_unit_of_the_same_dimension_is_accepted():
    assert release(bom("PUMP-100", "A", line(10, "OIL-5", "250", uom="MLT"))) == []


def test_zero_or_negative_quantity_per_is_rejected():
    findings = release(bom("PUMP-100", "A", line(10, "BOLT-9", "0"), line(20, "SHAFT-1", "-1")))
    assert codes(findings) == ["QTY_PER_NOT_POSITIVE", "QTY_PER_NOT_POSITIVE"]
    assert findings[1].field == "lines[1].qty_per"


def test_scrap_of_a_hundred_percent_or_below_zero_is_rejected_and_just_under_a_hundred_is_not():
    findings = release(bom("PUMP-100", "A", line(10, "BOLT-9", scrap_pct=100), line(20, "SHAFT-1", scrap_pct=-1),
                           line(30, "OIL-5", uom="LTR", scrap_pct="99.9")))
    assert codes(findings) == ["SCRAP_PCT_OUT_OF_RANGE", "SCRAP_PCT_OUT_OF_RANGE"]


def test_a_line_number_used_twice_is_rejected():
    findings = release(bom("PUMP-100", "A", line(10, "BOLT-9"), line(10, "SHAFT-1")))
    assert codes(findings) == ["BOM_LINE_DUPLICATE"]


def test_revisions_order_as_numbers_when_numeric_and_by_length_then_letters_otherwise():
    assert revision_before("9", "10")
    assert revision_before("B", "C") and revision_before("C", "AA") and revision_before("Z", "AA")
    assert not revision_before("C", "B") and not revision_before("B", "B")


def test_a_released_revision_older_than_the_current_one_is_a_regression():
    state = plant_state()
    state.put(bom("PUMP-100", "C", line(10, "BOLT-9")))
    findings = release(bom("PUMP-100", "B", line(10, "BOLT-9")), state)
    assert codes(findings) == ["BOM_REVISION_REGRESSION"]
    assert "revision B" in findings[0].message and "released revision C" in findings[0].message


def test_a_newer_revision_is_accepted_and_so_is_a_re_release_of_the_current_one():
    state = plant_state()
    state.put(bom("PUMP-100", "C", line(10, "BOLT-9")))
    assert release(bom("PUMP-100", "AA", line(10, "BOLT-9")), state) == []
    assert release(bom("PUMP-100", "C", line(10, "BOLT-9"), line(20, "SHAFT-1")), state) == []


def test_revision_order_is_kept_per_plant():
    state = plant_state()
    state.put(bom("PUMP-100", "C", line(10, "BOLT-9"), plant_id="P2"))
    assert release(bom("PUMP-100", "B", line(10, "BOLT-9"), plant_id="P1"), state) == []


def test_a_draft_bom_is_not_checked_for_revision_order():
    state = plant_state()
    state.put(bom("PUMP-100", "C", line(10, "BOLT-9")))
    assert release(bom("PUMP-100", "B", line(10, "BOLT-9"), status="draft"), state) == []


def test_revisions_with_explicit_windows_that_share_a_day_overlap():
    state = plant_state()
    state.put(bom("PUMP-100", "A", line(10, "BOLT-9"), plant_id="P1",
                  effective_from=date(2026, 1, 1), effective_to=date(2026, 6, 30)))
    findings = release(bom("PUMP-100", "B", line(10, "BOLT-9"), plant_id="P1",
                           effective_from=date(2026, 6, 30)), state)
    assert codes(findings) == ["EFFECTIVITY_OVERLAP"]
    assert "2026-01-01 to 2026-06-30" in findings[0].message
    assert release(bom("PUMP-100", "B", line(10, "BOLT-9"), plant_id="P1",
                       effective_from=date(2026, 7, 1)), state) == []


def test_an_open_ended_revision_is_superseded_where_the_next_one_starts():
    state = plant_state()
    state.put(bom("PUMP-100", "A", line(10, "BOLT-9"), effective_from=date(2026, 1, 1)))
    assert release(bom("PUMP-100", "B", line(10, "BOLT-9"), effective_from=date(2026, 6, 1)), state) == []


def test_a_newer_revision_starting_before_an_open_ended_older_one_overlaps_it():
    state = plant_state()
    state.put(bom("PUMP-100", "A", line(10, "BOLT-9"), effective_from=date(2026, 6, 1)))
    findings = release(bom("PUMP-100", "B", line(10, "BOLT-9"), effective_from=date(2026, 1, 1)), state)
    assert codes(findings) == ["EFFECTIVITY_OVERLAP"]


def test_a_bom_for_all_plants_overlaps_a_plant_specific_one_and_plants_do_not_overlap_each_other():
    state = plant_state()
    state.put(bom("PUMP-100", "B", line(10, "BOLT-9"), plant_id="P1",
                  effective_from=date(2026, 1, 1), effective_to=date(2026, 12, 31)))
    all_plants = bom("PUMP-100", "B", line(10, "BOLT-9"), effective_from=date(2026, 3, 1))
    assert codes(release(all_plants, state)) == ["EFFECTIVITY_OVERLAP"]
    other_plant = bom("PUMP-100", "B", line(10, "BOLT-9"), plant_id="P2", effective_from=date(2026, 3, 1))
    assert release(other_plant, state) == []


def test_a_component_that_contains_its_parent_is_a_cycle_named_by_its_path():
    state = plant_state()
    state.put(bom("SHAFT-1", "A", line(10, "BOLT-9"), line(20, "PUMP-100")))
    findings = release(bom("PUMP-100", "A", line(10, "SHAFT-1")), state)
    assert codes(findings) == ["BOM_CYCLE"]
    assert findings[0].message == "PUMP-100 contains itself: PUMP-100 -> SHAFT-1 -> PUMP-100"


def test_an_item_listing_itself_is_a_cycle():
    findings = release(bom("PUMP-100", "A", line(10, "PUMP-100")))
    assert "BOM_CYCLE" in codes(findings)


def test_a_cycle_only_counts_through_boms_effective_on_the_new_boms_first_day():
    state = plant_state()
    state.put(bom("SHAFT-1", "A", line(20, "PUMP-100"), effective_from=date(2026, 1, 1),
                  effective_to=date(2026, 3, 31)))
    later = bom("PUMP-100", "A", line(10, "SHAFT-1"), effective_from=date(2026, 4, 1))
    assert release(later, state) == []
    earlier = bom("PUMP-100", "A", line(10, "SHAFT-1"), effective_from=date(2026, 2, 1))
    assert codes(release(earlier, state)) == ["BOM_CYCLE"]


def test_a_cycle_removed_by_a_newer_revision_of_the_component_is_no_cycle():
    state = plant_state()
    state.put(bom("SHAFT-1", "A", line(20, "PUMP-100"), effective_from=date(2026, 1, 1)))
    state.put(bom("SHAFT-1", "B", line(20, "BOLT-9"), effective_from=date(2026, 2, 1)))
    assert release(bom("PUMP-100", "A", line(10, "SHAFT-1"), effective_from=date(2026, 3, 1)), state) == []


def test_a_deep_cycle_is_found_through_several_levels():
    state = plant_state()
    state.put(item("HOUSING-2"))
    state.put(bom("SHAFT-1", "A", line(10, "HOUSING-2")))
    state.put(bom("HOUSING-2", "A", line(10, "BOLT-9"), line(20, "PUMP-100")))
    findings = release(bom("PUMP-100", "A", line(10, "SHAFT-1")), state)
    assert findings[0].message.endswith("PUMP-100 -> SHAFT-1 -> HOUSING-2 -> PUMP-100")
