"""The configuration file: sections default, secrets stay in the environment, errors name the line."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgsync.config import ConfigError, load_settings, parse_settings

hypothesis_text = st.text(st.characters(exclude_categories=()), max_size=40)


def test_an_empty_file_accepts_the_five_default_sources_and_delivers_nowhere():
    settings = parse_settings("")
    assert set(settings.systems) == {"plm", "erp", "mes", "wms", "supplier"}
    assert settings.subscriptions == {}


def test_a_file_adds_systems_to_the_defaults():
    settings = parse_settings("systems: {archive: {kind: dropfolder, path: ./out}}")
    assert {"plm", "archive"} <= set(settings.systems)


def test_an_error_names_the_file_line_and_field():
    text = "retry:\n  max_attempts: 3\n  base_seconds: soon\n"
    with pytest.raises(ConfigError) as error:
        parse_settings(text, "hub.yaml")
    assert "hub.yaml:3: retry.base_seconds" in str(error.value)


def test_a_subscription_to_an_unknown_system_is_refused():
    with pytest.raises(ConfigError) as error:
        parse_settings("subscriptions:\n  bom.released: [nowhere]\n", "hub.yaml")
    assert "nowhere" in str(error.value) and "hub.yaml" in str(error.value)


def test_a_unit_rule_with_an_unknown_unit_is_refused_at_start():
    with pytest.raises(ConfigError) as error:
        parse_settings("units:\n  - {from: BX, to: FURLONG, factor: 12, item_id: NUT}\n", "hub.yaml")
    assert "hub.yaml:2" in str(error.value)


def test_secrets_come_from_the_environment_not_the_file(monkeypatch):
    settings = parse_settings("systems: {mes: {kind: webhook, url: 'http://127.0.0.1:9/x', secret_env: MES_SECRET}}")
    monkeypatch.setenv("MES_SECRET", "s3cret")
    assert settings.systems["mes"].secret() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_a_system_missing_what_its_kind_needs_is_refused():
    with pytest.raises(ConfigError):
        parse_settings("systems: {archive: {kind: dropfolder}}")


def test_malformed_yaml_is_a_clear_error():
    with pytest.raises(ConfigError) as error:
        parse_settings("systems: [unclosed", "hub.yaml")
    assert "not valid YAML" in str(error.value)


def test_a_webhook_is_always_signed_so_it_needs_a_secret_from_the_environment(monkeypatch):
    with pytest.raises(ConfigError) as error:
        parse_settings("systems: {mes: {kind: webhook, url: 'http://127.0.0.1:9/x'}}")
    assert "secret_env" in str(error.value)
    settings = parse_settings("systems: {mes: {kind: webhook, url: 'http://127.0.0.1:9/x', secret_env: MES_SECRET}}")
    monkeypatch.delenv("MES_SECRET", raising=False)
    with pytest.raises(ConfigError) as error:
        settings.systems["mes"].secret()
    assert "MES_SECRET" in str(error.value)


# --- hostile and mistaken configuration files ---

def test_a_config_file_that_is_not_utf8_is_a_clear_error_naming_the_line(tmp_path):
    path = tmp_path / "hub.yaml"
    path.write_bytes("plants:\n  P1: {erp_warehouse: Lager}\n  P2: {erp_warehouse: M\xfcnchen}\n".encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert f"{path}:3" in str(error.value) and "not UTF-8" in str(error.value)


def test_a_webhook_whose_secret_is_unset_names_the_system(monkeypatch):
    settings = parse_settings("systems: {mes_line3: {kind: webhook, url: 'http://127.0.0.1:9/x', secret_env: L3_SECRET}}")
    monkeypatch.delenv("L3_SECRET", raising=False)
    with pytest.raises(ConfigError) as error:
        settings.systems["mes_line3"].secret()
    assert "mes_line3" in str(error.value) and "L3_SECRET" in str(error.value)


def test_a_cross_reference_error_points_at_the_line_of_the_reference():
    text = "systems:\n  archive: {kind: dropfolder, path: ./out}\nsubscriptions:\n  bom.released:\n    - archive\n    - nowhere\n"
    with pytest.raises(ConfigError) as error:
        parse_settings(text, "hub.yaml")
    assert str(error.value).startswith("hub.yaml:6: subscriptions.bom.released.1:")
    with pytest.raises(ConfigError) as error:
        parse_settings("retry: {max_attempts: 3}\nownership:\n  inventory: nowhere\n", "hub.yaml")
    assert str(error.value).startswith("hub.yaml:3: ownership.inventory:")


def test_a_misspelled_ownership_domain_is_refused_with_the_domains_that_exist():
    with pytest.raises(ConfigError) as error:
        parse_settings("ownership:\n  item.enginering: plm\n", "hub.yaml")
    assert "hub.yaml:2" in str(error.value) and "item.engineering" in str(error.value)


def test_a_key_given_twice_is_refused_rather_than_silently_overwritten():
    with pytest.raises(ConfigError) as error:
        parse_settings("plants:\n  P1: {negative_stock: reject}\nretry: {}\nplants:\n  P2: {}\n", "hub.yaml")
    assert "hub.yaml:4" in str(error.value) and "duplicate key 'plants'" in str(error.value)
    with pytest.raises(ConfigError):
        parse_settings("plants:\n  P1: {negative_stock: reject, negative_stock: alert}\n")


def test_a_merge_key_may_still_be_overridden():
    settings = parse_settings("plants:\n  P1: &p {negative_stock: alert}\n  P2: {<<: *p, negative_stock: reject}\n")
    assert (settings.plants["P1"].negative_stock, settings.plants["P2"].negative_stock) == ("alert", "reject")


def test_a_unit_factor_with_an_enormous_exponent_is_refused_at_start():
    with pytest.raises(ConfigError) as error:
        parse_settings("units:\n  - {from: BX, to: C62, factor: 1e999999999, item_id: NUT}\n", "hub.yaml")
    assert "hub.yaml:2: units.0.factor" in str(error.value)


def test_a_system_name_that_cannot_be_a_source_is_refused():
    with pytest.raises(ConfigError) as error:
        parse_settings("systems:\n  'mes|line': {kind: memory}\n", "hub.yaml")
    assert "hub.yaml:2" in str(error.value)


def test_the_clock_skew_window_is_a_setting():
    assert parse_settings("").max_future_skew_seconds == 300
    assert parse_settings("max_future_skew_seconds: 60").max_future_skew_seconds == 60
    with pytest.raises(ConfigError):
        parse_settings("max_future_skew_seconds: -1")


YAML_SCALARS = st.sampled_from(["1e999999999", "-.inf", ".nan", "~", "''", "'\\0'", '"\\0"', '"\\ud800"', "!!binary AA==",
                                "!!python/object:os.system ls", "&a [*a]", "*nope", "0x7fffffffffffffffffff", "|",
                                "{", "[" * 200 + "]" * 200, "yes", "2026-13-45"]) \
    | hypothesis_text.map(lambda text: json.dumps(text))
PLACES = ["retry:\n  max_attempts: {}\n", "units:\n  - {{from: BX, to: C62, factor: {}}}\n",
          "systems:\n  {}: {{kind: memory}}\n", "ownership:\n  {}: plm\n", "subscriptions:\n  bom.released: [{}]\n",
          "plants:\n  P1: {{negative_stock: {}}}\n", "mappings:\n  erp: {{plant: {{'1000': {}}}}}\n",
          "max_future_skew_seconds: {}\n", "max_message_bytes: {}\n", "{}\n"]


@settings(max_examples=150, deadline=None)
@given(place=st.sampled_from(PLACES), value=YAML_SCALARS)
def test_any_hostile_value_in_the_configuration_is_a_clear_error_or_a_setting(place, value):
    try:
        parse_settings(place.format(value), "hub.yaml")
    except ConfigError as error:
        assert str(error).startswith("hub.yaml")
