"""Every fixture case, by group. Add a case by appending to the group's function.

Random inputs come from a generator seeded by the fixture name (crc32), so a case's data does not
change when cases are added or reordered. Random values are snapped to short binary fractions
(k / 64 for logits, k / 1024 for probabilities): they are exact in float32 and print short.
"""

from __future__ import annotations

import math
import zlib
from typing import Any, Optional, Sequence

import numpy as np

from model import SIGMOID, SOFTMAX, Case, Tensor, f32, i32, size_of, softmax_layout

GAMMAS = [0, 0.5, 1, 2, 5]
SATURATED = [(40.0, "40"), (100.0, "100"), (1e4, "1e4")]


# ---------------------------------------------------------------- random data


def rng(name: str, stream: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(f"{name}:{stream}".encode()))


def snap(values: np.ndarray, step: float) -> list[float]:
    return [float(v) for v in np.round(values / step) * step]


def logits(name: str, n: int, scale: float = 2.5) -> list[float]:
    return snap(rng(name, "input").normal(0.0, scale, n), 1 / 64)


def probabilities(name: str, n: int, lo: float = 0.02, hi: float = 0.98) -> list[float]:
    return snap(rng(name, "input").uniform(lo, hi, n), 1 / 1024)


def binary(name: str, n: int, positive: float = 0.4) -> list[float]:
    return [float(v) for v in (rng(name, "target").uniform(0, 1, n) < positive)]


def soft(name: str, n: int) -> list[float]:
    return snap(rng(name, "target").uniform(0, 1, n), 1 / 256)


def indices(name: str, n: int, classes: int) -> list[int]:
    return [int(v) for v in rng(name, "target").integers(0, classes, n)]


def weights(name: str, n: int) -> list[float]:
    return snap(rng(name, "weight").uniform(0, 2, n), 1 / 256)


def row_probabilities(name: str, positions: int, classes: int) -> list[float]:
    """Rows that sum to about 1 (the contract does not require it), classes last."""
    raw = rng(name, "input").uniform(0.05, 1.0, (positions, classes))
    rows = raw / raw.sum(axis=1, keepdims=True)
    return snap(rows.reshape(-1), 1 / 1024)


def soft_rows(name: str, positions: int, classes: int) -> list[float]:
    """Per-position target distributions (classes last)."""
    raw = rng(name, "target").uniform(0.0, 1.0, (positions, classes)) ** 2
    rows = raw / raw.sum(axis=1, keepdims=True)
    return snap(rows.reshape(-1), 1 / 256)


# ---------------------------------------------------------------- builders


def sig(name: str, shape: Sequence[int], x: Sequence[float], t: Sequence[float],
        weight: Optional[Sequence[float]] = None, **options: Any) -> Case:
    return Case(name, SIGMOID, options, f32(shape, x), f32(shape, t),
                None if weight is None else f32(shape, weight))


def smx(name: str, shape: Sequence[int], x: Sequence[float], target: Tensor,
        weight: Optional[Sequence[float]] = None, **options: Any) -> Case:
    weight_tensor = None
    if weight is not None:
        lay = softmax_layout(shape, options.get("axis", -1))
        weight_tensor = f32(lay.loss_shape(shape), weight)
    return Case(name, SOFTMAX, options, f32(shape, x), target, weight_tensor)


def sig_int(name: str, shape: Sequence[int], x: Sequence[float], t: Sequence[int],
            weight: Optional[Sequence[float]] = None, **options: Any) -> Case:
    """A sigmoid case with int32 targets (format 1.1: values 0 or 1, the same as float 0 and 1)."""
    return Case(name, SIGMOID, options, f32(shape, x), i32(shape, t),
                None if weight is None else f32(shape, weight))


def index_target(shape: Sequence[int], axis: int, values: Sequence[int]) -> Tensor:
    lay = softmax_layout(shape, axis)
    return i32(lay.loss_shape(shape), values)


def onehot_target(shape: Sequence[int], axis: int, values: Sequence[int]) -> Tensor:
    """A float target of the input's shape with 1 at each position's class."""
    lay = softmax_layout(shape, axis)
    data = [0.0] * size_of(shape)
    for position, k in enumerate(values):
        data[lay.index(position, k)] = 1.0
    return f32(shape, data)


def rows_to_layout(shape: Sequence[int], axis: int, rows: Sequence[float]) -> list[float]:
    """Reorders class-last rows (position-major) into the input's layout."""
    lay = softmax_layout(shape, axis)
    data = [0.0] * size_of(shape)
    for position in range(lay.positions):
        for c in range(lay.classes):
            data[lay.index(position, c)] = rows[position * lay.classes + c]
    return data


def random_softmax(name: str, shape: Sequence[int], axis: Optional[int] = None, kind: str = "index",
                   weight: bool = False, **options: Any) -> Case:
    """Random logits (or probabilities when fromLogits is false) with index, onehot or soft targets.

    `axis` is written into the options only when given (None: the default -1 applies).
    """
    if axis is not None:
        options = {"axis": axis, **options}
    axis = -1 if axis is None else axis
    lay = softmax_layout(shape, axis)
    n = size_of(shape)
    if options.get("fromLogits", True):
        x = logits(name, n)
    else:
        x = rows_to_layout(shape, axis, row_probabilities(name, lay.positions, lay.classes))
    ks = indices(name, lay.positions, lay.classes)
    if kind == "index":
        target = index_target(shape, axis, ks)
    elif kind == "onehot":
        target = onehot_target(shape, axis, ks)
    else:
        target = f32(shape, rows_to_layout(shape, axis, soft_rows(name, lay.positions, lay.classes)))
    w = weights(name, lay.positions) if weight else None
    return smx(name, shape, x, target, w, **options)


def random_sigmoid(name: str, shape: Sequence[int], targets: str = "binary", weight: bool = False,
                   **options: Any) -> Case:
    n = size_of(shape)
    x = logits(name, n) if options.get("fromLogits", True) else probabilities(name, n)
    t = binary(name, n) if targets == "binary" else soft(name, n)
    return sig(name, shape, x, t, weights(name, n) if weight else None, **options)


