"""The focal-loss family (issue 15): cases, mpmath references and torch cross-checks.

Ops (fixture `op`), each elementwise like sigmoid_focal_loss (target and weight of the input's
shape; reduction "none" / "mean" / "sum", `normalizer` with "mean"):

  sigmoid_focal_loss_star  FL* (Lin et al. 2017, appendix A; fvcore `sigmoid_focal_loss_star`)
      z = gamma x (2t - 1) + beta,  L = alpha_t (-log sigmoid(z)) / gamma
      dL/dx = alpha_t / gamma * (1 - sigmoid(z)) * dz/dx * (-1) = -alpha_t (2t - 1)(1 - sigmoid(z))
  quality_focal_loss       QFL (Li et al. 2020; mmdet `QualityFocalLoss`, dense targets)
      d = t - p,  L = |d|^beta ce,  ce = -t log p - (1 - t) log(1 - p)
      dL/dx = beta |d|^(beta - 1) sign(d) (-p q) ce + |d|^beta (p - t)       (0 where d = 0)
  varifocal_loss           VFL (Zhang et al. 2021; mmdet `VarifocalLoss`, focal weight not detached)
      t > 0: L = w ce, w = t (iouWeighted) or 1;  dL/dx = w (p - t)
      t = 0: L = alpha p^gamma (-log(1 - p));  dL/dx = alpha (gamma p^(gamma - 1) p q (-log q) + p^gamma p)
  asymmetric_loss          ASL (Ridnik et al. 2021; Alibaba-MIIL/ASL `AsymmetricLoss`), binary t
      t = 1: L = q^gp (-log p);  dL/dx = gp q^(gp - 1)(-p q)(-log p) + q^gp (-q)
      t = 0: p_m = max(p - m, 0), L = p_m^gn (-log(1 - p_m))
             dL/dx = p q (gn p_m^(gn - 1)(-log(1 - p_m)) + p_m^gn / (1 - p_m))   (0 where p_m = 0)

Distribution Focal Loss needs no op: its cases are `softmax_focal_loss` fixtures (gamma 0,
alpha null) with the two-hot targets of continuous positions, computed by the existing softmax
reference, and cross-checked here against mmdet's `distribution_focal_loss` formula as well.

The mpmath formulas are written naively (1 - p, pow) at a working precision raised by the digits
those subtractions cancel, so they are an independent check of the accurate forms in
packages/core/src/family. Gradients are analytic and checked against mp.diff (25 digits); limits
at infinite logits are derived above and checked against the finite formula at |x| = 1000.
The torch cross-check evaluates each reference implementation's own formula in float64 with
autograd, element by element to 1e-9, where that formula is accurate (see `applicable_*`).

Run alone (writes fixtures/family/ only):  /usr/bin/python3 generator/cases_family.py [--only PREFIX]
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import math  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Optional, Sequence  # noqa: E402

import mpmath  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mpmath import mp, mpf  # noqa: E402

import crosscheck  # noqa: E402
import reference_mpmath as rm  # noqa: E402
from cases import binary, logits, rng, snap, soft, weights  # noqa: E402
from model import SOFTMAX, Case, Tensor, f32, i32  # noqa: E402
from reference_torch import TorchResult  # noqa: E402
from tolerance import output_tolerance  # noqa: E402
from write import FORMAT, error_fixture, inputs_json  # noqa: E402

STAR = "sigmoid_focal_loss_star"
QFL = "quality_focal_loss"
VFL = "varifocal_loss"
ASL = "asymmetric_loss"
OPS = (STAR, QFL, VFL, ASL)
GROUP = "family"

DEFAULTS: dict[str, dict[str, Any]] = {
    STAR: {"reduction": "mean", "normalizer": None, "gamma": 1, "beta": 0, "alpha": None},
    QFL: {"reduction": "mean", "normalizer": None, "beta": 2},
    VFL: {"reduction": "mean", "normalizer": None, "alpha": 0.75, "gamma": 2, "iouWeighted": True},
    ASL: {"reduction": "mean", "normalizer": None, "gammaPos": 1, "gammaNeg": 4, "clip": 0.05},
}
REFERENCES = {
    STAR: "fvcore sigmoid_focal_loss_star (fvcore/nn/focal_loss.py) formula",
    QFL: "mmdet quality_focal_loss (mmdet/models/losses/gfocal_loss.py, dense target) formula",
    VFL: "mmdet varifocal_loss (mmdet/models/losses/varifocal_loss.py) formula",
    ASL: "Alibaba-MIIL/ASL AsymmetricLoss (src/loss_functions/losses.py) formula",
}
LIMIT_PROBE = 1000.0
DFL_REFERENCE = "mmdet distribution_focal_loss (mmdet/models/losses/gfocal_loss.py) formula"


def resolved(case: Case) -> dict[str, Any]:
    return {**DEFAULTS[case.op], **case.options}


# ---------------------------------------------------------------- mpmath, one element


def extra(values: Sequence[float]) -> int:
    finite = [abs(v) for v in values if math.isfinite(v)]
    return int(math.ceil(max(finite, default=0.0) / rm.LN10)) + 10


def element(op: str, o: dict[str, Any], x, t_raw: float, with_grad: bool = True):
    """(loss, dloss/dx) of one element, weight 1, by the naive formulas at raised precision."""
    if mpmath.isnan(x):
        return rm.NAN, rm.NAN
    if mpmath.isinf(x):
        return limit(op, o, x > 0, mpf(t_raw))
    scale_digits = extra([float(x) * max(1.0, float(o.get("gamma", 1)))])
    with mp.workdps(max(mp.dps, rm.DIGITS + scale_digits)):
        x = mpf(x)
        t = mpf(t_raw)
        p = 1 / (1 + mp.exp(-x))
        q = 1 - p
        if op == STAR:
            g, b = mpf(o["gamma"]), mpf(o["beta"])
            a = o["alpha"]
            a_t = mpf(1) if a is None else mpf(a) * t + (1 - mpf(a)) * (1 - t)
            z = g * x * (2 * t - 1) + b
            sz = 1 / (1 + mp.exp(-z))
            loss = a_t * -mp.log(sz) / g
            grad = -a_t * (2 * t - 1) * (1 - sz)
        elif op == QFL:
            beta = mpf(o["beta"])
            d = t - p
            ce = -t * mp.log(p) - (1 - t) * mp.log(q)
            loss = abs(d) ** beta * ce
            if d == 0:
                grad = mpf(0)
            else:
                focus = 0 if beta == 0 else beta * abs(d) ** (beta - 1) * mp.sign(d)
                grad = focus * (-p * q) * ce + abs(d) ** beta * (p - t)
        elif op == VFL:
            alpha, g = mpf(o["alpha"]), mpf(o["gamma"])
            if t > 0:
                w = t if o["iouWeighted"] else mpf(1)
                loss = w * (-t * mp.log(p) - (1 - t) * mp.log(q))
                grad = w * (p - t)
            else:
                loss = alpha * p**g * -mp.log(q)
                focus = 0 if g == 0 else g * p ** (g - 1)
                grad = alpha * (focus * p * q * -mp.log(q) + p**g * p)
        elif op == ASL:
            gp, gn, m = mpf(o["gammaPos"]), mpf(o["gammaNeg"]), mpf(o["clip"])
            if t == 1:
                loss = q**gp * -mp.log(p)
                focus = 0 if gp == 0 else gp * q ** (gp - 1)
                grad = focus * (-p * q) * -mp.log(p) + q**gp * -q
            else:
                pm = max(p - m, mpf(0))
                if pm == 0:
                    loss, grad = mpf(0), mpf(0)
                else:
                    loss = pm**gn * -mp.log(1 - pm)
                    focus = 0 if gn == 0 else gn * pm ** (gn - 1)
                    grad = p * q * (focus * -mp.log(1 - pm) + pm**gn / (1 - pm))
        else:
            raise ValueError(op)
        return +loss, (+grad if with_grad else None)


def limit(op: str, o: dict[str, Any], positive: bool, t: mpf):
    """The limits at x = +-Infinity, derived in each op's docstring line above."""
    inf = mpf("inf")
    if op == STAR:
        s = 2 * t - 1
        a = o["alpha"]
        a_t = mpf(1) if a is None else mpf(a) * t + (1 - mpf(a)) * (1 - t)
        if s == 0:  # z = beta for every x
            z = mpf(o["beta"])
            sz = 1 / (1 + mp.exp(-z))
            return a_t * -mp.log(sz) / mpf(o["gamma"]), mpf(0)
        if (s > 0) == positive:  # z -> +inf: sigmoid(z) -> 1
            return mpf(0), mpf(0)
        return (mpf(0) if a_t == 0 else inf), -a_t * s
    if op == QFL:
        d = -(1 - t) if positive else t
        if d == 0:
            return mpf(0), mpf(0)
        return inf, -abs(d) ** mpf(o["beta"]) * d
    if op == VFL:
        if t > 0:
            w = t if o["iouWeighted"] else mpf(1)
            gap = 1 - t if positive else t
            return (mpf(0) if gap == 0 else inf), (w * (1 - t) if positive else -w * t)
        alpha = mpf(o["alpha"])
        if positive:
            return (inf if alpha != 0 else mpf(0)), alpha
        return mpf(0), mpf(0)
    if op == ASL:
        if t == 1:
            return (mpf(0), mpf(0)) if positive else (inf, mpf(-1))
        if not positive:
            return mpf(0), mpf(0)
        m = mpf(o["clip"])
        if m == 0:
            return inf, mpf(1)
        return (1 - m) ** mpf(o["gammaNeg"]) * -mp.log(m), mpf(0)
    raise ValueError(op)


