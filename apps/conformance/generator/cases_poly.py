"""Poly-1 (issue 15): the `polyEpsilon` option of both focal ops, its cases and references.

Leng et al., PolyLoss (ICLR 2022) add the first polynomial term of the loss's expansion in 1 - p_t.
Per element (sigmoid) or position (softmax), with u = 1 - p_t and eps = polyEpsilon:

    L_poly = L_focal + eps u^(gamma + 1)                    (alpha does not multiply the term)
  sigmoid: u = p (1 - t) + q t,   du/dx = p q (1 - 2t),  du/dp = 1 - 2t (probabilities)
  softmax: u = 1 - sum_c t_c p_c, du/dx_j = -p_j (t_j - p_t),  du/dp_j = -t_j (probabilities)
    d(eps u^(g+1)) = eps (g + 1) u^g du;  0 where a probability was clipped.
  Limits (logits +-inf): sigmoid u -> 1 - t (+inf) or t (-inf), the term's gradient -> 0 (p q -> 0);
  softmax classes at -inf have p = 0 (their term gradient is 0); NaN rows stay NaN.
  The weight multiplies the whole element loss (w (L_focal + term)); ignored positions give 0;
  "mean" divides by the same count. polyEpsilon 0 is the focal loss.

The value written: the focal part from reference_mpmath (50 digits, analytic gradient) plus the
term written naively (u = 1 - p_t by subtraction) at the same raised working precision; the sum's
gradient is checked against mp.diff of the whole loss (25 digits), and limits at infinite logits
against the finite formula at |x| = 200. Cross-check: the paper's code listing evaluated in torch
1.13 float64 with autograd: `poly1 = alpha_t * ce * (1 - pt) ** gamma + epsilon * (1 - pt) ** (gamma + 1)`
with `pt = labels * p + (1 - labels) * (1 - p)` (sigmoid), and for softmax the listing's
`pt = sum(labels * softmax(logits))` added to the contract's softmax focal loss; elements where
that listing cancels (1 - pt < 1e-5, or the focal part and the term cancel each other) are left to
mpmath, and the fixture's `reference` says how many.

Registered in generate.py (`cases_poly.register(cases, build, error_fixture, torch_skip_reason)`); check alone:
/usr/bin/python3 generator/generate.py --only poly/
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

import mpmath
import torch
import torch.nn.functional as F
from mpmath import mp, mpf

import crosscheck
import reference_mpmath as rm
import reference_torch as rt
from cases import binary, indices, logits, probabilities, rows_to_layout, smx, soft, soft_rows, weights
from model import SIGMOID, Case, f32, i32, softmax_layout
from reference_torch import TorchResult
from tolerance import output_tolerance
from write import FORMAT

GROUP = "poly"
NAN = mpf("nan")
# Below this 1 - p_t the listing's subtraction has lost more than ~1e-11 relative precision.
LISTING_MIN_ONE_MINUS_PT = 1e-5
# Where the focal part and the term cancel to less than this fraction of their magnitudes, the
# listing (like any float64 sum of the two) has lost relative precision: left to mpmath.
LISTING_MIN_SUM_FRACTION = 1e-3


def epsilon_of(case: Case) -> mpf:
    return mpf(case.resolved().get("polyEpsilon", 0))


# ---------------------------------------------------------------- mpmath: the term


def sigmoid_term(x, raw_target: float, prm: rm.SigmoidParams, eps: mpf, with_grad: bool):
    """(eps u^(g+1), its derivative) for one element; naive u = 1 - p_t at raised precision."""
    if mpmath.isnan(x):
        return NAN, NAN
    g = prm.gamma
    t = prm.target(raw_target)
    if prm.from_logits and mpmath.isinf(x):
        u = 1 - t if x > 0 else t
        return eps * u ** (g + 1), mpf(0)
    with rm.working_digits([float(x)]):
        x = mpf(x)
        clipped = False
        if prm.from_logits:
            p = 1 / (1 + mp.exp(-x))
        else:
            lo, hi = prm.eps, 1 - prm.eps
            clipped = x < lo or x > hi
            p = lo if x < lo else hi if x > hi else x
        q = 1 - p
        u = 1 - (p * t + q * (1 - t))
        term = eps * u ** (g + 1)
        if not with_grad:
            return +term, None
        du = p * q * (1 - 2 * t) if prm.from_logits else (mpf(0) if clipped else 1 - 2 * t)
        return +term, +(eps * (g + 1) * u**g * du)


def softmax_term(xs: list, t: list, prm: rm.SoftmaxParams, eps: mpf, with_grad: bool):
    """(eps u^(g+1), [its derivatives]) for one position; u = 1 - sum_c t_c p_c by subtraction."""
    c_count = len(xs)
    if c_count == 0:
        return mpf(0), []
    if any(mpmath.isnan(x) for x in xs):
        return NAN, [NAN] * c_count
    g = prm.gamma
    if prm.from_logits and (any(mpmath.isinf(x) and x > 0 for x in xs) or all(mpmath.isinf(x) for x in xs)):
        return NAN, [NAN] * c_count
    masked = [bool(prm.from_logits and mpmath.isinf(x)) for x in xs]
    with rm.working_digits([float(x) for x, m in zip(xs, masked) if not m]):
        clipped = [False] * c_count
        if prm.from_logits:
            z = mp.fsum(mp.exp(mpf(x)) for x, m in zip(xs, masked) if not m)
            p = [mpf(0) if m else mp.exp(mpf(x)) / z for x, m in zip(xs, masked)]
        else:
            lo, hi = prm.eps, 1 - prm.eps
            clipped = [x < lo or x > hi for x in xs]
            p = [lo if x < lo else hi if x > hi else mpf(x) for x in xs]
        pt = mp.fsum(t[c] * p[c] for c in range(c_count))
        u = 1 - pt
        term = eps * u ** (g + 1)
        if not with_grad:
            return +term, None
        coef = eps * (g + 1) * u**g
        if prm.from_logits:
            grad = [-coef * p[j] * (t[j] - pt) for j in range(c_count)]
        else:
            grad = [mpf(0) if clipped[j] else -coef * t[j] for j in range(c_count)]
        return +term, [+v for v in grad]


# ---------------------------------------------------------------- mpmath: whole calls


def unreduced(case: Case, xs: list, with_grad: bool) -> rm.Unreduced:
    """rm.unreduced with the term added to each element / position before its weight."""
    eps = epsilon_of(case)
    weights_data = case.weight.data if case.weight is not None else None
    if case.op == SIGMOID:
        prm = rm.SigmoidParams(case)
        losses, grads = [], []
        for k, x in enumerate(xs):
            loss, grad = rm.sigmoid_element(x, case.target.data[k], prm, with_grad)
            term, dterm = sigmoid_term(x, case.target.data[k], prm, eps, with_grad)
            w = mpf(1) if weights_data is None else mpf(weights_data[k])
            losses.append(w * (loss + term))
            if with_grad:
                grads.append(w * (grad + dterm))
        return rm.Unreduced(tuple(case.input.shape), losses, grads, len(xs))
    sprm = rm.SoftmaxParams(case)
    lay = sprm.layout
    losses = []
    grads = [mpf(0)] * len(xs) if with_grad else []
    counted = 0
    for position in range(lay.positions):
        t = rm.row_targets(sprm, case, position)
        if t is None:  # ignored: contributes 0, is not counted, gradient 0, weight not read
            losses.append(mpf(0))
            continue
        counted += 1
        idx = [lay.index(position, c) for c in range(lay.classes)]
        row = [xs[i] for i in idx]
        loss, row_grad = rm.softmax_row(row, t, sprm, with_grad)
        term, term_grad = softmax_term(row, t, sprm, eps, with_grad)
        w = mpf(1) if weights_data is None else mpf(weights_data[position])
        losses.append(w * (loss + term))
        if with_grad:
            for i, gv, tv in zip(idx, row_grad, term_grad):
                grads[i] = w * (gv + tv)
    return rm.Unreduced(lay.loss_shape(case.input.shape), losses, grads, counted)


def returned(case: Case, u: rm.Unreduced) -> tuple[tuple[int, ...], list, list]:
    scale = rm.reduction_scale(case, u.counted)
    grads = [scale * g for g in u.grads]
    if case.resolved()["reduction"] == "none":
        return u.loss_shape, u.losses, grads
    return (), [scale * mp.fsum(u.losses) if u.losses else mpf(0)], grads


def evaluate(case: Case) -> rm.MpResult:
    shape, loss, grad = returned(case, unreduced(case, list(case.input.data), True))
    return rm.MpResult(shape, loss, grad)


def position_loss(case: Case, xs: list, position: int) -> mpf:
    """The weighted loss of one position (focal + term) alone, for mp.diff."""
    eps = epsilon_of(case)
    w = mpf(1) if case.weight is None else mpf(case.weight.data[position])
    if case.op == SIGMOID:
        prm = rm.SigmoidParams(case)
        raw = case.target.data[position]
        return w * (rm.sigmoid_element(xs[position], raw, prm, False)[0] + sigmoid_term(xs[position], raw, prm, eps, False)[0])
    sprm = rm.SoftmaxParams(case)
    t = rm.row_targets(sprm, case, position)
    if t is None:
        return mpf(0)
    row = [xs[sprm.layout.index(position, c)] for c in range(sprm.layout.classes)]
    return w * (rm.softmax_row(row, t, sprm, False)[0] + softmax_term(row, t, sprm, eps, False)[0])


def check_against_numerical_derivative(case: Case, result: rm.MpResult) -> bool:
    """The analytic gradient (focal + term) against mp.diff of the whole loss, to 25 digits."""
    data = list(case.input.data)
    weights_data = list(case.weight.data) if case.weight is not None else []
    if (len(data) > rm.NUMERIC_CHECK_MAX_ELEMENTS or not data
            or not all(math.isfinite(v) for v in data + weights_data)):
        return False
    scale = rm.reduction_scale(case, unreduced(case, data, False).counted)
    for k, x in enumerate(data):
        position = rm.position_of(case, k)

        def local(v, k=k, position=position):
            return scale * position_loss(case, data[:k] + [v] + data[k + 1:], position)

        with rm.working_digits(data):
            numeric = mp.diff(local, mpf(x))
        analytic = result.grad[k]
        bound = rm.NUMERIC_ZERO_ATOL if analytic == 0 else rm.NUMERIC_RTOL * abs(analytic)
        if abs(numeric - analytic) > bound:
            raise AssertionError(f"{case.name}: analytic gradient [{k}] = {rm.short(analytic)} but mp.diff gives {rm.short(numeric)}")
    return True


def check_limits(case: Case, result: rm.MpResult) -> bool:
    """Limits at infinite logits against the finite formula at |x| = 200 (and growth to 400 for +inf)."""
    if not rm.has_infinite_input(case) or not case.resolved()["fromLogits"]:
        return False

    def probe(at: float):
        xs = [math.copysign(at, v) if isinstance(v, float) and math.isinf(v) else v for v in case.input.data]
        _, loss, grad = returned(case, unreduced(case, xs, True))
        return loss, grad

    losses, grads = probe(rm.LIMIT_PROBE)
    far_losses, _ = probe(2 * rm.LIMIT_PROBE)
    for output, limits, finite, far in (("loss", result.loss, losses, far_losses), ("gradInput", result.grad, grads, grads)):
        for k, (limit, value, far_value) in enumerate(zip(limits, finite, far)):
            if mpmath.isnan(limit):
                continue
            if mpmath.isinf(limit):
                ok = limit > 0 and far_value - value > mpf("1e-30")
            else:
                ok = abs(value - limit) <= rm.LIMIT_ATOL + rm.LIMIT_RTOL * abs(limit)
            if not ok:
                raise AssertionError(f"{case.name}: {output}[{k}] limit {rm.short(limit)} but |x| = {rm.LIMIT_PROBE:g} gives {rm.short(value)}")
    return True


# ---------------------------------------------------------------- torch: the paper's listing


def accurate_where(one_minus_pt: torch.Tensor, focal: torch.Tensor, term: torch.Tensor) -> list[bool]:
    """Elements where the listing is accurate: no 1 - pt cancellation, no focal/term cancellation."""
    total = (focal + term).abs()
    parts = focal.abs() + term.abs()
    ok = (one_minus_pt >= LISTING_MIN_ONE_MINUS_PT) & ((total >= LISTING_MIN_SUM_FRACTION * parts) | (parts == 0))
    ok = ok | torch.isnan(one_minus_pt)
    return [bool(v) for v in ok.reshape(-1).tolist()]


def listing_sigmoid(case: Case) -> TorchResult:
    """The paper's poly1_focal_loss listing, literally (1 - pt by subtraction), in float64."""
    o = case.resolved()
    shape = case.input.shape
    eps, g = float(o.get("polyEpsilon", 0)), float(o["gamma"])
    x = rt.tensor(case.input.data, shape).requires_grad_(True)
    s = float(o["labelSmoothing"])
    labels = rt.tensor(case.target.data, shape) * (1 - s) + s / 2
    if o["fromLogits"]:
        p = torch.sigmoid(x)
        ce = F.binary_cross_entropy_with_logits(x, labels, reduction="none")
    else:
        p = torch.clamp(x, float(o["eps"]), 1 - float(o["eps"]))
        ce = -(labels * torch.log(p) + (1 - labels) * torch.log1p(-p))
    pt = labels * p + (1 - labels) * (1 - p)
    focal = ce * (1 - pt) ** g
    if o["alpha"] is not None:
        focal = (o["alpha"] * labels + (1 - o["alpha"]) * (1 - labels)) * focal
    term = eps * (1 - pt) ** (g + 1)
    losses = focal + term
    # the gradient's two parts, for the cancellation mask (before the graph is released)
    (focal_grad,) = torch.autograd.grad(focal.sum(), x, retain_graph=True)
    (term_grad,) = torch.autograd.grad(term.sum(), x, retain_graph=True, allow_unused=True)
    term_grad = torch.zeros_like(x) if term_grad is None else term_grad
    out = rt.reduce(case, rt.weighted(case, losses, shape), losses.numel())
    grad = rt.backward(out, x)
    with torch.no_grad():
        loss_ok = accurate_where(1 - pt, focal, term)
        grad_ok = accurate_where(1 - pt, focal_grad, term_grad)
    return TorchResult(
        f"the paper's Poly-1 focal listing in torch {torch.__version__} float64 autograd",
        rt.flat(out), rt.flat(grad),
        loss_ok if o["reduction"] == "none" else [all(loss_ok)], grad_ok,
    )