# ---------------------------------------------------------------- groups


def sigmoid_cases() -> list[Case]:
    cases = [
        sig("sigmoid/defaults", [2, 3], [0.1, -2, 3.5, 0, 7, -0.25], [1, 0, 0, 1, 0, 0]),
        # FL(p = 0.8, y = 1, alpha = 0.25, gamma = 2) = 0.00223144 with p = sigmoid(ln 4); ln 4 is
        # rounded to float32 here, so the expected value differs from it in the 8th digit.
        sig("sigmoid/worked-example", [1], [math.log(4)], [1], alpha=0.25, gamma=2, reduction="none"),
        random_sigmoid("sigmoid/alpha-null", [3, 4], alpha=None, reduction="none"),
        random_sigmoid("sigmoid/alpha0", [3, 4], alpha=0, reduction="none"),
        random_sigmoid("sigmoid/alpha1", [3, 4], alpha=1, reduction="none"),
        random_sigmoid("sigmoid/alpha0.75-gamma2.5", [3, 4], alpha=0.75, gamma=2.5, reduction="sum"),
        random_sigmoid("sigmoid/alpha-null-gamma0-bce", [3, 4], alpha=None, gamma=0, reduction="mean"),
        random_sigmoid("sigmoid/soft-targets-gamma1.5", [2, 3], targets="soft", alpha=0.25, gamma=1.5,
                       reduction="mean"),
        random_sigmoid("sigmoid/soft-targets-gamma0.5", [3, 4], targets="soft", gamma=0.5, reduction="none"),
        random_sigmoid("sigmoid/label-smoothing0.1", [3, 4], labelSmoothing=0.1, reduction="mean"),
        random_sigmoid("sigmoid/label-smoothing0.2-soft-targets", [3, 4], targets="soft", alpha=None,
                       labelSmoothing=0.2, reduction="none"),
        random_sigmoid("sigmoid/label-smoothing0.05-gamma0.5", [3, 4], labelSmoothing=0.05, gamma=0.5,
                       reduction="none"),
        random_sigmoid("sigmoid/multi-label-4x5", [4, 5], alpha=0.5, reduction="sum"),
    ]
    for g in GAMMAS:
        cases.append(random_sigmoid(f"sigmoid/gamma{g}", [3, 4], alpha=0.25, gamma=g, reduction="none"))
    # Format 1.1: int32 targets 0/1 mean the same as the float targets 0 and 1.
    cases += [
        sig_int("sigmoid/int32-targets", [2, 3], [0.1, -2, 3.5, 0, 7, -0.25], [1, 0, 0, 1, 0, 0],
                reduction="none"),
        sig_int("sigmoid/int32-targets-weighted-mean", [3, 4], logits("sigmoid/int32-targets-weighted-mean", 12),
                [int(v) for v in binary("sigmoid/int32-targets-weighted-mean", 12)],
                weights("sigmoid/int32-targets-weighted-mean", 12), alpha=0.5, gamma=1, reduction="mean"),
    ]
    return cases


def softmax_cases() -> list[Case]:
    cases = [
        random_softmax("softmax/defaults", [6, 4]),
        random_softmax("softmax/alpha-null", [6, 4], alpha=None, reduction="none"),
        random_softmax("softmax/alpha0", [6, 4], alpha=0, reduction="none"),
        random_softmax("softmax/alpha1", [6, 4], alpha=1, reduction="none"),
        random_softmax("softmax/alpha-per-class", [6, 4], alpha=[0.1, 0.2, 0.3, 0.4], reduction="mean"),
        random_softmax("softmax/alpha-per-class-onehot", [6, 4], kind="onehot", alpha=[0.5, 0.25, 1, 0],
                       reduction="none"),
        random_softmax("softmax/alpha-per-class-soft-targets", [6, 4], kind="soft",
                       alpha=[0.25, 0.5, 0.75, 1], gamma=1.5, reduction="sum"),
        random_softmax("softmax/onehot-targets", [6, 4], kind="onehot", alpha=0.25, reduction="none"),
        random_softmax("softmax/soft-targets-gamma1.5", [6, 4], kind="soft", gamma=1.5, reduction="mean"),
        random_softmax("softmax/label-smoothing0.1", [6, 4], labelSmoothing=0.1, reduction="mean"),
        random_softmax("softmax/label-smoothing0.2-soft-targets", [6, 4], kind="soft", alpha=None,
                       labelSmoothing=0.2, reduction="none"),
        random_softmax("softmax/label-smoothing0.1-gamma0.5", [6, 4], labelSmoothing=0.1, gamma=0.5,
                       reduction="none"),
        random_softmax("softmax/two-classes", [5, 2], reduction="none"),
        random_softmax("softmax/fifty-classes", [3, 50], alpha=None, reduction="none"),
        # Ties for the largest logit: the top class must be chosen consistently.
        smx("softmax/tied-logits", [4, 3], [0, 0, 0, 2, 2, -1, 1, -3, 1, 0.5, 0.5, 0.5],
            i32([4], [0, 1, 2, 2]), alpha=None, gamma=2, reduction="none"),
    ]
    for g in GAMMAS:
        cases.append(random_softmax(f"softmax/gamma{g}", [6, 4], alpha=0.25, gamma=g, reduction="none"))
    return cases


