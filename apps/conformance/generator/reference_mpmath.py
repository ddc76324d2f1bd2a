"""The primary reference: the contract's formulas evaluated literally in mpmath, independent of torch.

Everything is computed to 50 significant digits. The formulas are written the naive way the
contract states them (p = 1 / (1 + exp(-x)), 1 - p, log p, ...) and the working precision is
raised per element / per row by as many digits as those subtractions can cancel (about
|x| / ln 10 for a logit x), so the naive form stays exact to 50 digits even at x = 1e4.

Gradients are analytic (derived below by hand) and, for small cases, compared against mpmath's
numerical derivative `mp.diff` of the same loss.

Sigmoid, per element, with p = sigmoid(x), q = 1 - p, t the smoothed target:
    ce  = -t log p - (1 - t) log q            d ce/dx = -t q + (1 - t) p = p - t
    p_t = p t + q (1 - t),  u = 1 - p_t       d u/dx  = -(p q t - p q (1 - t)) = p q (1 - 2t)
    L   = w alpha_t u^g ce
    dL/dx = w alpha_t (g u^(g-1) p q (1 - 2t) ce + u^g (p - t))
  From probabilities (p = clip(pin, eps, 1 - eps)):
    d u/dp = 1 - 2t,  d ce/dp = (1 - t) / (1 - p) - t / p
    dL/dpin = w alpha_t (g u^(g-1) (1 - 2t) ce + u^g ((1 - t) / q - t / p)), and 0 where the clip
    is active (pin < eps or pin > 1 - eps).

Softmax, per position, with p = softmax(x), q_c = 1 - p_c, a_c the class weight:
    L = -sum_c a_c t_c q_c^g log p_c
    dL/dp_c = -a_c t_c (q_c^g / p_c - g q_c^(g-1) log p_c)
    with dp_c/dx_j = p_c (delta_cj - p_j) and G_c = p_c dL/dp_c = -a_c t_c (q_c^g - g p_c q_c^(g-1) log p_c):
    dL/dx_j = sum_c dL/dp_c p_c (delta_cj - p_j) = G_j - p_j sum_c G_c
  From probabilities each class is its own input: dL/dpin_c = dL/dp_c, 0 where clipped.
Infinite logits (format 1.1) take the limits of these formulas, computed analytically:
  sigmoid x = +inf: p = 1, u = 1 - t; t = 1: L = 0, dL/dx = 0; t < 1: L = +inf (0 when alpha_t = 0),
    dL/dx -> alpha_t (1 - t)^g (1 - t)   (the p q ce term decays like x e^-x).
  sigmoid x = -inf: p = 0, u = t; t = 0: 0, 0; t > 0: L = +inf (0 when alpha_t = 0), dL/dx -> -alpha_t t^g t.
  softmax, a row with some -inf logits, at least one finite, none +inf: those classes have p_c = 0
    and q_c = 1; with t_c = 0 they add 0 to L; with t_c > 0 L = +inf. Since p log p -> 0,
    G_c -> -a_c t_c there, and dL/dx_j = G_j - p_j sum_c G_c as above (finite).
  softmax, a row with a +inf logit or only -inf logits: L and the row's gradient are NaN.
`check_limits` confirms each limit against the finite formula at |x| = 200 (where the neglected
terms are below 1e-80), so the analytic cases are not trusted on their derivation alone.
Weights multiply by IEEE rules (an infinite loss times weight 0 is NaN, as mpmath computes it).

The returned loss is scale * sum of per-position losses (scale = 1, 1 / count or 1 / normalizer,
0 for a mean over nothing); its gradient is scale times the per-position gradients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import mpmath
from mpmath import mp, mpf

from model import SIGMOID, Case, softmax_layout

DIGITS = 50
mp.dps = DIGITS
LN10 = math.log(10)
NAN = mpf("nan")


def version() -> str:
    return mpmath.__version__


@dataclass
class MpResult:
    loss_shape: tuple[int, ...]
    loss: list[mpf]  # the returned loss (one value when reduced)
    grad: list[mpf]  # d(returned loss)/d input; for "none" of the sum of the elements


def is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def extra_digits(values: Sequence[float]) -> int:
    """Digits that 1 - p and log p can cancel for these logits, plus a margin."""
    finite = [v for v in values if math.isfinite(v)]
    spread = (max(finite) - min(finite)) if finite else 0.0  # softmax: p_min ~ exp(-spread)
    magnitude = max((abs(v) for v in finite), default=0.0)  # sigmoid: 1 - p ~ exp(-|x|)
    return int(math.ceil(max(spread, magnitude) / LN10)) + 10


def working_digits(values: Sequence[float]):
    """At least DIGITS plus the digits the formulas cancel for these inputs (never lowers mp.dps)."""
    return mp.workdps(max(mp.dps, DIGITS + extra_digits(values)))


# ---------------------------------------------------------------- sigmoid


class SigmoidParams:
    def __init__(self, case: Case) -> None:
        o = case.resolved()
        self.gamma = mpf(o["gamma"])
        self.alpha = None if o["alpha"] is None else mpf(o["alpha"])
        self.from_logits = o["fromLogits"]
        self.eps = mpf(o["eps"])
        self.smoothing = mpf(o["labelSmoothing"])

    def target(self, raw: float) -> mpf:
        return mpf(raw) * (1 - self.smoothing) + self.smoothing / 2

    def alpha_t(self, t: mpf) -> mpf:
        return mpf(1) if self.alpha is None else self.alpha * t + (1 - self.alpha) * (1 - t)


def sigmoid_element(x, raw_target: float, prm: SigmoidParams, with_grad: bool):
    """(loss, dloss/dx) of one element, weight 1. `x` may be an mpf (numerical differentiation)."""
    if mpmath.isnan(x):
        return NAN, NAN
    g = prm.gamma
    t = prm.target(raw_target)
    if prm.from_logits and mpmath.isinf(x):
        return sigmoid_limit(x > 0, t, prm, with_grad)
    with working_digits([float(x)]):
        x = mpf(x)
        clipped = False
        if prm.from_logits:
            p = 1 / (1 + mp.exp(-x))
        else:
            lo, hi = prm.eps, 1 - prm.eps
            clipped = x < lo or x > hi
            p = lo if x < lo else hi if x > hi else x
        q = 1 - p
        ce = -t * mp.log(p) - (1 - t) * mp.log(q)
        u = 1 - (p * t + q * (1 - t))
        a_t = prm.alpha_t(t)
        loss = a_t * u**g * ce
        if not with_grad:
            return +loss, None
        # u^(g-1) appears only multiplied by g; u > 0 for every finite input at this precision.
        focus_term = 0 if g == 0 else g * u ** (g - 1)
        if prm.from_logits:
            grad = a_t * (focus_term * p * q * (1 - 2 * t) * ce + u**g * (p - t))
        elif clipped:
            grad = mpf(0)
        else:
            grad = a_t * (focus_term * (1 - 2 * t) * ce + u**g * ((1 - t) / q - t / p))
        return +loss, +grad


def sigmoid_limit(positive: bool, t: mpf, prm: SigmoidParams, with_grad: bool):
    """(loss, dloss/dx) at x = +inf (positive) or -inf: the limits in the module docstring."""
    a_t = prm.alpha_t(t)
    g = prm.gamma
    # The target the logit agrees with in the limit: 1 for +inf, 0 for -inf.
    miss = 1 - t if positive else t  # u, the distance from that target
    if miss == 0:
        return mpf(0), (mpf(0) if with_grad else None)
    loss = mpf(0) if a_t == 0 else mpf("inf")
    if not with_grad:
        return loss, None
    grad = a_t * miss**g * miss
    return loss, (grad if positive else -grad)


# ---------------------------------------------------------------- softmax


class SoftmaxParams:
    def __init__(self, case: Case) -> None:
        o = case.resolved()
        self.gamma = mpf(o["gamma"])
        self.from_logits = o["fromLogits"]
        self.eps = mpf(o["eps"])
        self.smoothing = mpf(o["labelSmoothing"])
        self.ignore_index = o["ignoreIndex"]
        self.layout = softmax_layout(case.input.shape, o["axis"])
        classes = self.layout.classes
        alpha = o["alpha"]
        if alpha is None:
            self.class_weights = [mpf(1)] * classes
        elif isinstance(alpha, list):
            self.class_weights = [mpf(a) for a in alpha]
        else:
            self.class_weights = [mpf(alpha)] * classes
        self.index_target = case.target.dtype == "int32"


def row_targets(prm: SoftmaxParams, case: Case, position: int) -> Optional[list[mpf]]:
    """The smoothed target distribution of a position, or None when the position is ignored."""
    lay = prm.layout
    c_count = lay.classes
    if prm.index_target:
        k = case.target.data[position]
        if prm.ignore_index is not None and k == prm.ignore_index:
            return None
        raw = [mpf(1) if c == k else mpf(0) for c in range(c_count)]
    else:
        raw = [mpf(case.target.data[lay.index(position, c)]) for c in range(c_count)]
    s = prm.smoothing
    if c_count == 0:  # zero classes: an empty distribution (and no division by C)
        return []
    return [r * (1 - s) + s / c_count for r in raw]


def softmax_row(xs: list, t: list[mpf], prm: SoftmaxParams, with_grad: bool):
    """(loss, [dloss/dx_c]) of one position, weight 1."""
    c_count = len(xs)
    if any(mpmath.isnan(x) for x in xs):
        return NAN, [NAN] * c_count
    if prm.from_logits and any(mpmath.isinf(x) for x in xs):
        return softmax_limit_row(xs, t, prm, with_grad)
    g = prm.gamma
    a = prm.class_weights
    with working_digits([float(x) for x in xs]):
        xs = [mpf(x) for x in xs]
        clipped = [False] * c_count
        if prm.from_logits:
            z = mp.fsum(mp.exp(x) for x in xs)
            p = [mp.exp(x) / z for x in xs]
            log_p = [mp.log(v) for v in p]  # literal; exactly 0 for a single class
        else:
            lo, hi = prm.eps, 1 - prm.eps
            clipped = [x < lo or x > hi for x in xs]
            p = [lo if x < lo else hi if x > hi else x for x in xs]
            log_p = [mp.log(v) for v in p]
        q = [1 - v for v in p]
        loss = -mp.fsum(a[c] * t[c] * q[c] ** g * log_p[c] for c in range(c_count))
        if not with_grad:
            return +loss, None

        def focus_term(c: int):
            # g q^(g-1) log p: q = 0 only for a single class (p = 1, log p = 0), where it is 0.
            if g == 0 or q[c] == 0:
                return mpf(0)
            return g * q[c] ** (g - 1) * log_p[c]

        dl_dp = [-a[c] * t[c] * (q[c] ** g / p[c] - focus_term(c)) for c in range(c_count)]
        if prm.from_logits:
            big_g = [p[c] * dl_dp[c] for c in range(c_count)]
            total = mp.fsum(big_g)
            grad = [big_g[j] - p[j] * total for j in range(c_count)]
        else:
            grad = [mpf(0) if clipped[c] else dl_dp[c] for c in range(c_count)]
        return +loss, [+v for v in grad]


def softmax_limit_row(xs: list, t: list[mpf], prm: SoftmaxParams, with_grad: bool):
    """A row with infinite logits: NaN, or -inf classes masked (the limits in the module docstring)."""
    c_count = len(xs)
    if any(mpmath.isinf(x) and x > 0 for x in xs) or all(mpmath.isinf(x) for x in xs):
        return NAN, [NAN] * c_count
    g = prm.gamma
    a = prm.class_weights
    masked = [bool(mpmath.isinf(x)) for x in xs]
    finite = [float(x) for x, m in zip(xs, masked) if not m]
    with working_digits(finite):
        z = mp.fsum(mp.exp(mpf(x)) for x, m in zip(xs, masked) if not m)
        p = [mpf(0) if m else mp.exp(mpf(x)) / z for x, m in zip(xs, masked)]
        q = [1 - v for v in p]
        terms = []
        for c in range(c_count):
            weight = a[c] * t[c]
            if weight == 0:
                continue  # a masked class with t_c = 0 (or a_c = 0) adds exactly 0
            terms.append(mpf("inf") if masked[c] else -weight * q[c] ** g * mp.log(p[c]))
        loss = mp.fsum(terms) if terms else mpf(0)
        if not with_grad:
            return +loss, None

        def big_g(c: int):
            # G_c = p_c dL/dp_c = -a_c t_c (q^g - g p q^(g-1) log p); at p_c = 0 it tends to -a_c t_c.
            weight = a[c] * t[c]
            if weight == 0:
                return mpf(0)
            if masked[c]:
                return -weight
            focus = 0 if g == 0 or q[c] == 0 else g * p[c] * q[c] ** (g - 1) * mp.log(p[c])
            return -weight * (q[c] ** g - focus)

        gs = [big_g(c) for c in range(c_count)]
        total = mp.fsum(gs)
        grad = [gs[j] - p[j] * total for j in range(c_count)]
        return +loss, [+v for v in grad]


# ---------------------------------------------------------------- whole calls


def reduction_scale(case: Case, counted: int) -> mpf:
    o = case.resolved()
    if o["reduction"] != "mean":
        return mpf(1)
    if o["normalizer"] is not None:
        return 1 / mpf(o["normalizer"])
    return mpf(0) if counted == 0 else 1 / mpf(counted)


@dataclass
class Unreduced:
    loss_shape: tuple[int, ...]
    losses: list  # weighted per-position losses
    grads: list  # weighted per-input gradients of the sum of `losses` (empty without gradient)
    counted: int  # positions a mean divides by


def unreduced(case: Case, xs: list, with_grad: bool) -> Unreduced:
    weights = case.weight.data if case.weight is not None else None
    if case.op == SIGMOID:
        prm = SigmoidParams(case)
        losses, grads = [], []
        for k, x in enumerate(xs):
            loss, grad = sigmoid_element(x, case.target.data[k], prm, with_grad)
            w = mpf(1) if weights is None else mpf(weights[k])
            losses.append(w * loss)
            if with_grad:
                grads.append(w * grad)
        return Unreduced(tuple(case.input.shape), losses, grads, len(xs))
    sprm = SoftmaxParams(case)
    lay = sprm.layout
    losses = []
    grads = [mpf(0)] * len(xs) if with_grad else []
    counted = 0
    for position in range(lay.positions):
        t = row_targets(sprm, case, position)
        if t is None:  # ignored: contributes 0, is not counted, gradient 0
            losses.append(mpf(0))
            continue
        counted += 1
        idx = [lay.index(position, c) for c in range(lay.classes)]
        loss, row_grad = softmax_row([xs[i] for i in idx], t, sprm, with_grad)
        w = mpf(1) if weights is None else mpf(weights[position])
        losses.append(w * loss)
        if with_grad:
            for i, gv in zip(idx, row_grad):
                grads[i] = w * gv
    return Unreduced(lay.loss_shape(case.input.shape), losses, grads, counted)


def position_of(case: Case, k: int) -> int:
    """The loss position that input element k feeds."""
    if case.op == SIGMOID:
        return k
    lay = softmax_layout(case.input.shape, case.resolved()["axis"])
    o, rest = divmod(k, lay.classes * lay.inner)
    return o * lay.inner + rest % lay.inner


def position_loss(case: Case, xs: list, position: int) -> mpf:
    """The weighted loss of one position alone (what input elements of that position feed)."""
    w = mpf(1) if case.weight is None else mpf(case.weight.data[position])
    if case.op == SIGMOID:
        return w * sigmoid_element(xs[position], case.target.data[position], SigmoidParams(case), False)[0]
    sprm = SoftmaxParams(case)
    t = row_targets(sprm, case, position)
    if t is None:
        return mpf(0)
    idx = [sprm.layout.index(position, c) for c in range(sprm.layout.classes)]
    return w * softmax_row([xs[i] for i in idx], t, sprm, False)[0]


def evaluate(case: Case) -> MpResult:
    """Returned loss and its gradient for the case's inputs."""
    u = unreduced(case, list(case.input.data), with_grad=True)
    scale = reduction_scale(case, u.counted)
    if case.resolved()["reduction"] == "none":
        return MpResult(u.loss_shape, u.losses, [scale * g for g in u.grads])
    total = scale * mp.fsum(u.losses) if u.losses else mpf(0)
    return MpResult((), [total], [scale * g for g in u.grads])


