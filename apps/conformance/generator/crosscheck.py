"""Cross-check of the mpmath reference against each torch reference, element by element.

Agreement: |mp - torch| <= ATOL + RTOL * |mp| where torch applies and is finite; a NaN from
mpmath must be a NaN from torch. Where torch is not finite (autograd of u ** gamma at u = 0) or
known-inapplicable, mpmath stands alone and the summary says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reference_torch import TorchResult

RTOL = 1e-9
RTOL_TEXT = "1e-9"
ATOL = 1e-300


class Disagreement(Exception):
    pass


@dataclass
class OutputCheck:
    compared: int
    total: int
    nonfinite: int  # left to mpmath because torch was not finite there
    inapplicable: int  # left to mpmath because the torch implementation is known to be inaccurate there


def agree(expected: float, actual: float) -> bool:
    if math.isnan(expected):
        return math.isnan(actual)
    if math.isinf(expected):
        return actual == expected
    return abs(expected - actual) <= ATOL + RTOL * abs(expected)


def check_output(
    fixture: str, output: str, expected: list[float], actual: list[float], applicable: list[bool], label: str
) -> OutputCheck:
    if len(expected) != len(actual):
        raise Disagreement(f"{fixture}: {output} has {len(expected)} mpmath values but {len(actual)} from {label}")
    result = OutputCheck(0, len(expected), 0, 0)
    for k, (e, a, ok) in enumerate(zip(expected, actual, applicable)):
        if not ok:
            result.inapplicable += 1
            continue
        if math.isnan(e) or math.isfinite(a):
            if not agree(e, a):
                raise Disagreement(
                    f"{fixture}: {output}[{k}] mpmath {e!r} vs {label} {a!r} "
                    f"(relative difference {abs(e - a) / abs(e) if e else math.inf:.3g} > {RTOL})"
                )
            result.compared += 1
        else:
            result.nonfinite += 1
    return result


def describe(label: str, checks: dict[str, OutputCheck]) -> str:
    """e.g. 'torch ... agrees to 1e-9', or with '(gradInput on 3 of 4 elements; ...)' when partial."""
    notes = []
    for output, c in checks.items():
        if c.compared == c.total:
            continue
        reasons = []
        if c.nonfinite:
            reasons.append(f"{c.nonfinite} not finite in autograd")
        if c.inapplicable:
            reasons.append(f"{c.inapplicable} where its 1 - p_t cancels")
        notes.append(f"{output} on {c.compared} of {c.total} elements, mpmath alone on {' and '.join(reasons)}")
    if notes and all(c.compared == 0 for c in checks.values()):
        return f"{label} not compared ({'; '.join(notes)})"
    return f"{label} agrees to {RTOL_TEXT}" + (f" ({'; '.join(notes)})" if notes else "")


def cross_check(fixture: str, loss: list[float], grad: list[float], torch_results: list[TorchResult]) -> list[str]:
    """Raises Disagreement on any mismatch; returns one summary phrase per torch reference."""
    phrases = []
    for r in torch_results:
        checks = {
            "loss": check_output(fixture, "loss", loss, r.loss, r.loss_applicable, r.label),
            "gradInput": check_output(fixture, "gradInput", grad, r.grad, r.grad_applicable, r.label),
        }
        phrases.append(describe(r.label, checks))
    return phrases
