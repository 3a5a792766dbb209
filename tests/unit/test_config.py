"""Settings precedence and parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import ConfigError, load_settings
from shared.silo_mode import SiloMode


def test_flags_over_environment_over_file(tmp_path: Path) -> None:
    file = tmp_path / "silo.toml"
    file.write_text('listen = "127.0.0.1:1"\ndata_dir = "/from/file"\nregion_name = "file"\n')
    environ = {"SILO_LISTEN": "127.0.0.1:2", "SILO_REGION_NAME": "env"}
    settings = load_settings(
        flags={"listen": "127.0.0.1:3", "region_name": None}, environ=environ, config_file=file
    )
    assert settings.listen == "127.0.0.1:3"
    assert settings.region_name == "env"
    assert settings.data_dir == Path("/from/file")


def test_parses_lists_and_modes() -> None:
    settings = load_settings(
        environ={
            "SILO_MODE": "Region",
            "SILO_REGIONS": "us=127.0.0.1:50061, de=127.0.0.1:50062",
            "SILO_RPC_SHARED_SECRETS": "new, old",
        }
    )
    assert settings.mode is SiloMode.REGION
    assert settings.regions == {"us": "127.0.0.1:50061", "de": "127.0.0.1:50062"}
    assert settings.rpc_shared_secrets == ("new", "old")
    assert settings.signing_secret == "new"
    assert settings.masked()["rpc_shared_secrets"] == "****, ****"
    assert "new" not in str(settings.masked())


def test_region_flags_repeat() -> None:
    settings = load_settings(flags={"regions": ("us=h:1", "de=h:2")}, environ={})
    assert settings.regions == {"us": "h:1", "de": "h:2"}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"SILO_MODE": "galaxy"}, "SILO_MODE"),
        ({"SILO_REGIONS": "us"}, "SILO_REGIONS"),
        ({"SILO_PASSWORD_ITERATIONS": "0"}, "SILO_PASSWORD_ITERATIONS"),
        ({"SILO_RPC_TIMEOUT": "-1"}, "SILO_RPC_TIMEOUT"),
    ],
)
def test_bad_values_name_their_source(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=environ)


def test_unknown_file_setting(tmp_path: Path) -> None:
    file = tmp_path / "silo.toml"
    file.write_text("colour = 1\n")
    with pytest.raises(ConfigError, match="colour"):
        load_settings(environ={}, config_file=file)


def test_default_database_is_a_file_per_silo(tmp_path: Path) -> None:
    settings = load_settings(flags={"data_dir": tmp_path}, environ={})
    assert settings.database_url_for("control") == f"sqlite:///{tmp_path / 'control.sqlite3'}"
    explicit = load_settings(environ={"SILO_DATABASE_URL": "postgresql+psycopg://h/db"})
    assert explicit.database_url_for("control") == "postgresql+psycopg://h/db"