def probability_cases() -> list[Case]:
    # Probabilities outside [eps, 1 - eps] (default eps 1e-7): 0, 1e-9, 5e-8, 1 and
    # 0.99999994 (float32's largest value below 1) are clipped and get gradient 0;
    # 0.9999999 rounds to 0.99999988 in float32, just inside.
    edge_p = [0, 1e-9, 5e-8, 1, 0.99999994, 0.9999999, 0.3, 0.7]
    return [
        random_sigmoid("probabilities/sigmoid-default-eps", [2, 4], fromLogits=False, reduction="none"),
        sig("probabilities/sigmoid-default-eps-clipped", [8], edge_p, [1, 0, 1, 0, 1, 0, 1, 0],
            fromLogits=False, reduction="none"),
        sig("probabilities/sigmoid-default-eps-clipped-mean", [8], edge_p, [0, 1, 0, 1, 0, 1, 0, 1],
            fromLogits=False, alpha=None, gamma=0.5, reduction="mean"),
        sig("probabilities/sigmoid-custom-eps1e-3", [8], [1e-4, 5e-4, 2e-3, 0.5, 0.998, 0.9995, 0.99995, 1],
            [1, 0, 1, 0, 1, 0, 1, 1], fromLogits=False, eps=1e-3, reduction="none"),
        random_sigmoid("probabilities/sigmoid-custom-eps0.05-soft-targets", [3, 4], targets="soft",
                       fromLogits=False, eps=0.05, gamma=0.5, reduction="none"),
        sig("probabilities/sigmoid-worked-example", [1], [0.8], [1], fromLogits=False, alpha=0.25, gamma=2,
            reduction="none"),
        random_sigmoid("probabilities/sigmoid-gamma0-alpha-null-sum", [3, 4], fromLogits=False, gamma=0,
                       alpha=None, reduction="sum"),
        random_sigmoid("probabilities/sigmoid-label-smoothing0.1", [3, 4], fromLogits=False,
                       labelSmoothing=0.1, reduction="none"),
        random_softmax("probabilities/softmax-default-eps", [5, 4], fromLogits=False, reduction="none"),
        smx("probabilities/softmax-clipped", [4, 3],
            [0, 0.25, 0.75, 1, 0, 0, 1e-9, 0.5, 0.5, 0.99999994, 6e-8, 0],
            i32([4], [0, 0, 0, 0]), fromLogits=False, alpha=None, reduction="none"),
        smx("probabilities/softmax-clipped-label-smoothing0.1", [4, 3],
            [0, 0.25, 0.75, 1, 0, 0, 1e-9, 0.5, 0.5, 0.99999994, 6e-8, 0],
            f32([4, 3], [0, 1, 0, 1, 0, 0, 0.5, 0.5, 0, 0, 0, 1]),
            fromLogits=False, labelSmoothing=0.1, gamma=1, reduction="none"),
        random_softmax("probabilities/softmax-custom-eps0.01-alpha-per-class", [5, 4], kind="onehot",
                       fromLogits=False, eps=0.01, alpha=[0.1, 0.2, 0.3, 0.4], reduction="mean"),
        random_softmax("probabilities/softmax-gamma0.5-soft-targets", [5, 4], kind="soft", fromLogits=False,
                       gamma=0.5, reduction="sum"),
    ]


def reduction_cases() -> list[Case]:
    cases = []
    for reduction in ["none", "sum", "mean"]:
        cases.append(random_sigmoid(f"reductions/sigmoid-{reduction}", [3, 4], reduction=reduction))
        cases.append(random_softmax(f"reductions/softmax-{reduction}", [5, 3], reduction=reduction))
    cases += [
        # RetinaNet divides by the number of positive anchors.
        random_sigmoid("reductions/sigmoid-mean-normalizer", [3, 4], reduction="mean", normalizer=3),
        random_sigmoid("reductions/sigmoid-mean-normalizer0.5", [3, 4], reduction="mean", normalizer=0.5),
        random_softmax("reductions/softmax-mean-normalizer", [5, 3], reduction="mean", normalizer=2),
        # A normalizer with "sum" or "none" is INVALID_OPTION since format 1.1: see error_cases_1_1.
    ]
    return cases


def weight_cases() -> list[Case]:
    cases = [
        random_sigmoid(f"weights/sigmoid-{r}", [3, 4], weight=True, reduction=r) for r in ["none", "sum", "mean"]
    ]
    cases += [random_softmax(f"weights/softmax-{r}", [5, 3], weight=True, reduction=r)
              for r in ["none", "sum", "mean"]]
    cases += [
        sig("weights/sigmoid-zero-weights", [6], [0.5, -1, 2, -3, 0.25, 4], [1, 0, 1, 1, 0, 0],
            [0, 1, 0, 2, 0.5, 0], reduction="mean"),
        random_sigmoid("weights/sigmoid-mean-normalizer", [3, 4], weight=True, reduction="mean", normalizer=4),
        random_softmax("weights/softmax-nchw-axis1", [2, 3, 2, 2], axis=1, weight=True, reduction="mean"),
        smx("weights/softmax-ignore-index", [4, 3], logits("weights/softmax-ignore-index", 12),
            i32([4], [2, -100, 0, 1]), [0.5, 3, 1.5, 1], ignoreIndex=-100, reduction="mean"),
        random_softmax("weights/softmax-soft-targets-label-smoothing", [5, 3], kind="soft", weight=True,
                       labelSmoothing=0.1, reduction="sum"),
    ]
    return cases


def ignore_index_cases() -> list[Case]:
    shape = [6, 4]
    targets = [1, -100, 3, 0, -100, 2]

    def case(name: str, target: Sequence[int], **options: Any) -> Case:
        return smx(name, shape, logits(name, 24), i32([6], target), **options)

    return [
        case("ignore-index/minus100-mean", targets, ignoreIndex=-100, reduction="mean"),
        case("ignore-index/minus100-none", targets, ignoreIndex=-100, reduction="none"),
        case("ignore-index/minus100-sum", targets, ignoreIndex=-100, reduction="sum"),
        case("ignore-index/minus100-mean-normalizer", targets, ignoreIndex=-100, reduction="mean", normalizer=2),
        case("ignore-index/all-ignored-mean", [-100] * 6, ignoreIndex=-100, reduction="mean"),
        case("ignore-index/all-ignored-sum", [-100] * 6, ignoreIndex=-100, reduction="sum"),
        # An ignoreIndex inside the class range ignores that class's positions.
        case("ignore-index/in-range-index0", [0, 1, 0, 2, 3, 0], ignoreIndex=0, reduction="mean"),
        case("ignore-index/label-smoothing", targets, ignoreIndex=-100, labelSmoothing=0.1, reduction="mean"),
        smx("ignore-index/nchw-255", [2, 3, 2, 2], logits("ignore-index/nchw-255", 24),
            i32([2, 2, 2], [0, 255, 2, 1, 255, 255, 1, 0]), axis=1, ignoreIndex=255, reduction="mean"),
        # ignoreIndex with float targets is INVALID_OPTION since format 1.1: see error_cases_1_1.
    ]