NUMERIC_CHECK_MAX_ELEMENTS = 64
NUMERIC_RTOL = mpf("1e-25")
NUMERIC_ZERO_ATOL = mpf("1e-60")


def check_against_numerical_derivative(case: Case, result: MpResult) -> bool:
    """Compares the analytic gradient with mp.diff of the loss, element by element.

    Each element is differentiated through the one loss position it feeds (times the reduction
    scale), so the check is relative even where a gradient is 1e-4000 next to others of order 1.
    Returns False when the case is skipped (too large, or NaN inputs); raises AssertionError
    naming the element on a mismatch.
    """
    data = list(case.input.data)
    weights = list(case.weight.data) if case.weight is not None else []
    if (len(data) > NUMERIC_CHECK_MAX_ELEMENTS or len(data) == 0
            or not all(math.isfinite(v) for v in data + weights)):
        return False
    counted = unreduced(case, data, with_grad=False).counted
    scale = reduction_scale(case, counted)
    for k, x in enumerate(data):
        position = position_of(case, k)

        def local_loss(v, k=k, position=position):
            return scale * position_loss(case, data[:k] + [v] + data[k + 1 :], position)

        # A derivative exp(-|x|) times smaller than the loss it changes needs that many more digits
        # for the finite difference to resolve it.
        with working_digits(data):
            numeric = mp.diff(local_loss, mpf(x))
        analytic = result.grad[k]
        # Structural zeros (clipped, ignored, a single class) leave only rounding noise of the
        # finite difference, far below 1e-60; anything else must agree to 25 digits.
        bound = NUMERIC_ZERO_ATOL if analytic == 0 else NUMERIC_RTOL * abs(analytic)
        if abs(numeric - analytic) > bound:
            raise AssertionError(
                f"{case.name}: analytic gradient [{k}] = {short(analytic)} but mp.diff gives {short(numeric)}"
            )
    return True