def scale_of(o: dict[str, Any], n: int) -> mpf:
    if o["reduction"] != "mean":
        return mpf(1)
    if o["normalizer"] is not None:
        return 1 / mpf(o["normalizer"])
    return mpf(0) if n == 0 else 1 / mpf(n)


def evaluate(case: Case, xs: Optional[list] = None) -> rm.MpResult:
    o = resolved(case)
    xs = list(case.input.data) if xs is None else xs
    ws = case.weight.data if case.weight is not None else None
    losses, grads = [], []
    for k, x in enumerate(xs):
        loss, grad = element(case.op, o, x, case.target.data[k])
        w = mpf(1) if ws is None else mpf(ws[k])
        losses.append(w * loss)
        grads.append(w * grad)
    scale = scale_of(o, len(xs))
    grads = [scale * g for g in grads]
    if o["reduction"] == "none":
        return rm.MpResult(tuple(case.input.shape), losses, grads)
    return rm.MpResult((), [scale * mp.fsum(losses) if losses else mpf(0)], grads)


def check_mp_diff(case: Case, result: rm.MpResult) -> bool:
    data = list(case.input.data)
    ws = list(case.weight.data) if case.weight is not None else []
    if len(data) == 0 or len(data) > rm.NUMERIC_CHECK_MAX_ELEMENTS or not all(math.isfinite(v) for v in data + ws):
        return False
    o = resolved(case)
    scale = scale_of(o, len(data))
    for k, x in enumerate(data):
        w = mpf(1) if not ws else mpf(ws[k])

        def local(v, k=k, w=w):
            return scale * w * element(case.op, o, v, case.target.data[k], with_grad=False)[0]

        with mp.workdps(max(mp.dps, rm.DIGITS + extra([x * max(1.0, float(o.get("gamma", 1)))]))):
            numeric = mp.diff(local, mpf(x))
        analytic = result.grad[k]
        bound = rm.NUMERIC_ZERO_ATOL if analytic == 0 else rm.NUMERIC_RTOL * abs(analytic)
        if abs(numeric - analytic) > bound:
            raise AssertionError(f"{case.name}: analytic gradient [{k}] = {rm.short(analytic)} but mp.diff gives {rm.short(numeric)}")
    return True