def layout_cases() -> list[Case]:
    return [
        random_softmax("layout/softmax-nchw-axis1-int32", [2, 3, 4, 5], axis=1, reduction="mean"),
        random_softmax("layout/softmax-nchw-axis1-onehot", [2, 3, 4, 5], axis=1, kind="onehot", reduction="none"),
        random_softmax("layout/softmax-nchw-axis1-soft", [2, 3, 4, 5], axis=1, kind="soft", reduction="sum"),
        random_softmax("layout/softmax-nchw-axis1-alpha-per-class-gamma0.5", [2, 3, 4, 5], axis=1,
                       alpha=[0.2, 0.3, 0.5], gamma=0.5, reduction="mean"),
        random_softmax("layout/softmax-axis-minus1", [2, 3, 4], axis=-1, reduction="none"),
        random_softmax("layout/softmax-axis-minus2", [2, 3, 4], axis=-2, reduction="none"),
        random_softmax("layout/softmax-axis2", [2, 3, 4], axis=2, reduction="none"),
        random_softmax("layout/softmax-axis0", [3, 4], axis=0, kind="soft", reduction="none"),
        random_softmax("layout/softmax-1d-none", [5], axis=0, reduction="none"),
        random_softmax("layout/softmax-1d-mean", [5], reduction="mean"),
        random_sigmoid("layout/sigmoid-3d", [2, 3, 4], reduction="none"),
    ]


def edge_cases() -> list[Case]:
    nan = math.nan
    return [
        sig("edge/sigmoid-scalar-none", [], [0.75], [1], reduction="none"),
        sig("edge/sigmoid-scalar-mean", [], [-1.5], [0.25], alpha=None, reduction="mean"),
        sig("edge/sigmoid-empty-mean", [0], [], [], reduction="mean"),
        sig("edge/sigmoid-empty-sum", [0], [], [], reduction="sum"),
        sig("edge/sigmoid-empty-none", [0], [], [], reduction="none"),
        sig("edge/sigmoid-empty-2d-mean", [0, 3], [], [], reduction="mean"),
        smx("edge/softmax-empty-int32-mean", [0, 3], [], i32([0], []), reduction="mean"),
        smx("edge/softmax-empty-float-none", [0, 3], [], f32([0, 3], []), reduction="none"),
        smx("edge/softmax-empty-nchw-mean", [0, 3, 2, 2], [], i32([0, 2, 2], []), axis=1, reduction="mean"),
        sig("edge/sigmoid-zero-logits", [4], [0, 0, 0, 0], [1, 0, 0.5, 0.25], gamma=0.5, reduction="none"),
        # NaN in the input propagates to its own loss element and gradient (and to a reduced loss).
        sig("edge/sigmoid-nan-none", [4], [0.5, nan, -1, 2], [1, 1, 0, 0], reduction="none"),
        sig("edge/sigmoid-nan-mean", [4], [0.5, nan, -1, 2], [1, 1, 0, 0], reduction="mean"),
        smx("edge/softmax-nan-none", [3, 4], [0.5, -1, 2, 0, 1, nan, 0, -2, 3, 1, -1, 0.25],
            i32([3], [2, 0, 0]), reduction="none"),
        smx("edge/softmax-nan-mean", [3, 4], [nan, -1, 2, 0, 1, 0.5, 0, -2, 3, 1, -1, 0.25],
            i32([3], [2, 0, 0]), reduction="mean"),
        # One class: p = 1, so the loss and its gradient are 0 for every gamma.
        smx("edge/softmax-single-class-gamma2", [4, 1], [0.5, -3, 0, 7], i32([4], [0, 0, 0, 0]),
            reduction="none"),
        smx("edge/softmax-single-class-gamma0.5", [4, 1], [0.5, -3, 0, 7], i32([4], [0, 0, 0, 0]), gamma=0.5,
            reduction="none"),
        smx("edge/softmax-single-class-gamma0", [4, 1], [0.5, -3, 0, 7], i32([4], [0, 0, 0, 0]), gamma=0,
            reduction="mean"),
    ]


def large_cases() -> list[Case]:
    # 10,240 elements each; inputs are multiples of 1/256 (exact in float32, short to print).
    n = 40 * 256
    r = rng("large/sigmoid-10240", "input")
    x = [float(v) / 256 for v in r.integers(-2560, 2561, n)]
    t = [float(v) for v in rng("large/sigmoid-10240", "target").uniform(0, 1, n) < 0.1]
    r2 = rng("large/softmax-10240", "input")
    x2 = [float(v) / 256 for v in r2.integers(-1280, 1281, n)]
    return [
        sig("large/sigmoid-10240", [40, 256], x, t, alpha=0.25, gamma=2, reduction="mean"),
        smx("large/softmax-10240", [1024, 10], x2, i32([1024], indices("large/softmax-10240", 1024, 10)),
            alpha=0.25, gamma=2, reduction="mean"),
    ]


