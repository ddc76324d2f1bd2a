"""Tolerance policy of /work/notes/tolerances.md (also in docs/fixture-format.md).

- standard groups: rtol 1e-4, atol = 1e-6 * max |expected| of that output (floor 1e-30);
- the tail-accuracy group `tail/`: rtol 5e-4, atol 1e-37, so relative accuracy is enforced down
  to just above float32's normal range.
"""

from __future__ import annotations

import math

TAIL_GROUP = "tail"
STANDARD_RTOL = 1e-4
STANDARD_ATOL_FACTOR = 1e-6
STANDARD_ATOL_FLOOR = 1e-30
TAIL_RTOL = 5e-4
TAIL_ATOL = 1e-37


def output_tolerance(group: str, expected: list[float]) -> dict[str, float]:
    if group == TAIL_GROUP:
        return {"rtol": TAIL_RTOL, "atol": TAIL_ATOL}
    largest = max((abs(v) for v in expected if math.isfinite(v)), default=0.0)
    return {"rtol": STANDARD_RTOL, "atol": max(STANDARD_ATOL_FACTOR * largest, STANDARD_ATOL_FLOOR)}


def error_tolerance() -> dict[str, float]:
    """Error fixtures compare no numbers; they state the standard tolerance for uniformity."""
    return {"rtol": STANDARD_RTOL, "atol": STANDARD_ATOL_FLOOR}