def check_limits(case: Case, result: rm.MpResult) -> bool:
    if not any(isinstance(v, float) and math.isinf(v) for v in case.input.data):
        return False
    probed = [math.copysign(LIMIT_PROBE, v) if isinstance(v, float) and math.isinf(v) else v for v in case.input.data]
    far = [2 * v if isinstance(v, float) and abs(v) == LIMIT_PROBE else v for v in probed]
    near_r, far_r = evaluate(case, probed), evaluate(case, far)
    for output, limits, near, farther in (("loss", result.loss, near_r.loss, far_r.loss), ("gradInput", result.grad, near_r.grad, far_r.grad)):
        for k, (lim, value, far_value) in enumerate(zip(limits, near, farther)):
            if mpmath.isnan(lim):
                continue
            if mpmath.isinf(lim):
                ok = lim > 0 and far_value - value > mpf("1e-30")
            else:
                ok = abs(value - lim) <= rm.LIMIT_ATOL + rm.LIMIT_RTOL * abs(lim)
            if not ok:
                raise AssertionError(f"{case.name}: {output}[{k}] limit {rm.short(lim)} but |x| = {LIMIT_PROBE:g} gives {rm.short(value)}")
    return True


# ---------------------------------------------------------------- torch: the references' formulas


DTYPE = torch.float64
ACCURATE_FLOOR = 1e-6  # below this, a subtraction-based float64 formula has lost > 1e-10 relative