def tail_cases() -> list[Case]:
    cases = []
    for value, label in SATURATED:
        for g in GAMMAS:
            # Confidently right and confidently wrong, for either label.
            cases.append(sig(f"tail/sigmoid-x{label}-gamma{g}", [4], [value, -value, value, -value],
                             [1, 1, 0, 0], alpha=0.25, gamma=g, reduction="none"))
            cases.append(smx(f"tail/softmax-x{label}-gamma{g}", [3, 3], [value, 0, -value] * 3,
                             i32([3], [0, 1, 2]), alpha=0.25, gamma=g, reduction="none"))
    confident = [15, -15, 20, -20, 30, -30, 36, -36]
    cases += [
        sig("tail/sigmoid-confident-gamma2", [8], confident, [1, 0, 1, 0, 1, 0, 1, 0], reduction="none"),
        sig("tail/sigmoid-confident-gamma0.5", [8], confident, [1, 0, 1, 0, 1, 0, 1, 0], gamma=0.5,
            reduction="none"),
        sig("tail/sigmoid-saturated-label-smoothing", [4], [50, -50, 50, -50], [1, 1, 0, 0],
            labelSmoothing=0.1, reduction="none"),
        smx("tail/softmax-confident-gamma2", [4, 3], [20, 0, -5, 35, 1, 2, 12, 12.5, -30, -8, 25, 3],
            i32([4], [0, 0, 1, 1]), reduction="none"),
        smx("tail/softmax-confident-gamma0.5", [4, 3], [20, 0, -5, 35, 1, 2, 12, 12.5, -30, -8, 25, 3],
            i32([4], [0, 0, 1, 1]), gamma=0.5, reduction="none"),
        smx("tail/softmax-confident-label-smoothing", [4, 3], [20, 0, -5, 35, 1, 2, 12, 12.5, -30, -8, 25, 3],
            i32([4], [0, 0, 1, 1]), labelSmoothing=0.1, reduction="none"),
    ]
    # Tiny probabilities need an eps below them; 1e-35 stays below eps = 1e-30 and is clipped.
    tiny = [1e-3, 1e-6, 1e-12, 1e-20, 1e-29, 1e-35]
    for g in [0.5, 2]:
        cases.append(sig(f"tail/sigmoid-tiny-probabilities-gamma{g}", [12], tiny + tiny, [1] * 6 + [0] * 6,
                         fromLogits=False, eps=1e-30, gamma=g, reduction="none"))
    near_one = [0.99999994, 0.9999999, 0.999999, 0.9999]
    cases += [
        sig("tail/sigmoid-near-one-probabilities", [8], near_one + near_one, [1] * 4 + [0] * 4,
            fromLogits=False, eps=1e-30, reduction="none"),
        smx("tail/softmax-tiny-probabilities", [3, 3], [1e-20, 0.99999994, 6e-8, 1e-12, 1e-3, 0.999, 0.5, 1e-30,
                                                         0.5], i32([3], [0, 0, 1]),
            fromLogits=False, eps=1e-35, reduction="none"),
        smx("tail/softmax-tiny-probabilities-gamma0.5", [3, 3],
            [1e-20, 0.99999994, 6e-8, 1e-12, 1e-3, 0.999, 0.5, 1e-30, 0.5], i32([3], [0, 1, 1]),
            fromLogits=False, eps=1e-35, gamma=0.5, reduction="none"),
    ]
    return cases


INF = math.inf


def infinity_cases() -> list[Case]:
    """Format 1.1: infinite logits take the limits of the formulas (fixture-format.md, "Non-finite inputs")."""
    x = [INF, INF, INF, INF, -INF, -INF, -INF, -INF, 0.5]
    t = [1, 0, 0.25, 0.75, 0, 1, 0.25, 0.75, 1]
    cases = []
    for g in [0, 0.5, 2]:
        for alpha, label in [(0.25, "alpha0.25"), (None, "alpha-null")]:
            cases.append(sig(f"infinities/sigmoid-gamma{g}-{label}", [9], x, t, alpha=alpha, gamma=g,
                             reduction="none"))
    masked = [2, -INF, 0.5, -INF, -INF, 1, -INF, -1, 0, 0, -INF, 0, 3, -INF, -INF, -INF]
    masked_targets = [0, 3, 1, 0]
    cases += [
        # alpha = 1 makes alpha_t = 0 for t = 0: the limit is 0 there, not +Infinity.
        sig("infinities/sigmoid-alpha1-zero-alpha-t", [4], [INF, -INF, INF, -INF], [0, 1, 1, 0], alpha=1,
            reduction="none"),
        sig("infinities/sigmoid-sum-finite-limits", [4], [INF, -INF, 2, -1], [1, 0, 1, 0], reduction="sum"),
        sig("infinities/sigmoid-mean-infinite", [4], [INF, -1, 2, -INF], [0, 0, 1, 1], reduction="mean"),
        sig("infinities/sigmoid-label-smoothing", [4], [INF, -INF, INF, -INF], [1, 0, 0, 1], labelSmoothing=0.1,
            gamma=0.5, reduction="none"),
        sig_int("infinities/sigmoid-int32-targets", [4], [INF, -INF, INF, -INF], [1, 0, 0, 1], reduction="none"),
        # Weights multiply by IEEE rules: +Infinity * 0 is NaN (loss), a finite gradient * 0 is 0.
        sig("infinities/sigmoid-weighted", [6], [INF, INF, -INF, -INF, INF, 3], [0, 0, 1, 0, 1, 1],
            [2, 0, 0.5, 0, 0, 1], reduction="none"),
        sig("infinities/sigmoid-weighted-sum", [4], [INF, -INF, 1, -2], [1, 0, 1, 0], [0, 0, 2, 0.5],
            gamma=0.5, reduction="sum"),
        sig("infinities/sigmoid-weighted-mean-nan", [3], [INF, 1, -2], [0, 1, 0], [0, 1, 1], reduction="mean"),
    ]
    # Softmax: -Infinity logits mask their classes (p = 0); a masked target class makes the loss
    # +Infinity with a finite gradient; a +Infinity logit or an all -Infinity row is NaN.
    for g in [0, 0.5, 2]:
        cases.append(smx(f"infinities/softmax-masked-gamma{g}", [4, 4], masked, i32([4], masked_targets),
                         gamma=g, reduction="none"))
    soft_masked = [0.5, 0, 0.5, 0, 0, 0.25, 0, 0.75, 0.125, 0.75, 0, 0.125, 1, 0, 0, 0]
    cases += [
        smx("infinities/softmax-masked-alpha-per-class-mean", [4, 4], masked, i32([4], masked_targets),
            alpha=[0.1, 0.2, 0.3, 0.4], reduction="mean"),
        smx("infinities/softmax-masked-onehot-sum", [4, 4], masked, onehot_target([4, 4], -1, masked_targets),
            alpha=None, reduction="sum"),
        smx("infinities/softmax-masked-soft-targets", [4, 4], masked, f32([4, 4], soft_masked), gamma=0.5,
            reduction="none"),
        smx("infinities/softmax-masked-nchw-axis1", [1, 3, 2, 2],
            [0.5, -INF, 1, 2, -INF, -INF, 0, 1, 1, 2, -INF, -1], i32([1, 2, 2], [0, 2, 1, 2]), axis=1,
            weight=[1, 0.5, 2, 1], reduction="mean"),
        # Label smoothing gives every class t_c = s / C > 0, so a masked class makes the loss +Infinity.
        smx("infinities/softmax-masked-label-smoothing", [2, 3], [1, -INF, 0, 0.5, 2, 1], i32([2], [0, 1]),
            labelSmoothing=0.1, reduction="none"),
    ]
    target_masked = [-INF, 1, 2, 0.5, -INF, 0, 1, 2, 3]
    for g in [0, 0.5, 2]:
        cases.append(smx(f"infinities/softmax-target-class-masked-gamma{g}", [3, 3], target_masked,
                         i32([3], [0, 1, 2]), gamma=g, reduction="none"))
    cases += [
        smx("infinities/softmax-target-class-masked-mean", [3, 3], target_masked, i32([3], [0, 1, 2]),
            alpha=[0.25, 0.5, 1], reduction="mean"),
        smx("infinities/softmax-target-class-masked-weighted", [3, 3], target_masked, i32([3], [0, 1, 2]),
            [0, 2, 1], reduction="none"),
        smx("infinities/softmax-nan-rows", [4, 3], [INF, 0, 1, -INF, -INF, -INF, INF, -INF, 0, 1, -INF, 0],
            i32([4], [0, 1, 2, 0]), reduction="none"),
        smx("infinities/softmax-nan-row-mean", [2, 3], [INF, 0, 1, 0.5, -1, 2], i32([2], [0, 2]), reduction="mean"),
        smx("infinities/softmax-all-minus-infinity-sum", [2, 2], [-INF, -INF, 1, 0], i32([2], [1, 0]),
            reduction="sum"),
        # An ignored position contributes 0 with gradient 0 whatever its logits, and its weight is not read.
        smx("infinities/softmax-ignored-non-finite-rows", [3, 3], [-INF, -INF, -INF, INF, 0, 1, 0.5, 1, -1],
            i32([3], [-100, -100, 2]), [math.nan, INF, 1], ignoreIndex=-100, reduction="mean"),
    ]
    return cases