def listing_softmax(case: Case) -> TorchResult:
    """The contract's softmax focal loss plus the listing's eps (1 - sum(labels * softmax))^(g+1)."""
    o = case.resolved()
    lay = softmax_layout(case.input.shape, o["axis"])
    eps, g = float(o.get("polyEpsilon", 0)), float(o["gamma"])
    x = rt.tensor(case.input.data, case.input.shape).requires_grad_(True)
    xm = torch.movedim(x, lay.axis, -1)
    classes = lay.classes
    s = float(o["labelSmoothing"])
    loss_shape = lay.loss_shape(case.input.shape)
    keep = None
    if case.target.dtype == "int32":
        k = torch.tensor(list(case.target.data), dtype=torch.long).reshape(loss_shape)
        ignore = o["ignoreIndex"]
        keep = torch.ones_like(k, dtype=torch.bool) if ignore is None else k != ignore
        onehot = F.one_hot(torch.where(keep, k, torch.zeros_like(k)), classes).to(rt.DTYPE)
        labels = onehot * (1 - s) + s / classes
        counted = int(keep.sum())
    else:
        labels = torch.movedim(rt.tensor(case.target.data, case.input.shape), lay.axis, -1) * (1 - s) + s / classes
        counted = lay.positions
    if o["fromLogits"]:
        log_p, q = rt.log_softmax_accurate(xm)
        p = torch.softmax(xm, dim=-1)
    else:
        p, q, log_p, _ = rt.clipped_probabilities(xm, float(o["eps"]))
    alpha = o["alpha"]
    a = (torch.ones(classes, dtype=rt.DTYPE) if alpha is None else torch.tensor(alpha, dtype=rt.DTYPE)
         if isinstance(alpha, list) else torch.full((classes,), float(alpha), dtype=rt.DTYPE))
    focal = -(a * labels * q**g * log_p).sum(-1)
    pt = (labels * p).sum(-1)
    term = eps * (1 - pt) ** (g + 1)
    if keep is not None:
        zero = torch.zeros_like(focal)
        focal, term = torch.where(keep, focal, zero), torch.where(keep, term, zero)
    losses = focal + term
    out = rt.reduce(case, rt.weighted(case, losses, loss_shape), counted)
    grad = rt.backward(out, x)
    with torch.no_grad():
        loss_ok = accurate_where(1 - pt, focal, term)
        # a position's gradient entries are accurate where its 1 - pt and its loss are
        row_ok = torch.tensor(loss_ok, dtype=torch.bool).reshape(loss_shape)
        grad_ok_m = row_ok.unsqueeze(-1).expand(*loss_shape, classes)
        grad_ok = [bool(v) for v in torch.movedim(grad_ok_m, -1, lay.axis).reshape(-1).tolist()]
    return TorchResult(
        f"the contract's softmax focal loss plus the paper's Poly-1 term in torch {torch.__version__} float64 autograd",
        rt.flat(out), rt.flat(grad),
        loss_ok if o["reduction"] == "none" else [all(loss_ok)], grad_ok,
    )


