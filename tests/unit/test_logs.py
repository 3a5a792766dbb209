"""Log lines never carry the password of a database or Redis URL, tracebacks included."""

from __future__ import annotations

import io
import logging

import pytest

from shared.logs import MaskingFormatter, mask_secrets

PASSWORD = "hunter2-in-a-log"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            f"postgresql+psycopg://silo:{PASSWORD}@db:5432/silo",
            "postgresql+psycopg://silo:***@db:5432/silo",
        ),
        (f"redis://:{PASSWORD}@cache:6379/0", "redis://:***@cache:6379/0"),
        (f"host=db password={PASSWORD} user=silo", "host=db password=*** user=silo"),
        ("sqlite:////var/lib/silo/control.sqlite3", "sqlite:////var/lib/silo/control.sqlite3"),
        ("127.0.0.1:50051 and user@example.com", "127.0.0.1:50051 and user@example.com"),
    ],
)
def test_mask_secrets(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def test_log_lines_and_tracebacks_are_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("silo.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("connecting to %s", f"postgresql://silo:{PASSWORD}@db/silo")
        try:
            raise ConnectionError(f"redis://:{PASSWORD}@cache:6379/0 refused")
        except ConnectionError:
            logger.exception("cache down")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert PASSWORD not in output
    assert "postgresql://silo:***@db/silo" in output and "ConnectionError" in output