def size_cases() -> list[Case]:
    """Format 1.1: zero-size shapes: empty inputs under every reduction, and zero classes."""
    cases = []
    for r in ["none", "sum", "mean"]:
        cases += [
            sig(f"sizes/sigmoid-empty-3d-{r}", [2, 0, 3], [], [], reduction=r),
            smx(f"sizes/softmax-empty-int32-{r}", [0, 4], [], i32([0], []), reduction=r),
            smx(f"sizes/softmax-empty-float-{r}", [0, 4], [], f32([0, 4], []), reduction=r),
            # Zero classes: every position's loss is an empty sum, 0; a mean divides 0 by the count.
            smx(f"sizes/softmax-zero-classes-float-{r}", [3, 0], [], f32([3, 0], []), reduction=r),
            smx(f"sizes/softmax-zero-classes-int32-all-ignored-{r}", [3, 0], [], i32([3], [-100] * 3),
                ignoreIndex=-100, reduction=r),
        ]
    cases += [
        sig_int("sizes/sigmoid-empty-int32-targets", [0, 2], [], [], reduction="mean"),
        smx("sizes/softmax-empty-nchw-sum", [2, 3, 0, 2], [], i32([2, 0, 2], []), axis=1, reduction="sum"),
        smx("sizes/softmax-zero-classes-nchw-axis1", [2, 0, 3], [], f32([2, 0, 3], []), axis=1, reduction="none"),
        smx("sizes/softmax-zero-classes-weighted-mean", [2, 0], [], f32([2, 0], []), [0.5, 2], reduction="mean"),
        smx("sizes/softmax-zero-classes-zero-positions", [0, 0], [], f32([0, 0], []), reduction="none"),
    ]
    return cases


# ---------------------------------------------------------------- errors


def error(name: str, code: str, rule: str, base: Case, **changes: Any) -> Case:
    options = dict(base.options)
    for key, value in changes.pop("options", {}).items():
        options[key] = value
    fields = {"input": base.input, "target": base.target, "weight": base.weight, **changes}
    return Case(name, base.op, options, fields["input"], fields["target"], fields["weight"], code, rule)