# ---------------------------------------------------------------- fixtures


def outputs_fixture(case: Case, torch_skip_reason: Callable[[Case], Optional[str]]) -> dict[str, Any]:
    result = evaluate(case)
    numerically = check_against_numerical_derivative(case, result)
    limits = check_limits(case, result)
    loss = [rm.to_double(v) for v in result.loss]
    grad = [rm.to_double(v) for v in result.grad]
    skip = torch_skip_reason(case)
    if skip is None:
        listing = listing_sigmoid(case) if case.op == SIGMOID else listing_softmax(case)
        phrases = crosscheck.cross_check(case.name, loss, grad, [listing])
    else:
        phrases = [f"torch not compared ({skip})"]
    text = (f"mpmath {rm.version()} ({rm.DIGITS} digits: the focal loss of reference_mpmath plus "
            f"polyEpsilon (1 - p_t)^(gamma + 1), analytic gradient")
    if limits:
        text += f", limits at infinite logits checked against the formula at |x| = {rm.LIMIT_PROBE:g}"
    text += ", checked against mp.diff)" if numerically else ")"
    return {
        "format": FORMAT,
        "name": case.name,
        "op": case.op,
        "reference": "; ".join([text, *phrases]),
        "options": case.options,
        "inputs": {
            "input": {"dtype": case.input.dtype, "shape": list(case.input.shape), "data": list(case.input.data)},
            "target": {"dtype": case.target.dtype, "shape": list(case.target.shape), "data": list(case.target.data)},
            **({"weight": {"dtype": case.weight.dtype, "shape": list(case.weight.shape), "data": list(case.weight.data)}}
               if case.weight is not None else {}),
        },
        "expected": {
            "loss": {"shape": list(result.loss_shape), "data": loss},
            "gradInput": {"shape": list(case.input.shape), "data": grad},
        },
        "tolerance": {"loss": output_tolerance(case.group, loss), "gradInput": output_tolerance(case.group, grad)},
    }


