"""The in-memory description of one fixture case, before any reference is computed.

A case holds its inputs exactly as they will be written: float32 tensors hold doubles that are
exactly representable in float32 (rounded here, BEFORE any reference sees them), so every
reference computes from the very values an adapter will read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np

SIGMOID = "sigmoid_focal_loss"
SOFTMAX = "softmax_focal_loss"

# Defaults of the contract (docs/fixture-format.md, "Ops and options").
COMMON_DEFAULTS: dict[str, Any] = {
    "gamma": 2,
    "alpha": 0.25,
    "reduction": "mean",
    "fromLogits": True,
    "eps": 1e-7,
    "labelSmoothing": 0,
    "normalizer": None,
}
SIGMOID_DEFAULTS: dict[str, Any] = dict(COMMON_DEFAULTS)
SOFTMAX_DEFAULTS: dict[str, Any] = {**COMMON_DEFAULTS, "axis": -1, "ignoreIndex": None}


def to_float32(value: float) -> float:
    """The double that float32 stores for `value` (NaN and infinities pass through)."""
    return float(np.float32(value))


def size_of(shape: Sequence[int]) -> int:
    return math.prod(shape)


@dataclass(frozen=True)
class Tensor:
    dtype: str  # "float32" | "float64" | "int32"
    shape: tuple[int, ...]
    data: tuple[Any, ...]

    def __post_init__(self) -> None:
        if len(self.data) != size_of(self.shape):
            raise ValueError(f"tensor data has {len(self.data)} values, shape {self.shape} needs {size_of(self.shape)}")


def f32(shape: Sequence[int], values: Sequence[float]) -> Tensor:
    """A float32 tensor; values are rounded to float32 here so the fixture states them exactly."""
    return Tensor("float32", tuple(shape), tuple(to_float32(v) for v in values))


def i32(shape: Sequence[int], values: Sequence[int]) -> Tensor:
    ints = tuple(int(v) for v in values)
    if any(v < -(2**31) or v >= 2**31 for v in ints):
        raise ValueError("int32 value out of range")
    return Tensor("int32", tuple(shape), ints)


@dataclass
class Case:
    """One fixture to generate. `error` set means the call must fail with that code."""

    name: str
    op: str
    options: dict[str, Any]
    input: Tensor
    target: Tensor
    weight: Optional[Tensor] = None
    error: Optional[str] = None
    # For error fixtures: the rule of the contract the call breaks (goes into `reference`).
    rule: Optional[str] = None
    # Error fixtures of format 1.0 state a tolerance; those added for 1.1 show it is optional.
    error_tolerance: bool = True

    @property
    def group(self) -> str:
        return self.name.split("/", 1)[0]

    def resolved(self) -> dict[str, Any]:
        """The options with the contract's defaults filled in (only meaningful for valid cases)."""
        defaults = SIGMOID_DEFAULTS if self.op == SIGMOID else SOFTMAX_DEFAULTS
        return {**defaults, **self.options}



@dataclass(frozen=True)
class SoftmaxLayout:
    """Element (o, c, i) of a row-major input with the class axis in the middle."""

    axis: int
    outer: int
    classes: int
    inner: int

    @property
    def positions(self) -> int:
        return self.outer * self.inner

    def loss_shape(self, input_shape: Sequence[int]) -> tuple[int, ...]:
        return tuple(d for k, d in enumerate(input_shape) if k != self.axis)

    def index(self, position: int, c: int) -> int:
        o, i = divmod(position, self.inner) if self.inner else (0, 0)
        return o * self.classes * self.inner + c * self.inner + i


def softmax_layout(input_shape: Sequence[int], axis: int) -> SoftmaxLayout:
    rank = len(input_shape)
    ax = axis + rank if axis < 0 else axis
    if not 0 <= ax < rank:
        raise ValueError(f"axis {axis} out of range for shape {tuple(input_shape)}")
    outer = math.prod(input_shape[:ax])
    inner = math.prod(input_shape[ax + 1 :])
    return SoftmaxLayout(ax, outer, input_shape[ax], inner)