def error_cases() -> list[Case]:
    s = sig("errors/base-sigmoid", [2, 2], [0.5, -1, 2, 0], [1, 0, 0, 1], reduction="mean")
    m = smx("errors/base-softmax", [2, 3], [0.5, -1, 2, 0, 1, -0.5], i32([2], [2, 0]), reduction="mean")
    opt, shp, tgt = "INVALID_OPTION", "SHAPE_MISMATCH", "INVALID_TARGET"
    return [
        error("errors/gamma-negative", opt, "gamma must be a number >= 0", s, options={"gamma": -1}),
        error("errors/gamma-string", opt, "gamma must be a number >= 0", m, options={"gamma": "2"}),
        error("errors/gamma-null", opt, "gamma must be a number >= 0 (null is not a number)", s,
              options={"gamma": None}),
        error("errors/alpha-above-one", opt, "alpha must be in [0, 1] or null", s, options={"alpha": 1.5}),
        error("errors/alpha-negative", opt, "alpha must be in [0, 1] or null", m, options={"alpha": -0.25}),
        error("errors/alpha-string", opt, "alpha must be a number in [0, 1] or null", s, options={"alpha": "0.25"}),
        error("errors/alpha-array-entry-out-of-range", opt, "per-class alpha entries must be in [0, 1]", m,
              options={"alpha": [0.2, 1.5, 0.3]}),
        error("errors/alpha-array-wrong-length", shp, "a per-class alpha needs one entry per class (C = 3)", m,
              options={"alpha": [0.2, 0.3]}),
        error("errors/sigmoid-alpha-array", opt, "sigmoid_focal_loss takes a scalar alpha or null, not an array",
              s, options={"alpha": [0.25, 0.75]}),
        error("errors/reduction-unknown", opt, 'reduction must be "none", "mean" or "sum"', s,
              options={"reduction": "avg"}),
        error("errors/reduction-wrong-case", opt, 'reduction must be "none", "mean" or "sum"', m,
              options={"reduction": "Mean"}),
        error("errors/from-logits-string", opt, "fromLogits must be a boolean", s, options={"fromLogits": "false"}),
        error("errors/from-logits-number", opt, "fromLogits must be a boolean", m, options={"fromLogits": 0}),
        error("errors/eps-zero", opt, "eps must be in (0, 0.5)", s, options={"fromLogits": False, "eps": 0}),
        error("errors/eps-half", opt, "eps must be in (0, 0.5)", m, options={"fromLogits": False, "eps": 0.5}),
        error("errors/eps-negative", opt, "eps must be in (0, 0.5)", s, options={"eps": -1e-7}),
        error("errors/label-smoothing-one", opt, "labelSmoothing must be in [0, 1)", s,
              options={"labelSmoothing": 1}),
        error("errors/label-smoothing-negative", opt, "labelSmoothing must be in [0, 1)", m,
              options={"labelSmoothing": -0.1}),
        error("errors/normalizer-zero", opt, "normalizer must be > 0 or null", s, options={"normalizer": 0}),
        error("errors/normalizer-negative", opt, "normalizer must be > 0 or null", m, options={"normalizer": -2}),
        error("errors/normalizer-string", opt, "normalizer must be a number > 0 or null", s,
              options={"normalizer": "4"}),
        error("errors/axis-out-of-range", shp, "axis must be in [-rank, rank)", m, options={"axis": 2}),
        error("errors/axis-negative-out-of-range", shp, "axis must be in [-rank, rank)", m, options={"axis": -3}),
        error("errors/axis-non-integer", opt, "axis must be an integer", m, options={"axis": 0.5}),
        error("errors/ignore-index-non-integer", opt, "ignoreIndex must be an integer or null", m,
              options={"ignoreIndex": 1.5}),
        error("errors/unknown-option", opt, 'unknown option names are rejected ("gama")', s,
              options={"gama": 2}),
        error("errors/unknown-option-snake-case", opt, 'unknown option names are rejected ("ignore_index")', m,
              options={"ignore_index": -100}),
        error("errors/sigmoid-axis-option", opt, "axis is not an option of sigmoid_focal_loss", s,
              options={"axis": -1}),
        error("errors/sigmoid-target-shape", shp, "the sigmoid target has the input's shape", s,
              target=f32([4], [1, 0, 0, 1])),
        error("errors/sigmoid-weight-shape", shp, "weight has the shape of the unreduced loss", s,
              weight=f32([2], [1, 2])),
        error("errors/softmax-int32-target-shape", shp, "an int32 target has the input's shape without the class axis",
              m, target=i32([3], [0, 1, 2])),
        error("errors/softmax-int32-target-full-shape", shp,
              "an int32 target has the input's shape without the class axis", m, target=i32([2, 3], [0] * 6)),
        error("errors/softmax-float-target-shape", shp, "a float target has the input's shape", m,
              target=f32([3, 2], [1, 0, 0, 1, 0, 0])),
        error("errors/softmax-weight-shape", shp, "weight has the shape of the unreduced loss (input without the "
              "class axis)", m, weight=f32([2, 3], [1] * 6)),
        error("errors/softmax-scalar-input", shp, "softmax needs an input with a class axis", m,
              input=f32([], [0.5]), target=i32([], [0])),
        error("errors/sigmoid-target-above-one", tgt, "sigmoid targets must be in [0, 1]", s,
              target=f32([2, 2], [1, 0, 1.5, 1])),
        error("errors/sigmoid-target-negative", tgt, "sigmoid targets must be in [0, 1]", s,
              target=f32([2, 2], [1, -0.5, 0, 1])),
        error("errors/sigmoid-target-nan", tgt, "sigmoid targets must be in [0, 1] (NaN is not)", s,
              target=f32([2, 2], [1, math.nan, 0, 1])),
        error("errors/softmax-class-index-out-of-range", tgt, "class indices must be in [0, C) (C = 3)", m,
              target=i32([2], [3, 0])),
        error("errors/softmax-class-index-negative", tgt, "class indices must be in [0, C) unless ignoreIndex", m,
              target=i32([2], [-1, 0])),
        error("errors/softmax-class-index-not-ignore-index", tgt, "class indices must be in [0, C) or ignoreIndex",
              m, target=i32([2], [-1, 0]), options={"ignoreIndex": -100}),
        error("errors/softmax-float-target-above-one", tgt, "float targets must be in [0, 1]", m,
              target=f32([2, 3], [0, 0, 1.25, 1, 0, 0])),
    ]


def error_1_1(name: str, code: str, rule: str, base: Case, **changes: Any) -> Case:
    """An error fixture of format 1.1: written without a tolerance (it is optional there)."""
    case = error(name, code, rule, base, **changes)
    case.error_tolerance = False
    return case