LIMIT_PROBE = 200.0
LIMIT_RTOL = mpf("1e-40")
LIMIT_ATOL = mpf("1e-60")


def has_infinite_input(case: Case) -> bool:
    return any(isinstance(v, float) and math.isinf(v) for v in case.input.data)


def probe_finite(case: Case, probe: float) -> tuple[list, list]:
    """(returned losses, gradients) of the finite formula with every infinite logit set to +-probe."""
    probed = [math.copysign(probe, v) if isinstance(v, float) and math.isinf(v) else v for v in case.input.data]
    u = unreduced(case, probed, with_grad=True)
    scale = reduction_scale(case, u.counted)
    if case.resolved()["reduction"] == "none":
        losses = u.losses
    else:
        losses = [scale * mp.fsum(u.losses) if u.losses else mpf(0)]
    return losses, [scale * g for g in u.grads]


def check_limits(case: Case, result: MpResult) -> bool:
    """Checks the analytic limits at infinite logits against the finite formula at |x| = 200.

    Every element whose limit is finite must agree to 1e-40 relative (the neglected terms are
    about 200 e^-200 ~ 1e-85); where the limit is +inf the finite value must grow from |x| = 200
    to |x| = 400 (it grows like |x|). NaN limits (rows with a +inf logit or only -inf logits,
    inf * 0) are not probed. Returns False when the case has no infinite logit; raises
    AssertionError on a mismatch.
    """
    if not has_infinite_input(case) or not case.resolved()["fromLogits"]:
        return False
    losses, grads = probe_finite(case, LIMIT_PROBE)
    far_losses, _ = probe_finite(case, 2 * LIMIT_PROBE)
    for output, limits, finite, far in (("loss", result.loss, losses, far_losses), ("gradInput", result.grad, grads, grads)):
        for k, (limit, value, far_value) in enumerate(zip(limits, finite, far)):
            if mpmath.isnan(limit):
                continue
            if mpmath.isinf(limit):
                ok = limit > 0 and far_value - value > mpf("1e-30")
            else:
                ok = abs(value - limit) <= LIMIT_ATOL + LIMIT_RTOL * abs(limit)
            if not ok:
                raise AssertionError(
                    f"{case.name}: {output}[{k}] limit {short(limit)} but the formula at |x| = {LIMIT_PROBE:g} "
                    f"gives {short(value)} ({short(far_value)} at {2 * LIMIT_PROBE:g})"
                )
    return True


def short(value: mpf) -> str:
    """40 digits of a value that may carry thousands (too many for str(int) in Python >= 3.11)."""
    with mp.workdps(45):
        return mpmath.nstr(+value, 40)


def to_double(value: mpf) -> float:
    """Correctly rounded conversion (mpmath's float() rounds towards zero)."""
    if mpmath.isnan(value):
        return math.nan
    if mpmath.isinf(value):
        return math.inf if value > 0 else -math.inf
    return mpmath.libmp.to_float(value._mpf_, rnd=mpmath.libmp.round_nearest)
