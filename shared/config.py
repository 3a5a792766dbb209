"""Settings: command-line flags over environment variables over a TOML file over defaults,
read once at start-up. The flag and variable names are a public contract."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from shared.logs import mask_secrets
from shared.rpc.tls import TlsFiles
from shared.silo_mode import SiloMode

DEFAULT_CONTROL_LISTEN = "127.0.0.1:50051"
DEFAULT_REGION_PORT = 50061
DEFAULT_PASSWORD_ITERATIONS = 600_000

# setting name -> environment variable
ENVIRONMENT = {
    "mode": "SILO_MODE",
    "database_url": "SILO_DATABASE_URL",
    "listen": "SILO_LISTEN",
    "region_name": "SILO_REGION_NAME",
    "control_address": "SILO_CONTROL_ADDRESS",
    "regions": "SILO_REGIONS",
    "rpc_shared_secrets": "SILO_RPC_SHARED_SECRETS",
    "rpc_verify_secrets": "SILO_RPC_VERIFY_SECRETS",
    "data_dir": "SILO_DATA_DIR",
    "metrics_listen": "SILO_METRICS_LISTEN",
    "password_iterations": "SILO_PASSWORD_ITERATIONS",
    "rpc_timeout": "SILO_RPC_TIMEOUT",
    "single_organization": "SILO_SINGLE_ORGANIZATION",
    "cache_ttl": "SILO_CACHE_TTL",
    "cache_redis_url": "SILO_CACHE_REDIS_URL",
    "tls_cert": "SILO_TLS_CERT",
    "tls_key": "SILO_TLS_KEY",
    "tls_ca": "SILO_TLS_CA",
    "rpc_log_sample": "SILO_RPC_LOG_SAMPLE",
}
SECRET_SETTINGS = frozenset({"rpc_shared_secrets", "rpc_verify_secrets"})


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the setting and source."""


@dataclass(frozen=True)
class Settings:
    """The effective configuration of one process."""

    mode: SiloMode = SiloMode.MONOLITH
    database_url: str | None = None
    listen: str | None = None
    region_name: str | None = None
    control_address: str = DEFAULT_CONTROL_LISTEN
    regions: Mapping[str, str] = field(default_factory=dict)
    rpc_shared_secrets: tuple[str, ...] = ()
    # Accepted on incoming calls, never used to sign: the first step of a secret rotation.
    rpc_verify_secrets: tuple[str, ...] = ()
    data_dir: Path = Path("data")
    metrics_listen: str | None = None
    password_iterations: int = DEFAULT_PASSWORD_ITERATIONS
    rpc_timeout: float = 5.0
    single_organization: bool = False
    cache_ttl: float = 60.0
    cache_redis_url: str | None = None
    # PEM files: this process's certificate chain and key (its servers listen with TLS), and the
    # CA it trusts (its servers then require client certificates it signed).
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_ca: Path | None = None
    # The fraction of successful RPCs the access log keeps a line of (every failed one is kept).
    rpc_log_sample: float = 1.0

    @property
    def tls(self) -> TlsFiles:
        """The TLS files of this process's servers and channels."""
        return TlsFiles(cert=self.tls_cert, key=self.tls_key, ca=self.tls_ca)

    @property
    def accepted_secrets(self) -> tuple[str, ...]:
        """Every secret an incoming call may be signed with: the shared ones, then the
        verify-only ones."""
        return self.rpc_shared_secrets + tuple(
            secret for secret in self.rpc_verify_secrets if secret not in self.rpc_shared_secrets
        )

    @property
    def signing_secret(self) -> str | None:
        """The secret outgoing calls are signed with (the first one), if any."""
        return self.rpc_shared_secrets[0] if self.rpc_shared_secrets else None

    def database_url_for(self, silo: str) -> str:
        """The database URL, defaulting to an SQLite file under the data dir: ``control.sqlite3``,
        or ``region-NAME.sqlite3`` for the region named in the settings."""
        if self.database_url:
            return self.database_url
        stem = f"region-{self.region_name}" if silo == "region" and self.region_name else silo
        return f"sqlite:///{(self.data_dir / f'{stem}.sqlite3').resolve()}"

    def masked(self) -> dict[str, str]:
        """Every setting as text, with secrets and the passwords of URLs masked, for display."""
        shown: dict[str, str] = {}
        for setting in fields(self):
            value = getattr(self, setting.name)
            if setting.name in SECRET_SETTINGS:
                shown[setting.name] = ", ".join("****" for _ in value) or "(none)"
            elif isinstance(value, SiloMode):
                shown[setting.name] = value.value
            elif isinstance(value, Mapping):
                shown[setting.name] = ",".join(f"{k}={v}" for k, v in value.items()) or "(none)"
            else:
                shown[setting.name] = "(unset)" if value is None else mask_secrets(str(value))
        return shown


def _parse_regions(text: str) -> dict[str, str]:
    regions: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, separator, address = entry.partition("=")
        if not separator or not name or ":" not in address:
            raise ValueError(f"{entry!r} is not NAME=HOST:PORT")
        regions[name.strip()] = address.strip()
    return regions


def _mode(value: Any) -> SiloMode:
    return value if isinstance(value, SiloMode) else SiloMode.parse(str(value))


def _regions(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(name): str(address) for name, address in value.items()}
    text = ",".join(value) if isinstance(value, list | tuple) else str(value)
    return _parse_regions(text)


def _secrets(value: Any) -> tuple[str, ...]:
    parts = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(part.strip() for part in parts if part.strip())


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{value!r} is not true or false")


def _positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def _positive_float(value: Any) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError("must be positive")
    return number


def _fraction(value: Any) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError("must be between 0 and 1")
    return number


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "mode": _mode,
    "regions": _regions,
    "rpc_shared_secrets": _secrets,
    "rpc_verify_secrets": _secrets,
    "data_dir": Path,
    "password_iterations": _positive_int,
    "rpc_timeout": _positive_float,
    "single_organization": _flag,
    "cache_ttl": _positive_float,
    "tls_cert": Path,
    "tls_key": Path,
    "tls_ca": Path,
    "rpc_log_sample": _fraction,
}


def _coerce(name: str, value: Any, source: str) -> Any:
    try:
        return _PARSERS.get(name, str)(value)
    except ValueError as error:
        raise ConfigError(f"{source}: {error}") from None


def load_settings(
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Builds settings from flags (None means not given), the environment and a TOML file."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if config_file is not None:
        try:
            document = tomllib.loads(config_file.read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"--config {config_file}: {error}") from None
        known = {setting.name for setting in fields(Settings)}
        for key, value in document.items():
            if key not in known:
                raise ConfigError(f"--config {config_file}: unknown setting {key!r}")
            values[key] = _coerce(key, value, f"{config_file}: {key}")
    for name, variable in ENVIRONMENT.items():
        if environ.get(variable):
            values[name] = _coerce(name, environ[variable], variable)
    for name, value in (flags or {}).items():
        if value is not None and value != ():
            values[name] = _coerce(name, value, f"--{name.replace('_', '-')}")
    settings = replace(Settings(), **values)
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise ConfigError("SILO_TLS_CERT and SILO_TLS_KEY go together: give both or neither")
    if settings.rpc_verify_secrets and not settings.rpc_shared_secrets:
        raise ConfigError(
            "SILO_RPC_VERIFY_SECRETS: verify-only secrets need SILO_RPC_SHARED_SECRETS to sign with"
        )
    return settings