def sig(name: str, shape: Sequence[int], x: Sequence[float], t: Sequence[float],
        weight: Optional[Sequence[float]] = None, **options: Any) -> Case:
    return Case(f"{GROUP}/{name}", SIGMOID, options, f32(shape, x), f32(shape, t),
                None if weight is None else f32(shape, weight))


def softmax(name: str, shape: Sequence[int], x: Sequence[float], target, weight=None, **options: Any) -> Case:
    return smx(f"{GROUP}/{name}", shape, x, target, weight, **options)


def err(name: str, code: str, rule: str, base: Case, target=None, **options: Any) -> Case:
    case = Case(f"{GROUP}/{name}", base.op, {**base.options, **options}, base.input,
                base.target if target is None else target, base.weight, code, rule)
    case.error_tolerance = False
    return case


def all_cases() -> list[Case]:
    n = 12
    name = lambda leaf: f"{GROUP}/{leaf}"  # noqa: E731  (the random streams are seeded by the full name)
    # saturated logits: +-40 and +-17 (float32's 1 - p is 0 there) in every gamma x eps; +-1e4 once
    # each (their mp.diff check works with ~8 700 digits and takes half a minute)
    saturated = [40.0, -40.0, 30.0, -30.0, 40.0, -40.0, 30.0, -30.0, 17.0, -17.0]
    saturated_t = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.25, 0.75]
    cases = [
        # sigmoid
        sig("sigmoid-eps1-defaults", [3, 4], logits(name("sigmoid-eps1-defaults"), n), binary(name("sigmoid-eps1-defaults"), n),
            polyEpsilon=1),
        sig("sigmoid-eps-1-gamma0-cross-entropy", [n], logits(name("sigmoid-eps-1-gamma0-cross-entropy"), n),
            binary(name("sigmoid-eps-1-gamma0-cross-entropy"), n), polyEpsilon=-1, gamma=0, alpha=None, reduction="none"),
        sig("sigmoid-eps0.5-gamma0.5-soft", [n], logits(name("sigmoid-eps0.5-gamma0.5-soft"), n),
            soft(name("sigmoid-eps0.5-gamma0.5-soft"), n), polyEpsilon=0.5, gamma=0.5, reduction="sum"),
        sig("sigmoid-eps2-alpha-weights", [3, 4], logits(name("sigmoid-eps2-alpha-weights"), n),
            binary(name("sigmoid-eps2-alpha-weights"), n), weights(name("sigmoid-eps2-alpha-weights"), n),
            polyEpsilon=2, alpha=0.75, reduction="none"),
        sig("sigmoid-eps2-label-smoothing", [n], logits(name("sigmoid-eps2-label-smoothing"), n),
            binary(name("sigmoid-eps2-label-smoothing"), n), polyEpsilon=2, labelSmoothing=0.1, reduction="none"),
        sig("sigmoid-eps-1-weights-normalizer", [n], logits(name("sigmoid-eps-1-weights-normalizer"), n),
            soft(name("sigmoid-eps-1-weights-normalizer"), n), weights(name("sigmoid-eps-1-weights-normalizer"), n),
            polyEpsilon=-1, gamma=0.5, reduction="mean", normalizer=3),
        sig("sigmoid-eps2-probabilities-clipped", [8],
            [0.0, 1.0, 1e-9, 0.9999999, 0.25, 0.75, 0.5, 0.001], [1, 0, 0, 1, 1, 0, 0.5, 1],
            polyEpsilon=2, gamma=0.5, fromLogits=False, eps=1e-4, reduction="none"),
        sig("sigmoid-eps-1-probabilities", [n], probabilities(name("sigmoid-eps-1-probabilities"), n),
            soft(name("sigmoid-eps-1-probabilities"), n), polyEpsilon=-1, gamma=2, fromLogits=False, reduction="mean"),
        Case(name("sigmoid-eps1-int32-targets"), SIGMOID, {"polyEpsilon": 1, "reduction": "none"},
             f32([6], [0.5, -1.25, 3.0, -0.75, 40.0, -40.0]), i32([6], [1, 0, 0, 1, 1, 0])),
        sig("sigmoid-eps0-is-focal", [6], [0.5, -1.25, 3.0, -0.75, 2.0, -3.0], [1, 0, 0, 1, 0.5, 1],
            polyEpsilon=0, reduction="none"),
    ]
    for g in (0, 0.5, 2):
        for e in (-1, 2):
            leaf = f"sigmoid-saturated-gamma{g}-eps{e}"
            cases.append(sig(leaf, [10], saturated, saturated_t, polyEpsilon=e, gamma=g, alpha=None if e == -1 else 0.25,
                             reduction="none"))
    cases.append(sig("sigmoid-saturated-1e4", [6], [1e4, -1e4, 1e4, -1e4, 1e4, -1e4], [1, 0, 0, 1, 0.5, 0.25],
                     polyEpsilon=-1, gamma=0.5, reduction="none"))
    inf_x = [math.inf, math.inf, math.inf, -math.inf, -math.inf, -math.inf, math.inf, -math.inf]
    inf_t = [1.0, 0.0, 0.25, 0.0, 1.0, 0.75, 0.0, 1.0]
    cases += [
        # alpha 1: alpha_t = 0 for t = 0, so at +Infinity only the term remains (finite)
        sig("sigmoid-infinities-alpha1", [8], inf_x, inf_t, polyEpsilon=0.5, alpha=1, gamma=2, reduction="none"),
        sig("sigmoid-infinities-gamma0.5", [8], inf_x, inf_t, polyEpsilon=-1, gamma=0.5, reduction="none"),
        sig("sigmoid-infinities-sum", [8], inf_x, inf_t, polyEpsilon=2, alpha=0, gamma=0, reduction="sum"),
    ]
    # softmax
    shape = [4, 3]
    cases += [
        softmax("softmax-eps1-index", shape, logits(name("softmax-eps1-index"), 12),
                i32([4], indices(name("softmax-eps1-index"), 4, 3)), polyEpsilon=1),
        softmax("softmax-eps2-gamma0-cross-entropy", shape, logits(name("softmax-eps2-gamma0-cross-entropy"), 12),
                i32([4], indices(name("softmax-eps2-gamma0-cross-entropy"), 4, 3)), polyEpsilon=2, gamma=0, alpha=None,
                reduction="none"),
        softmax("softmax-eps-1-soft-gamma0.5", shape, logits(name("softmax-eps-1-soft-gamma0.5"), 12),
                f32(shape, rows_to_layout(shape, -1, soft_rows(name("softmax-eps-1-soft-gamma0.5"), 4, 3))),
                polyEpsilon=-1, gamma=0.5, reduction="sum"),
        softmax("softmax-eps0.5-onehot-alpha-array-weights", shape,
                logits(name("softmax-eps0.5-onehot-alpha-array-weights"), 12),
                f32(shape, [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]), weights(name("softmax-eps0.5-onehot-alpha-array-weights"), 4),
                polyEpsilon=0.5, alpha=[0.25, 0.5, 1], reduction="none"),
        softmax("softmax-eps2-label-smoothing", shape, logits(name("softmax-eps2-label-smoothing"), 12),
                i32([4], indices(name("softmax-eps2-label-smoothing"), 4, 3)), polyEpsilon=2, labelSmoothing=0.1,
                reduction="none"),
        softmax("softmax-eps-1-ignore-index-weights-normalizer", [5, 3],
                logits(name("softmax-eps-1-ignore-index-weights-normalizer"), 15), i32([5], [0, -1, 2, 1, -1]),
                [0.5, 2, 1.5, 1, 3], polyEpsilon=-1, ignoreIndex=-1, reduction="mean", normalizer=2.5),
        softmax("softmax-eps2-axis1-nchw", [2, 3, 2], logits(name("softmax-eps2-axis1-nchw"), 12),
                i32([2, 2], [0, 2, 1, 0]), polyEpsilon=2, axis=1, gamma=1.5, reduction="none"),
        softmax("softmax-eps2-probabilities-clipped", [3, 3], [0.0, 0.25, 1.0, 0.5, 0.3, 0.2, 1e-9, 0.9999999, 0.5],
                i32([3], [2, 0, 1]), polyEpsilon=2, gamma=0.5, fromLogits=False, eps=1e-4, reduction="none"),
        softmax("softmax-eps-1-probabilities-soft", shape,
                rows_to_layout(shape, -1, [0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4, 0.05, 0.9, 0.05]),
                f32(shape, rows_to_layout(shape, -1, soft_rows(name("softmax-eps-1-probabilities-soft"), 4, 3))),
                polyEpsilon=-1, gamma=2, fromLogits=False, reduction="mean"),
        softmax("softmax-eps0-is-focal", shape, logits(name("softmax-eps0-is-focal"), 12),
                i32([4], indices(name("softmax-eps0-is-focal"), 4, 3)), polyEpsilon=0, reduction="none"),
    ]
    sat_rows = [40.0, 0.0, 0.0, 30.0, 0.0, -30.0, -40.0, 40.0, 0.0, 0.0, 0.0, 17.0]
    for g in (0, 0.5, 2):
        for e in (-1, 2):
            cases.append(softmax(f"softmax-saturated-gamma{g}-eps{e}", shape, sat_rows, i32([4], [0, 0, 0, 1]),
                                 polyEpsilon=e, gamma=g, alpha=None if e == -1 else 0.25, reduction="none"))
    cases.append(softmax("softmax-saturated-1e4", [3, 3], [1e4, 0.0, -1e4, 0.0, 1e4, 0.0, -1e4, 0.0, 1e4],
                         i32([3], [0, 0, 1]), polyEpsilon=2, gamma=0.5, reduction="none"))
    inf_rows = [1.0, -math.inf, 0.5, -math.inf, 2.0, 0.0, math.inf, 0.0, 1.0, -math.inf, -math.inf, -math.inf]
    cases += [
        softmax("softmax-infinities", shape, inf_rows, i32([4], [0, 0, 1, 2]), polyEpsilon=0.5, reduction="none"),
        softmax("softmax-infinities-gamma0.5-soft", shape, inf_rows,
                f32(shape, [0.5, 0, 0.5, 0, 1, 0, 0.25, 0.25, 0.5, 1, 0, 0]), polyEpsilon=-1, gamma=0.5, reduction="none"),
    ]
    # errors: the value (INVALID_OPTION naming it), and the order of checks
    base_s = sig("errors-base-sigmoid", [2, 2], [0.5, -1, 2, 0], [1, 0, 0, 1], reduction="mean")
    base_m = softmax("errors-base-softmax", [2, 3], [0.5, -1, 2, 0, 1, -0.5], i32([2], [2, 0]), reduction="mean")
    rule = "polyEpsilon must be a finite number >= -1"
    opt = "INVALID_OPTION"
    cases += [
        err("errors-eps-minus2", opt, rule, base_s, polyEpsilon=-2),
        err("errors-eps-below-minus1", opt, rule, base_m, polyEpsilon=-1.0009765625),
        err("errors-eps-string", opt, rule + " (the string \"1\" is not a number)", base_m, polyEpsilon="1"),
        err("errors-eps-string-nan", opt,
            rule + " (JSON has no NaN: a file can only carry the string \"NaN\"; the number NaN is tested in the packages)",
            base_s, polyEpsilon="NaN"),
        err("errors-eps-null", opt, rule + " (null is not a number)", base_s, polyEpsilon=None),
        err("errors-order-eps-before-shape", opt, "options are checked before shapes", base_s,
            target=f32([4], [1, 0, 0, 1]), polyEpsilon=-2),
    ]
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "duplicate poly fixture names"
    return cases


def register(
    cases: list[Case],
    build: Callable[[Case], dict],
    error_fixture: Callable[[Case], dict],
    torch_skip_reason: Callable[[Case], Optional[str]],
) -> tuple[list[Case], Callable[[Case], dict]]:
    """generate.py's hook: the poly cases appended, and a build that makes them (error fixtures
    with generate.py's own writer) and passes every other case to the previous build."""

    def poly_build(case: Case) -> dict:
        if case.group != GROUP:
            return build(case)
        return error_fixture(case) if case.error else outputs_fixture(case, torch_skip_reason)

    return cases + all_cases(), poly_build
