"""The configuration file: sections default, secrets stay in the environment, errors name the line."""

import pytest

from mfgsync.config import ConfigError, parse_settings


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