def error_cases_1_1() -> list[Case]:
    s = sig("errors/base-sigmoid", [2, 2], [0.5, -1, 2, 0], [1, 0, 0, 1], reduction="mean")
    m = smx("errors/base-softmax", [2, 3], [0.5, -1, 2, 0, 1, -0.5], i32([2], [2, 0]), reduction="mean")
    onehot = smx("errors/base-softmax-onehot", [2, 3], [0.5, -1, 2, 0, 1, -0.5], f32([2, 3], [0, 0, 1, 1, 0, 0]),
                 reduction="mean")
    soft_t = smx("errors/base-softmax-soft", [2, 3], [0.5, -1, 2, 0, 1, -0.5],
                 f32([2, 3], [0.25, 0.25, 0.5, 0.5, 0, 0.5]), reduction="mean")
    zero = smx("errors/base-softmax-zero-classes", [3, 0], [], i32([3], [0, 0, 0]), reduction="mean")
    opt, shp, tgt = "INVALID_OPTION", "SHAPE_MISMATCH", "INVALID_TARGET"
    int_range = "ignoreIndex must be an integer in [-2^31, 2^31 - 1] or null"
    return [
        # ignoreIndex: an int32 or null, never wrapped (4294967297 would wrap to 1).
        error_1_1("errors/ignore-index-4294967297", opt, int_range, m, options={"ignoreIndex": 4294967297}),
        error_1_1("errors/ignore-index-2pow31", opt, int_range, m, options={"ignoreIndex": 2147483648}),
        error_1_1("errors/ignore-index-below-int32", opt, int_range, m, options={"ignoreIndex": -2147483649}),
        error_1_1("errors/ignore-index-1.5", opt, int_range, m, options={"ignoreIndex": 1.5}),
        error_1_1("errors/ignore-index-string", opt, int_range, m, options={"ignoreIndex": "-100"}),
        # Options that would silently have no effect.
        error_1_1("errors/normalizer-with-sum", opt, 'normalizer only with reduction "mean"', s,
                  options={"reduction": "sum", "normalizer": 3}),
        error_1_1("errors/normalizer-with-none", opt, 'normalizer only with reduction "mean"', m,
                  options={"reduction": "none", "normalizer": 2}),
        error_1_1("errors/ignore-index-with-onehot-targets", opt,
                  "ignoreIndex only with int32 (class index) softmax targets", onehot, options={"ignoreIndex": 0}),
        error_1_1("errors/ignore-index-with-soft-targets", opt,
                  "ignoreIndex only with int32 (class index) softmax targets", soft_t,
                  options={"ignoreIndex": -100}),
        error_1_1("errors/eps-with-from-logits-true", opt, "eps only with fromLogits: false", s,
                  options={"fromLogits": True, "eps": 1e-3}),
        error_1_1("errors/eps-default-value-with-logits", opt,
                  "eps only with fromLogits: false (even its default value, given explicitly)", m,
                  options={"eps": 1e-7}),
        # Arrays without holes or non-number entries.
        error_1_1("errors/alpha-array-string-entry", opt, "per-class alpha entries must be numbers", m,
                  options={"alpha": [0.2, "0.3", 0.5]}),
        error_1_1("errors/alpha-array-null-entry", opt, "per-class alpha entries must be numbers (null is a hole)", m,
                  options={"alpha": [0.2, None, 0.5]}),
        error_1_1("errors/alpha-array-nested-entry", opt, "per-class alpha entries must be numbers", m,
                  options={"alpha": [[0.2], 0.3, 0.5]}),
        # int32 sigmoid targets: 0 or 1 only.
        error_1_1("errors/sigmoid-int32-target-two", tgt, "int32 sigmoid targets must be 0 or 1", s,
                  target=i32([2, 2], [1, 0, 2, 1])),
        error_1_1("errors/sigmoid-int32-target-negative", tgt, "int32 sigmoid targets must be 0 or 1", s,
                  target=i32([2, 2], [1, -1, 0, 1])),
        # Zero classes: no class index is in range, only ignoreIndex is allowed.
        error_1_1("errors/softmax-zero-classes-int32-target", tgt, "class indices must be in [0, C) (C = 0)", zero),
        error_1_1("errors/softmax-zero-classes-int32-partly-ignored", tgt,
                  "class indices must be in [0, C) or ignoreIndex (C = 0)", zero,
                  target=i32([3], [-100, 0, -100]), options={"ignoreIndex": -100}),
        # Dtypes: INVALID_OPTION naming the dtype received.
        error_1_1("errors/input-int32", opt, "input must be a float tensor", s, input=i32([2, 2], [0, 1, 2, 0])),
        error_1_1("errors/weight-int32", opt, "weight must be a float tensor", m, weight=i32([2], [1, 2])),
        # Order of checks: options (2) < dtypes (4) < shapes (5) < ignoreIndex with float targets (6) < values (7).
        error_1_1("errors/order-option-before-shape", opt, "options are checked before shapes", s,
                  options={"gamma": -1}, target=f32([4], [1, 0, 0, 1])),
        error_1_1("errors/order-dtype-before-shape", opt, "dtypes are checked before shapes", s,
                  input=i32([4], [0, 1, 2, 0])),
        error_1_1("errors/order-shape-before-target-values", shp, "shapes are checked before target values", s,
                  target=f32([4], [1, 5, 0, 1])),
        error_1_1("errors/order-shape-before-ignore-index", shp,
                  "shapes are checked before ignoreIndex with float targets", onehot,
                  options={"ignoreIndex": 0}, target=f32([3, 2], [0, 0, 1, 1, 0, 0])),
        error_1_1("errors/order-ignore-index-before-target-values", opt,
                  "ignoreIndex with float targets is checked before target values", onehot,
                  options={"ignoreIndex": 0}, target=f32([2, 3], [0, 0, 2, 1, 0, 0])),
    ]


def all_cases() -> list[Case]:
    cases = (sigmoid_cases() + softmax_cases() + probability_cases() + reduction_cases() + weight_cases()
             + ignore_index_cases() + layout_cases() + edge_cases() + large_cases() + tail_cases()
             + error_cases() + infinity_cases() + size_cases() + error_cases_1_1())
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate fixture names: {sorted(duplicates)}")
    return cases
