"""Domain exceptions raised by every service implementation, local or remote."""

from __future__ import annotations

# A message quotes at most about this much of what it was given: a status carries its message
# in a trailer, and a huge value quoted in full makes the status itself undeliverable.
MAX_MESSAGE_LENGTH = 240


def shorten(message: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """``message`` cut to ``limit`` characters, saying how long it was, when it is longer."""
    if len(message) <= limit:
        return message
    return f"{message[: limit - 40]}... ({len(message)} characters, shortened)"


class SiloError(Exception):
    """Base of every error a service reports to its caller.

    ``field`` names the request field at fault, when there is one; ``message`` says what is wrong.
    ``from_peer`` is set on errors a remote silo answered with (made from a received status).
    """

    from_peer: bool = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        message = shorten(message)
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, SiloError)
            and (other.message, other.field) == (self.message, self.field)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.message, self.field))


class NotFound(SiloError):
    """A record named by the request does not exist."""


class InvalidArgument(SiloError):
    """A request field is missing, malformed or out of range."""


class AlreadyExists(SiloError):
    """The request would break a uniqueness rule."""


class FailedPrecondition(SiloError):
    """The system is not in a state that allows the request."""


class Unauthenticated(SiloError):
    """The request's signature is missing, stale or wrong."""


class Unavailable(SiloError):
    """The other silo could not be reached; the call may be retried."""


class DeadlineExceeded(SiloError):
    """The other silo did not answer before the deadline."""


class InternalError(SiloError):
    """An unexpected failure inside a service."""