def torch_reference(case: Case) -> TorchResult:
    """The reference implementation's formula, literally, in float64 with autograd."""
    o = resolved(case)
    shape = tuple(case.input.shape)
    x = torch.tensor(list(case.input.data), dtype=DTYPE).reshape(shape).requires_grad_(True)
    t = torch.tensor([float(v) for v in case.target.data], dtype=DTYPE).reshape(shape)
    p_det = torch.sigmoid(x.detach())
    ok = torch.ones(shape, dtype=torch.bool)
    if case.op == STAR:
        # fvcore: -logsigmoid(gamma * x * (2t - 1)) / gamma, times alpha_t when alpha >= 0 (+ the paper's beta)
        g = float(o["gamma"])
        losses = -F.logsigmoid(g * (x * (2 * t - 1)) + float(o["beta"])) / g
        if o["alpha"] is not None:
            a = float(o["alpha"])
            losses = losses * (a * t + (1 - a) * (1 - t))
    elif case.op == QFL:
        # mmdet quality_focal_loss_tensor_target: BCE(pred, t) * |t - sigmoid|^beta
        ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
        losses = ce * (t - torch.sigmoid(x)).abs().pow(float(o["beta"]))
        ok = (ce.detach() >= ACCURATE_FLOOR) & ((t - p_det).abs() >= ACCURATE_FLOOR)
    elif case.op == VFL:
        # mmdet varifocal_loss, as written (no detach)
        a, g = float(o["alpha"]), float(o["gamma"])
        pos = (t > 0).to(DTYPE)
        neg = (t <= 0).to(DTYPE)
        first = t * pos if o["iouWeighted"] else pos
        focal_weight = first + a * (torch.sigmoid(x) - t).abs().pow(g) * neg
        ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
        losses = ce * focal_weight
        ok = (ce.detach() >= ACCURATE_FLOOR) & ((t > 0) | (p_det >= ACCURATE_FLOOR))
    elif case.op == ASL:
        # Alibaba-MIIL/ASL AsymmetricLoss (eps 1e-8 clamp, clip), per element before its sum
        gp, gn, m = float(o["gammaPos"]), float(o["gammaNeg"]), float(o["clip"])
        xs_pos = torch.sigmoid(x)
        xs_neg = 1 - xs_pos
        if m > 0:
            xs_neg = (xs_neg + m).clamp(max=1)
        loss = t * torch.log(xs_pos.clamp(min=1e-8)) + (1 - t) * torch.log(xs_neg.clamp(min=1e-8))
        pt = xs_pos * t + xs_neg * (1 - t)
        losses = -(loss * torch.pow(1 - pt, gp * t + gn * (1 - t)))
        q_det = 1 - p_det
        pos_ok = (q_det >= ACCURATE_FLOOR) & (p_det >= ACCURATE_FLOOR)  # 1 - p, and the reference's clamp
        # sigmoid's backward multiplies by 1 - p: lost once q is below the floor
        neg_ok = ((p_det - m >= ACCURATE_FLOOR) | (p_det < m - ACCURATE_FLOOR)) & (q_det >= ACCURATE_FLOOR)
        ok = torch.where(t == 1, pos_ok, neg_ok)
    else:
        raise ValueError(case.op)
    if case.weight is not None:
        losses = losses * torch.tensor(list(case.weight.data), dtype=DTYPE).reshape(shape)
    n = losses.numel()
    if o["reduction"] == "none":
        returned = losses
    elif o["reduction"] == "sum":
        returned = losses.sum()
    elif o["normalizer"] is not None:
        returned = losses.sum() / o["normalizer"]
    else:
        returned = losses.sum() / n if n else losses.sum() * 0.0
    (grad,) = torch.autograd.grad(returned.sum(), x, allow_unused=True)
    grad = torch.zeros_like(x) if grad is None else grad
    flags = [bool(v) for v in ok.reshape(-1).tolist()]
    return TorchResult(
        f"{REFERENCES[case.op]} in torch {torch.__version__} float64 autograd",
        [float(v) for v in returned.detach().reshape(-1).tolist()],
        [float(v) for v in grad.reshape(-1).tolist()],
        flags if o["reduction"] == "none" else [all(flags)],
        flags,
    )


