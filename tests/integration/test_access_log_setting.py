"""The access log's sample comes from the configuration file as every other setting does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shared.errors import NotFound
from shared.rpc.channel import open_channel
from shared.services.registry import remote
from shared.services.user.service import UserService
from tests.integration.processes import free_port, run_silo, silo_command, wait_serving


def test_a_sample_set_in_the_config_file_leaves_out_successful_calls(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'control.sqlite3'}"
    assert run_silo("upgrade", "--silo", "control", "--database-url", url).returncode == 0
    config = tmp_path / "silo.toml"
    config.write_text("rpc_log_sample = 0\n")
    address = f"127.0.0.1:{free_port()}"
    log_path = tmp_path / "control.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SILO_")}
    command = silo_command(
        "--config", str(config), "serve", "control", "--database-url", url, "--listen", address
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    try:
        wait_serving(address)
        users = remote(UserService, open_channel(address, secret=None))
        assert users.get_many_by_id(user_ids=[12345]) == []
        with pytest.raises(NotFound):
            users.get_user(user_id=12345)
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0
    lines = log_path.read_text().splitlines()
    assert not [line for line in lines if "UserService/GetManyByID" in line]
    assert len([line for line in lines if "UserService/GetUser" in line]) == 1
