"""What a command prints when it cannot start: one line naming the cause, passwords masked,
instead of a traceback."""

from __future__ import annotations

from shared.errors import SiloError
from shared.logs import mask_secrets


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def describe_failure(error: BaseException) -> str | None:
    """One line saying why a command could not run, or None for an error that is a bug (and
    keeps its traceback)."""
    from alembic.util import CommandError  # noqa: PLC0415 - loaded once something failed
    from sqlalchemy import exc  # noqa: PLC0415

    message: str | None = None
    if isinstance(error, SiloError | OSError | ValueError):
        message = str(error)
    elif isinstance(error, exc.NoSuchModuleError | exc.ArgumentError):
        message = f"the database URL is not usable: {error}"
    elif isinstance(error, exc.DBAPIError):
        cause = error.orig if error.orig is not None else error
        message = f"the database could not be used: {_first_line(str(cause))}"
    elif isinstance(error, exc.SQLAlchemyError):
        message = f"database error: {_first_line(str(error))}"
    elif isinstance(error, CommandError):
        text = str(error)
        if "Can't locate revision" in text:
            message = (
                f"the database is at a schema revision this version of Silo does not know ({text})"
            )
        else:
            message = f"migration failed: {text}"
    if message is None:
        return None
    return mask_secrets(_first_line(message) or type(error).__name__)