def dfl_phrase(case: Case) -> str:
    """Cross-checks a DFL softmax fixture against mmdet's distribution_focal_loss formula."""
    o = case.options
    classes = case.input.shape[-1]
    rows = len(case.input.data) // classes
    x = torch.tensor(list(case.input.data), dtype=DTYPE).reshape(rows, classes).requires_grad_(True)
    positions = case_positions[case.name]
    label = torch.tensor(positions, dtype=DTYPE)
    left = label.long().clamp(max=classes - 1)
    right = (left + 1).clamp(max=classes - 1)
    w_left = (left + 1).to(DTYPE) - label
    w_right = label - left.to(DTYPE)
    losses = F.cross_entropy(x, left, reduction="none") * w_left + F.cross_entropy(x, right, reduction="none") * w_right
    if case.weight is not None:
        losses = losses * torch.tensor(list(case.weight.data), dtype=DTYPE)
    reduction = o.get("reduction", "mean")
    if reduction == "none":
        returned = losses
    elif reduction == "sum":
        returned = losses.sum()
    else:
        returned = losses.sum() / (o.get("normalizer") or rows)
    (grad,) = torch.autograd.grad(returned.sum(), x)
    mp_result = rm.evaluate(case)
    loss = [rm.to_double(v) for v in mp_result.loss]
    grads = [rm.to_double(v) for v in mp_result.grad]
    label_text = f"{DFL_REFERENCE} in torch {torch.__version__} float64 autograd"
    result = TorchResult(label_text, [float(v) for v in returned.detach().reshape(-1).tolist()],
                         [float(v) for v in grad.reshape(-1).tolist()], [True] * len(loss), [True] * len(grads))
    return crosscheck.cross_check(case.name, loss, grads, [result])[0]


# ---------------------------------------------------------------- fixtures






def family_fixture(case: Case) -> dict[str, Any]:
    if case.error:
        return error_fixture(case)
    result = evaluate(case)
    diffed = check_mp_diff(case, result)
    limits = check_limits(case, result)
    loss = [rm.to_double(v) for v in result.loss]
    grad = [rm.to_double(v) for v in result.grad]
    if any(isinstance(v, float) and math.isinf(v) for v in list(case.input.data) + list(case.weight.data if case.weight else [])):
        phrases = ["torch not compared (infinite inputs: autograd has no limits)"]
    else:
        phrases = crosscheck.cross_check(case.name, loss, grad, [torch_reference(case)])
    text = f"mpmath {rm.version()} ({rm.DIGITS} digits, analytic gradient"
    if limits:
        text += f", limits at infinite logits checked against the formula at |x| = {LIMIT_PROBE:g}"
    text += ", checked against mp.diff)" if diffed else ")"
    return {
        "format": FORMAT,
        "name": case.name,
        "op": case.op,
        "reference": "; ".join([text, *phrases]),
        "options": case.options,
        "inputs": inputs_json(case),
        "expected": {
            "loss": {"shape": list(result.loss_shape), "data": loss},
            "gradInput": {"shape": list(case.input.shape), "data": grad},
        },
        "tolerance": {"loss": output_tolerance(case.group, loss), "gradInput": output_tolerance(case.group, grad)},
    }


def build(case: Case, error_fixture: Callable[[Case], dict], outputs_fixture: Callable[[Case], dict]) -> dict[str, Any]:
    """The one entry point generate.py calls for every case (family or not)."""
    if case.op in OPS:
        return family_fixture(case)
    fixture = error_fixture(case) if case.error else outputs_fixture(case)
    if case.name in case_positions:
        fixture["reference"] += "; " + dfl_phrase(case)
    return fixture


# ---------------------------------------------------------------- cases


def el(name: str, op: str, shape: Sequence[int], x: Sequence[float], t: Sequence[float],
       weight: Optional[Sequence[float]] = None, int_targets: bool = False, **options: Any) -> Case:
    target = i32(shape, [int(v) for v in t]) if int_targets else f32(shape, t)
    return Case(f"{GROUP}/{name}", op, options, f32(shape, x), target, None if weight is None else f32(shape, weight))


def err(name: str, op: str, code: str, rule: str, x=(0.5, -1.0, 2.0, 0.0), t=(1.0, 0.0, 0.0, 1.0),
        shape=(2, 2), target_shape=None, **options: Any) -> Case:
    case = Case(f"{GROUP}/{name}", op, options, f32(shape, x), f32(target_shape or shape, t), None, code, rule)
    case.error_tolerance = False
    return case


