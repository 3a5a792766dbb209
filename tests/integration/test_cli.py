"""The `silo` command as an operator types it."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from shared.rpc.channel import open_channel
from shared.services.registry import remote
from shared.services.user.model import NewUser
from shared.services.user.service import UserService
from tests.integration.processes import free_port, run_silo, silo_command, wait_serving


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    config = tmp_path / "silo.toml"
    config.write_text('listen = "127.0.0.1:6000"\nregion_name = "from-file"\n')
    result = run_silo(
        "--config",
        str(config),
        "config",
        "show",
        env={"SILO_RPC_SHARED_SECRETS": "very-secret,older-secret", "SILO_REGION_NAME": "env"},
    )
    assert result.returncode == 0, result.stderr
    assert "listen = 127.0.0.1:6000" in result.stdout
    assert "region_name = env" in result.stdout
    assert "rpc_shared_secrets = ****, ****" in result.stdout
    assert "rpc_verify_secrets = (none)" in result.stdout
    names_removed = result.stdout.replace("rpc_shared_secrets", "").replace(
        "rpc_verify_secrets", ""
    )
    assert "secret" not in names_removed


def test_bad_configuration_is_a_usage_error() -> None:
    result = run_silo("config", "show", env={"SILO_MODE": "sideways"})
    assert result.returncode == 2
    assert "SILO_MODE" in result.stderr


def test_upgrade_names_the_silos(tmp_path: Path) -> None:
    result = run_silo("upgrade", "--silo", "galaxy", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "control" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_devserver_migrates_serves_signed_and_stops(tmp_path: Path, sig: signal.Signals) -> None:
    address = f"127.0.0.1:{free_port()}"
    regions = {"us": f"127.0.0.1:{free_port()}", "de": f"127.0.0.1:{free_port()}"}
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    env["SILO_REGIONS"] = ",".join(f"{name}={where}" for name, where in regions.items())
    process = subprocess.Popen(
        silo_command("devserver", "--data-dir", str(tmp_path), "--listen", address),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        for where in [address, *regions.values()]:
            wait_serving(where)
        secret_file = tmp_path / "rpc-shared-secret"
        assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
        secret = secret_file.read_text().strip()
        client = remote(UserService, open_channel(address, secret=secret))
        created = client.create_user(user=NewUser(username="dev", email="dev@example.com"))
        assert client.get_user(user_id=created.id).username == "dev"
        process.send_signal(sig)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert f"control:       {address}" in output
    assert f"region us:     {regions['us']}" in output
    assert f"region de:     {regions['de']}" in output
    assert str(secret_file) in output
    assert secret not in output
    for database in ["control", "region-us", "region-de"]:
        assert (tmp_path / f"{database}.sqlite3").exists()
