"""How long the fuzz suite runs: `ci` (the default, in `make test`: a few seconds per RPC,
derandomized so every run sends the same requests) or `long` (`make fuzz`, random and with
shrinking, SILO_FUZZ_EXAMPLES requests per RPC, 1000 unless set), chosen with SILO_FUZZ_PROFILE."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = settings(
    deadline=None,
    database=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CI = settings(_COMMON, max_examples=20, derandomize=True, phases=[Phase.explicit, Phase.generate])
LONG = settings(_COMMON, max_examples=int(os.environ.get("SILO_FUZZ_EXAMPLES", "1000")))

FUZZ = {"ci": CI, "long": LONG}[os.environ.get("SILO_FUZZ_PROFILE", "ci")]
"""The profile this run uses."""

FUZZ_BYTES = settings(FUZZ, max_examples=max(FUZZ.max_examples // 2, 1))
"""The same for undecodable bytes, which reach less code: half the examples."""