def iou_targets(name: str, n: int, positive: float = 0.35) -> list[float]:
    """Mostly 0 (background), some IoU-like scores in (0, 1] on k / 256."""
    g = rng(name, "target")
    is_pos = g.uniform(0, 1, n) < positive
    scores = snap(g.uniform(0.05, 1.0, n), 1 / 256)
    return [s if keep else 0.0 for s, keep in zip(scores, is_pos)]


SATURATED_X = [40.0, -40.0, 100.0, -100.0, 1e4, -1e4]
SATURATED_T = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0]
# the same logits against the other label: the loss grows like |x|
SATURATED_T_WRONG = [0.0, 1.0, 1.0, 0.0, 0.0, 1.0]
INF = math.inf
INFINITE_X = [INF, INF, INF, -INF, -INF, -INF]
INFINITE_T = [1.0, 0.0, 0.5, 1.0, 0.0, 0.5]

case_positions: dict[str, list[float]] = {}


def star_cases() -> list[Case]:
    n = 20
    c = [
        el("fl-star-default", STAR, [4, 5], logits("fl-star-default", n), binary("fl-star-default", n)),
        el("fl-star-gamma-2-beta-1", STAR, [4, 5], logits("fl-star-g2b1", n), binary("fl-star-g2b1", n),
           gamma=2, beta=1, reduction="none"),
        el("fl-star-gamma-half-beta-negative-alpha", STAR, [4, 5], logits("fl-star-half", n), binary("fl-star-half", n),
           gamma=0.5, beta=-2, alpha=0.25, reduction="sum"),
        el("fl-star-soft-targets", STAR, [2, 6], logits("fl-star-soft", 12), soft("fl-star-soft", 12),
           gamma=1.5, alpha=0.75, reduction="none"),
        el("fl-star-gamma-4-alpha-0", STAR, [8], logits("fl-star-g4", 8), binary("fl-star-g4", 8),
           gamma=4, alpha=0, reduction="none"),
        el("fl-star-saturated", STAR, [6], SATURATED_X, SATURATED_T, gamma=1, reduction="none"),
        el("fl-star-saturated-wrong-label", STAR, [6], SATURATED_X, SATURATED_T_WRONG, gamma=3, beta=0.5,
           alpha=0.25, reduction="none"),
        el("fl-star-infinite", STAR, [6], INFINITE_X, INFINITE_T, gamma=2, beta=0.5, alpha=0.25, reduction="none"),
        el("fl-star-weights-normalizer", STAR, [3, 4], logits("fl-star-w", 12), binary("fl-star-w", 12),
           weights("fl-star-w", 12), gamma=2, normalizer=5),
        el("fl-star-int32-targets", STAR, [6], logits("fl-star-int", 6), [1, 0, 0, 1, 1, 0], int_targets=True,
           reduction="sum"),
        el("fl-star-empty", STAR, [0, 3], [], [], gamma=2),
        err("fl-star-gamma-zero", STAR, "INVALID_OPTION", "FL* gamma must be a finite number > 0 (it divides)", gamma=0),
        err("fl-star-beta-string", STAR, "INVALID_OPTION", "FL* beta must be a finite number", beta="1"),
        err("fl-star-unknown-option", STAR, "INVALID_OPTION", "unknown option names are rejected", labelSmoothing=0.1),
        err("fl-star-normalizer-with-sum", STAR, "INVALID_OPTION", "normalizer only with reduction mean",
            reduction="sum", normalizer=2),
        err("fl-star-target-above-one", STAR, "INVALID_TARGET", "float targets must be in [0, 1]", t=(1.0, 0.0, 1.5, 0.0)),
        err("fl-star-shape-mismatch", STAR, "SHAPE_MISMATCH", "target must have the input's shape",
            t=(1.0, 0.0, 0.0, 1.0), target_shape=(4,)),
    ]
    return c


