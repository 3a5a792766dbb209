"""The fuzz suite runs against the end-to-end cluster: the control silo and regions `us` and `de`
as separate processes, each with its own database."""

from tests.e2e.conftest import cluster  # noqa: F401 - the cluster fixture, one per test module