def qfl_cases() -> list[Case]:
    n = 20
    c = [
        el("qfl-default", QFL, [4, 5], logits("qfl-default", n), iou_targets("qfl-default", n)),
        el("qfl-soft-targets-none", QFL, [4, 5], logits("qfl-soft", n), soft("qfl-soft", n), reduction="none"),
    ]
    for beta, tag in ((0, "0"), (0.5, "half"), (1, "1"), (3, "3")):
        nm = f"qfl-beta-{tag}"
        c.append(el(nm, QFL, [3, 4], logits(nm, 12), iou_targets(nm, 12, 0.6), beta=beta, reduction="none"))
    c += [
        el("qfl-saturated", QFL, [6], SATURATED_X, SATURATED_T, reduction="none"),
        el("qfl-saturated-wrong-label", QFL, [6], SATURATED_X, SATURATED_T_WRONG, beta=1.5, reduction="none"),
        el("qfl-saturated-soft", QFL, [6], SATURATED_X, [0.75, 0.25, 0.5, 0.125, 0.875, 0.5], reduction="none"),
        el("qfl-infinite", QFL, [6], INFINITE_X, INFINITE_T, beta=2, reduction="none"),
        el("qfl-weights-sum", QFL, [3, 4], logits("qfl-w", 12), iou_targets("qfl-w", 12), weights("qfl-w", 12),
           reduction="sum"),
        el("qfl-weights-normalizer", QFL, [3, 4], logits("qfl-wn", 12), iou_targets("qfl-wn", 12),
           weights("qfl-wn", 12), normalizer=3),
        el("qfl-int32-targets", QFL, [6], logits("qfl-int", 6), [1, 0, 0, 1, 1, 0], int_targets=True),
        err("qfl-beta-negative", QFL, "INVALID_OPTION", "QFL beta must be a finite number >= 0", beta=-1),
        err("qfl-unknown-option-gamma", QFL, "INVALID_OPTION", "unknown option names are rejected (QFL's focusing is beta)",
            gamma=2),
        err("qfl-target-nan", QFL, "INVALID_TARGET", "float targets must be in [0, 1] (NaN is not)", t=(1.0, math.nan, 0.0, 0.5)),
    ]
    return c


def vfl_cases() -> list[Case]:
    n = 20
    c = [
        el("vfl-default", VFL, [4, 5], logits("vfl-default", n), iou_targets("vfl-default", n)),
        el("vfl-not-iou-weighted", VFL, [4, 5], logits("vfl-niw", n), iou_targets("vfl-niw", n), iouWeighted=False,
           reduction="none"),
        el("vfl-gamma-half", VFL, [4, 5], logits("vfl-half", n), iou_targets("vfl-half", n), gamma=0.5, reduction="none"),
        el("vfl-gamma-0-alpha-1", VFL, [3, 4], logits("vfl-g0", 12), iou_targets("vfl-g0", 12), gamma=0, alpha=1,
           reduction="none"),
        el("vfl-alpha-0-gamma-3", VFL, [3, 4], logits("vfl-a0", 12), iou_targets("vfl-a0", 12), gamma=3, alpha=0,
           reduction="sum"),
        el("vfl-saturated", VFL, [6], SATURATED_X, [0.875, 0.5, 0.0, 0.0, 1.0, 0.0], reduction="none"),
        el("vfl-saturated-wrong-label", VFL, [6], SATURATED_X, [0.0, 0.75, 1.0, 0.0, 0.0, 1.0], reduction="none"),
        el("vfl-infinite", VFL, [6], INFINITE_X, [1.0, 0.0, 0.5, 1.0, 0.0, 0.5], reduction="none"),
        el("vfl-weights-normalizer", VFL, [3, 4], logits("vfl-w", 12), iou_targets("vfl-w", 12), weights("vfl-w", 12),
           normalizer=2.5),
        el("vfl-int32-targets", VFL, [6], logits("vfl-int", 6), [1, 0, 0, 1, 1, 0], int_targets=True, reduction="sum"),
        err("vfl-iou-weighted-string", VFL, "INVALID_OPTION", "iouWeighted must be a boolean", iouWeighted="true"),
        err("vfl-alpha-negative", VFL, "INVALID_OPTION", "VFL alpha must be a finite number >= 0", alpha=-0.75),
        err("vfl-target-negative", VFL, "INVALID_TARGET", "float targets must be in [0, 1]", t=(1.0, -0.25, 0.0, 0.5)),
    ]
    return c


def asl_cases() -> list[Case]:
    n = 20
    c = [
        el("asl-default", ASL, [4, 5], logits("asl-default", n), binary("asl-default", n)),
        el("asl-clip-0", ASL, [4, 5], logits("asl-clip0", n), binary("asl-clip0", n), clip=0, reduction="none"),
        el("asl-gammas-0-2-clip-0.2", ASL, [4, 5], logits("asl-g02", n), binary("asl-g02", n), gammaPos=0, gammaNeg=2,
           clip=0.2, reduction="none"),
        el("asl-gammas-half", ASL, [4, 5], logits("asl-half", n), binary("asl-half", n), gammaPos=0.5, gammaNeg=0.5,
           reduction="none"),
        el("asl-saturated", ASL, [6], SATURATED_X, SATURATED_T, reduction="none"),
        el("asl-saturated-wrong-label", ASL, [6], SATURATED_X, SATURATED_T_WRONG, reduction="none"),
        el("asl-saturated-clip-0", ASL, [6], SATURATED_X, SATURATED_T_WRONG, clip=0, gammaNeg=2, reduction="none"),
        el("asl-infinite", ASL, [6], INFINITE_X, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], reduction="none"),
        el("asl-infinite-clip-0", ASL, [6], INFINITE_X, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], clip=0, reduction="none"),
        el("asl-weights-sum", ASL, [3, 4], logits("asl-w", 12), binary("asl-w", 12), weights("asl-w", 12),
           reduction="sum"),
        el("asl-int32-targets-normalizer", ASL, [6], logits("asl-int", 6), [1, 0, 0, 1, 1, 0], int_targets=True,
           normalizer=4),
        err("asl-soft-target", ASL, "INVALID_TARGET", "asymmetric_loss targets are binary labels (0 or 1)",
            t=(1.0, 0.0, 0.5, 1.0)),
        err("asl-clip-one", ASL, "INVALID_OPTION", "clip must be in [0, 1)", clip=1),
        err("asl-gamma-neg-null", ASL, "INVALID_OPTION", "gammaNeg must be a finite number >= 0", gammaNeg=None),
    ]
    return c


def two_hot(positions: Sequence[float], bins: int) -> list[float]:
    rows = []
    for y in positions:
        left = min(int(math.floor(y)), bins - 1)
        row = [0.0] * bins
        if left == bins - 1:
            row[left] = 1.0
        else:
            row[left] = left + 1 - y
            row[left + 1] = y - left
        rows += row
    return rows


def dfl(name: str, positions: Sequence[float], bins: int, weight: Optional[Sequence[float]] = None,
        **options: Any) -> Case:
    full = f"{GROUP}/{name}"
    case_positions[full] = list(positions)
    shape = [len(positions), bins]
    x = logits(full, len(positions) * bins)
    w = None if weight is None else f32([len(positions)], weight)
    return Case(full, SOFTMAX, {"gamma": 0, "alpha": None, **options}, f32(shape, x), f32(shape, two_hot(positions, bins)), w)


def dfl_cases() -> list[Case]:
    g = rng("family/dfl", "positions")
    positions = snap(g.uniform(0, 7, 6), 1 / 64)
    return [
        dfl("dfl-two-hot", positions, 8),
        dfl("dfl-integer-and-end-positions", [0.0, 3.0, 7.0, 6.984375], 8, reduction="none"),
        dfl("dfl-weights-normalizer", positions[:4], 8, weight=[1.0, 0.5, 0.0, 2.0], normalizer=2),
        dfl("dfl-sum-16-bins", snap(g.uniform(0, 15, 5), 1 / 64), 16, reduction="sum"),
    ]


def all_cases() -> list[Case]:
    case_positions.clear()
    return star_cases() + qfl_cases() + vfl_cases() + asl_cases() + dfl_cases()


def main() -> int:
    import argparse

    from write import fixture_path, to_json

    parser = argparse.ArgumentParser(description="family fixtures only (fixtures/family/)")
    parser.add_argument("--only", help="check cases whose name starts with this; writes nothing")
    args = parser.parse_args()
    import generate

    cases = all_cases()
    if args.only:
        cases = [c for c in cases if c.name.startswith(args.only)]
    root = Path(__file__).resolve().parent.parent / "fixtures"
    fixtures = []
    for case in cases:
        try:
            fixtures.append(build(case, generate.error_fixture, generate.outputs_fixture))
        except (crosscheck.Disagreement, AssertionError) as problem:
            print(f"REFUSING TO WRITE: {problem}", file=sys.stderr)
            return 1
        print(f"  {case.name}", file=sys.stderr)
    if args.only:
        print(f"checked {len(fixtures)} (nothing written)", file=sys.stderr)
        return 0
    family_dir = root / GROUP
    wanted = {fixture_path(root, f["name"]) for f in fixtures}
    for f in fixtures:
        path = fixture_path(root, f["name"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_json(f) + "\n", encoding="utf-8")
    for stale in family_dir.rglob("*.json"):
        if stale not in wanted:
            stale.unlink()
    print(f"{len(fixtures)} family fixtures written to {family_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
