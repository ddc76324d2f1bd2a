"""Presets (issue 14): every peer library's focal-loss convention by name, and the options they need.

Fixtures under `presets/` (packages/fixtures/fixtures/presets/):
  presets/<library>/...  one preset each (option `preset`), reproducing the numbers of that library's own
                         test suite or docstrings (the literal expected values are copied into PEER_VALUES
                         below with file and commit, and checked here at the peer's own tolerance), or, for
                         torchvision, computed by Debian's torchvision itself;
  presets/options/...    the new options on their own: posWeight, sigmoid ignoreIndex, sigmoid class-index
                         targets (axis, label C = background), normalizeProbabilities;
  presets/errors/...     every new rule's error.

The value written is mpmath at 50 digits (the formulas below, evaluated literally at a working precision
raised by the digits they cancel), with an analytic gradient checked against mp.diff. A float64 torch
implementation with autograd must agree to 1e-9 element by element; where a peer formula is available
in torch (torchvision, BCE-with-logits with pos_weight, kornia's and fvcore's formulas) it is compared too.

Semantics (docs/fixture-format.md, "Presets and the options they need"):
  sigmoid, per element, with p = sigmoid(x) (or the clipped probability), q = 1 - p, t the smoothed target,
  w+ = posWeight (the scalar, or the entry of the element's class along `axis`):
      ce = -w+ t log p - (1 - t) log q,   u = p (1 - t) + q t,   L = alpha_t u^g ce
      dL/dx = alpha_t (g u^(g-1) p q (1 - 2t) ce + u^g (p (1 - t) - w+ t q))
      dL/dp = alpha_t (g u^(g-1) (1 - 2t) ce + u^g ((1 - t) / q - w+ t / p)), 0 where clipped
    a target equal to ignoreIndex (compared before smoothing): loss 0, gradient 0, weight not read, not
    counted by "mean". Class-index targets (int32, the input's shape without `axis`): t = 1 at the label's
    class, 0 elsewhere, label C = background (all 0), a label equal to ignoreIndex ignores its C elements.
  softmax with normalizeProbabilities (fromLogits false): r_c = x_c / S (S = the row's sum), p_c = clip(r_c),
    L = -sum_c a_c t_c q_c^g log p_c; with g_c = dL/dp_c (0 where clipped),
      dL/dx_j = (g_j - sum_c g_c r_c) / S.

Run alone (checks, writes nothing):  /usr/bin/python3 generator/cases_presets.py [--only PREFIX]
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = True

import math  # noqa: E402
from typing import Any, Callable, Optional, Sequence  # noqa: E402

import mpmath  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from mpmath import mp, mpf  # noqa: E402
from torchvision.ops import sigmoid_focal_loss as torchvision_sigmoid_focal_loss  # noqa: E402

import crosscheck  # noqa: E402
import reference_mpmath as rm  # noqa: E402
from cases import binary, logits, probabilities, rng, snap, soft  # noqa: E402
from model import SIGMOID, SOFTMAX, Case, Tensor, f32, i32, size_of, softmax_layout  # noqa: E402
from reference_torch import TorchResult  # noqa: E402
from tolerance import output_tolerance  # noqa: E402
from write import FORMAT, error_fixture, inputs_json  # noqa: E402

GROUP = "presets"
DTYPE = torch.float64

# ---------------------------------------------------------------- the presets (mirror of core's preset table)

BASE: dict[str, dict[str, Any]] = {
    SIGMOID: {"gamma": 2, "alpha": 0.25, "reduction": "mean", "fromLogits": True, "eps": 1e-7,
              "labelSmoothing": 0, "normalizer": None, "posWeight": 1, "ignoreIndex": None, "axis": -1},
    SOFTMAX: {"gamma": 2, "alpha": 0.25, "reduction": "mean", "fromLogits": True, "eps": 1e-7,
              "labelSmoothing": 0, "normalizer": None, "axis": -1, "ignoreIndex": None,
              "normalizeProbabilities": False},
}
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "torchvision": {SIGMOID: {"alpha": 0.25, "gamma": 2, "reduction": "none"}},
    "keras": {
        SIGMOID: {"alpha": None, "gamma": 2, "reduction": "mean", "fromLogits": False, "eps": 1e-7},
        SOFTMAX: {"alpha": 0.25, "gamma": 2, "reduction": "mean", "fromLogits": False, "eps": 1e-7,
                  "normalizeProbabilities": True},
    },
    "mmdet": {
        SIGMOID: {"alpha": 0.25, "gamma": 2, "reduction": "mean", "axis": -1},
        SOFTMAX: {"alpha": 0.25, "gamma": 2, "reduction": "mean", "axis": -1},
    },
    "detectron2": {SIGMOID: {"alpha": 0.25, "gamma": 2, "reduction": "sum", "ignoreIndex": -1, "axis": -1}},
    "kornia": {
        SIGMOID: {"alpha": 0.25, "gamma": 2, "reduction": "none", "ignoreIndex": -100, "axis": 1},
        SOFTMAX: {"alpha": None, "gamma": 2, "reduction": "none", "ignoreIndex": -100, "axis": 1},
    },
    "optax": {SIGMOID: {"alpha": None, "gamma": 2, "reduction": "none"}},
}

# Where each preset's numbers come from (goes into the fixtures' `reference`).
SOURCES = {
    "torchvision": f"torchvision {torchvision.__version__} (Debian python3-torchvision) torchvision/ops/focal_loss.py",
    "keras": "keras-team/keras @3422977 (3.16.0.dev) keras/src/losses/losses.py and losses_test.py",
    "mmcv": "open-mmlab/mmcv @a8073c7 (2.2.0) tests/test_ops/test_focal_loss.py",
    "mmdet": "open-mmlab/mmdetection @d898526 mmdet/models/losses/focal_loss.py (label C = background, mean over N*C)",
    "detectron2": "facebookresearch/detectron2 @02b5c4e (0.6) modeling/meta_arch/retinanet.py with fvcore @3378afe "
                  "(0.1.6) fvcore/nn/focal_loss.py",
    "fvcore": "facebookresearch/fvcore @3378afe (0.1.6) tests/test_focal_loss.py",
    "kornia": "kornia/kornia @b4f5a78 (0.9.0rc1) kornia/losses/focal.py and tests/losses/test_focal_loss.py",
    "optax": "google-deepmind/optax @2edbcbe (0.2.9.dev) optax/losses/_classification.py and _classification_test.py",
}


def resolved(case: Case) -> dict[str, Any]:
    """Contract defaults, then the preset's table, then the explicit options (which win)."""
    explicit = {k: v for k, v in case.options.items() if k != "preset"}
    table = PRESETS[case.options["preset"]][case.op] if "preset" in case.options else {}
    return {**BASE[case.op], **table, **explicit}


# ---------------------------------------------------------------- layout helpers


def sigmoid_axis_layout(shape: Sequence[int], axis: int):
    """(classes, inner) of the class axis `axis` of a sigmoid input, or (1, 1) for a scalar."""
    if len(shape) == 0:
        return 1, 1
    lay = softmax_layout(shape, axis)
    return lay.classes, lay.inner


def is_class_index(case: Case) -> bool:
    return case.op == SIGMOID and case.target.dtype == "int32" and tuple(case.target.shape) != tuple(case.input.shape)


def dense_sigmoid_targets(case: Case, o: dict[str, Any]) -> list[Optional[float]]:
    """Per element: the raw target, or None where it is ignored."""
    ignore = o["ignoreIndex"]
    n = size_of(case.input.shape)
    if not is_class_index(case):
        return [None if (ignore is not None and v == ignore) else float(v) for v in case.target.data]
    classes, inner = sigmoid_axis_layout(case.input.shape, o["axis"])
    out: list[Optional[float]] = []
    for i in range(n):
        c = (i // inner) % classes
        position = (i // (classes * inner)) * inner + i % inner
        label = case.target.data[position]
        out.append(None if (ignore is not None and label == ignore) else (1.0 if label == c else 0.0))
    return out


def pos_weights(case: Case, o: dict[str, Any]) -> list[float]:
    pw = o["posWeight"]
    n = size_of(case.input.shape)
    if not isinstance(pw, list):
        return [float(pw)] * n
    classes, inner = sigmoid_axis_layout(case.input.shape, o["axis"])
    return [float(pw[(i // inner) % classes]) for i in range(n)]


# ---------------------------------------------------------------- mpmath


def sigmoid_element(x, raw: float, pw: float, o: dict[str, Any]):
    g = mpf(o["gamma"])
    s = mpf(o["labelSmoothing"])
    t = mpf(raw) * (1 - s) + s / 2
    a = o["alpha"]
    alpha_t = mpf(1) if a is None else mpf(a) * t + (1 - mpf(a)) * (1 - t)
    w = mpf(pw)
    with rm.working_digits([float(x)]):
        x = mpf(x)
        clipped = False
        if o["fromLogits"]:
            p = 1 / (1 + mp.exp(-x))
        else:
            eps = mpf(o["eps"])
            clipped = x < eps or x > 1 - eps
            p = eps if x < eps else (1 - eps if x > 1 - eps else x)
        q = 1 - p
        ce = -w * t * mp.log(p) - (1 - t) * mp.log(q)
        u = p * (1 - t) + q * t
        loss = alpha_t * u**g * ce
        focus = mpf(0) if g == 0 or u == 0 else g * u ** (g - 1)
        if o["fromLogits"]:
            grad = alpha_t * (focus * p * q * (1 - 2 * t) * ce + u**g * (p * (1 - t) - w * t * q))
        else:
            grad = mpf(0) if clipped else alpha_t * (focus * (1 - 2 * t) * ce + u**g * ((1 - t) / q - w * t / p))
        return +loss, +grad


def softmax_position(xs: list, t: list, o: dict[str, Any]):
    """(loss, [dL/dx_c]) of one position with normalizeProbabilities (probabilities divided by their sum)."""
    g = mpf(o["gamma"])
    classes = len(xs)
    a = o["alpha"]
    weights = [mpf(1)] * classes if a is None else ([mpf(v) for v in a] if isinstance(a, list) else [mpf(a)] * classes)
    xs = [mpf(x) for x in xs]
    total = mp.fsum(xs)
    r = [x / total for x in xs]
    eps = mpf(o["eps"])
    clipped = [v < eps or v > 1 - eps for v in r]
    p = [eps if v < eps else (1 - eps if v > 1 - eps else v) for v in r]
    q = [1 - v for v in p]
    loss = -mp.fsum(weights[c] * t[c] * q[c] ** g * mp.log(p[c]) for c in range(classes))

    def focus(c: int):
        return mpf(0) if g == 0 else g * q[c] ** (g - 1) * mp.log(p[c])

    dl_dp = [mpf(0) if clipped[c] else -weights[c] * t[c] * (q[c] ** g / p[c] - focus(c)) for c in range(classes)]
    inner = mp.fsum(dl_dp[c] * r[c] for c in range(classes))
    return +loss, [(dl_dp[j] - inner) / total for j in range(classes)]


def softmax_targets(case: Case, o: dict[str, Any], position: int) -> Optional[list]:
    lay = softmax_layout(case.input.shape, o["axis"])
    s = mpf(o["labelSmoothing"])
    if case.target.dtype == "int32":
        k = case.target.data[position]
        if o["ignoreIndex"] is not None and k == o["ignoreIndex"]:
            return None
        raw = [mpf(1) if c == k else mpf(0) for c in range(lay.classes)]
    else:
        raw = [mpf(case.target.data[lay.index(position, c)]) for c in range(lay.classes)]
    return [v * (1 - s) + s / lay.classes for v in raw]


def plain_case(case: Case, o: dict[str, Any]) -> Case:
    """The same call in contract 1.1 options (no preset, no new option): for softmax without normalisation."""
    names = ("gamma", "alpha", "reduction", "fromLogits", "labelSmoothing", "normalizer", "axis", "ignoreIndex")
    options = {k: o[k] for k in names}
    if not o["fromLogits"]:
        options["eps"] = o["eps"]
    return Case(case.name, case.op, options, case.input, case.target, case.weight)


def unreduced(case: Case, xs: list):
    """(loss shape, weighted losses, weighted gradients, counted) of the case at inputs xs."""
    o = resolved(case)
    weights = case.weight.data if case.weight is not None else None
    if case.op == SIGMOID:
        targets = dense_sigmoid_targets(case, o)
        pws = pos_weights(case, o)
        losses, grads, counted = [], [], 0
        for i, x in enumerate(xs):
            if targets[i] is None:
                losses.append(mpf(0))
                grads.append(mpf(0))
                continue
            counted += 1
            loss, grad = sigmoid_element(x, targets[i], pws[i], o)
            w = mpf(1) if weights is None else mpf(weights[i])
            losses.append(w * loss)
            grads.append(w * grad)
        return tuple(case.input.shape), losses, grads, counted
    if not o["normalizeProbabilities"] or o["fromLogits"]:
        u = rm.unreduced(plain_case(case, o), xs, with_grad=True)
        return u.loss_shape, u.losses, u.grads, u.counted
    lay = softmax_layout(case.input.shape, o["axis"])
    losses, grads, counted = [], [mpf(0)] * len(xs), 0
    for position in range(lay.positions):
        t = softmax_targets(case, o, position)
        if t is None:
            losses.append(mpf(0))
            continue
        counted += 1
        idx = [lay.index(position, c) for c in range(lay.classes)]
        loss, row = softmax_position([xs[i] for i in idx], t, o)
        w = mpf(1) if weights is None else mpf(weights[position])
        losses.append(w * loss)
        for i, gv in zip(idx, row):
            grads[i] = w * gv
    return lay.loss_shape(case.input.shape), losses, grads, counted


def scale_of(o: dict[str, Any], counted: int) -> mpf:
    if o["reduction"] != "mean":
        return mpf(1)
    if o["normalizer"] is not None:
        return 1 / mpf(o["normalizer"])
    return mpf(0) if counted == 0 else 1 / mpf(counted)


def evaluate(case: Case, xs: Optional[list] = None) -> rm.MpResult:
    o = resolved(case)
    shape, losses, grads, counted = unreduced(case, list(case.input.data) if xs is None else xs)
    scale = scale_of(o, counted)
    if o["reduction"] == "none":
        return rm.MpResult(shape, losses, [scale * g for g in grads])
    return rm.MpResult((), [scale * mp.fsum(losses) if losses else mpf(0)], [scale * g for g in grads])


def check_mp_diff(case: Case, result: rm.MpResult) -> bool:
    """The analytic gradient against mp.diff of the returned loss (summed for "none"), to 25 digits."""
    data = list(case.input.data)
    # |x| beyond 1000 (float16's 65504) leaves gradients below 1e-400 that mp.diff's step cannot resolve
    if len(data) > 64 or not data or any(abs(v) > 1000 for v in data):
        return False
    for k in range(len(data)):
        def local(v, k=k):
            return mp.fsum(evaluate(case, data[:k] + [v] + data[k + 1:]).loss)

        with rm.working_digits(data):
            numeric = mp.diff(local, mpf(data[k]))
        analytic = result.grad[k]
        bound = mpf("1e-40") if analytic == 0 else mpf("1e-25") * abs(analytic)
        if abs(numeric - analytic) > bound:
            raise AssertionError(f"{case.name}: gradient [{k}] analytic {rm.short(analytic)} vs mp.diff {rm.short(numeric)}")
    return True


# ---------------------------------------------------------------- torch float64 (autograd)


def t64(values, shape) -> torch.Tensor:
    return torch.tensor([float(v) for v in values], dtype=DTYPE).reshape(tuple(shape))


def reduce_torch(o: dict[str, Any], losses: torch.Tensor, counted: int) -> torch.Tensor:
    if o["reduction"] == "none":
        return losses
    total = losses.sum()
    if o["reduction"] == "sum":
        return total
    if o["normalizer"] is not None:
        return total / o["normalizer"]
    return total / counted if counted else total * 0.0


def result(label: str, returned: torch.Tensor, x: torch.Tensor) -> TorchResult:
    (grad,) = torch.autograd.grad(returned.sum(), x, allow_unused=True)
    grad = torch.zeros_like(x) if grad is None else grad
    loss = [float(v) for v in returned.detach().reshape(-1).tolist()]
    g = [float(v) for v in grad.reshape(-1).tolist()]
    return TorchResult(label, loss, g, [True] * len(loss), [True] * len(g))


def sigmoid_torch(case: Case) -> TorchResult:
    o = resolved(case)
    shape = case.input.shape
    x = t64(case.input.data, shape).requires_grad_(True)
    raw = dense_sigmoid_targets(case, o)
    keep = torch.tensor([v is not None for v in raw]).reshape(tuple(shape))
    s = float(o["labelSmoothing"])
    t = t64([0.0 if v is None else v for v in raw], shape) * (1 - s) + s / 2
    w = t64(pos_weights(case, o), shape)
    if o["fromLogits"]:
        p, q = torch.sigmoid(x), torch.sigmoid(-x)
        log_p, log_q = F.logsigmoid(x), F.logsigmoid(-x)
    else:
        from reference_torch import clipped_probabilities

        p, q, log_p, log_q = clipped_probabilities(x, float(o["eps"]))
    ce = -w * t * log_p - (1 - t) * log_q
    u = p * (1 - t) + q * t
    a = o["alpha"]
    alpha_t = 1.0 if a is None else a * t + (1 - a) * (1 - t)
    losses = torch.where(keep, alpha_t * u ** float(o["gamma"]) * ce, torch.zeros_like(ce))
    if case.weight is not None:
        losses = torch.where(keep, losses * t64(case.weight.data, shape), losses)
    returned = reduce_torch(o, losses, int(keep.sum()))
    return result(f"torch {torch.__version__} float64 implementation autograd", returned, x)


def softmax_normalized_torch(case: Case) -> TorchResult:
    o = resolved(case)
    lay = softmax_layout(case.input.shape, o["axis"])
    x = t64(case.input.data, case.input.shape).requires_grad_(True)
    xm = torch.movedim(x, lay.axis, -1)
    r = xm / xm.sum(-1, keepdim=True)
    from reference_torch import clipped_probabilities

    _, q, log_p, _ = clipped_probabilities(r, float(o["eps"]))
    loss_shape = lay.loss_shape(case.input.shape)
    s = float(o["labelSmoothing"])
    if case.target.dtype == "int32":
        k = torch.tensor(list(case.target.data), dtype=torch.long).reshape(loss_shape)
        ignore = o["ignoreIndex"]
        keep = torch.ones_like(k, dtype=torch.bool) if ignore is None else k != ignore
        t = F.one_hot(torch.where(keep, k, torch.zeros_like(k)), lay.classes).to(DTYPE)
        t = (t * (1 - s) + s / lay.classes) * keep.to(DTYPE).unsqueeze(-1)
        counted = int(keep.sum())
    else:
        t = torch.movedim(t64(case.target.data, case.input.shape), lay.axis, -1) * (1 - s) + s / lay.classes
        counted = lay.positions
    a = o["alpha"]
    aw = torch.ones(lay.classes, dtype=DTYPE) if a is None else (
        torch.tensor(a, dtype=DTYPE) if isinstance(a, list) else torch.full((lay.classes,), float(a), dtype=DTYPE))
    losses = -(aw * t * q ** float(o["gamma"]) * log_p).sum(-1)
    if case.weight is not None:
        losses = losses * t64(case.weight.data, loss_shape)
    returned = reduce_torch(o, losses, counted)
    return result(f"torch {torch.__version__} float64 implementation autograd", returned, x)


def torch_references(case: Case) -> list[TorchResult]:
    o = resolved(case)
    if case.op == SIGMOID:
        return [sigmoid_torch(case)] + [peer(case) for peer in PEER_TORCH.get(case.name, [])]
    if o["normalizeProbabilities"] and not o["fromLogits"]:
        return [softmax_normalized_torch(case)] + [peer(case) for peer in PEER_TORCH.get(case.name, [])]
    import reference_torch

    return reference_torch.evaluate(plain_case(case, o)) + [peer(case) for peer in PEER_TORCH.get(case.name, [])]


# ---------------------------------------------------------------- peers' own formulas in torch float64

PEER_TORCH: dict[str, list[Callable[[Case], TorchResult]]] = {}


def torchvision_peer(case: Case) -> TorchResult:
    """torchvision.ops.sigmoid_focal_loss itself (its own defaults where the case gives none)."""
    o = resolved(case)
    x = t64(case.input.data, case.input.shape).requires_grad_(True)
    t = t64(case.target.data, case.input.shape)
    kwargs: dict[str, Any] = {}
    if "alpha" in case.options:
        kwargs["alpha"] = -1.0 if o["alpha"] is None else float(o["alpha"])
    if "gamma" in case.options:
        kwargs["gamma"] = float(o["gamma"])
    if "reduction" in case.options:
        kwargs["reduction"] = o["reduction"]
    returned = torchvision_sigmoid_focal_loss(x, t, **kwargs)
    return result(f"torchvision {torchvision.__version__} ops.sigmoid_focal_loss float64 autograd", returned, x)


def retinanet_peer(case: Case) -> TorchResult:
    """Detectron2 RetinaNet: valid anchors (label >= 0), one-hot over C+1 minus background, fvcore's formula
    (= torchvision's, which copied it) with reduction "sum", divided by the normalizer when one is given."""
    o = resolved(case)
    rows, classes = case.input.shape
    x = t64(case.input.data, case.input.shape).requires_grad_(True)
    labels = torch.tensor(list(case.target.data), dtype=torch.long)
    valid = labels >= 0
    onehot = F.one_hot(labels[valid], classes + 1)[:, :-1].to(DTYPE)
    total = torchvision_sigmoid_focal_loss(x[valid], onehot, alpha=float(o["alpha"]), gamma=float(o["gamma"]),
                                           reduction="sum")
    returned = total / o["normalizer"] if o["reduction"] == "mean" else total
    return result("RetinaNet losses() with torchvision's copy of fvcore sigmoid_focal_loss float64 autograd",
                  returned, x)


def bce_pos_weight_peer(case: Case) -> TorchResult:
    """torch BCE-with-logits (pos_weight viewed on the class axis), which kornia's gamma 0 alpha None equals."""
    o = resolved(case)
    shape = case.input.shape
    x = t64(case.input.data, shape).requires_grad_(True)
    t = t64(case.target.data, shape)
    pw = o["posWeight"]
    classes, inner = sigmoid_axis_layout(shape, o["axis"])
    view = [1] * len(shape)
    view[o["axis"] % len(shape)] = classes
    pos = t64(pw if isinstance(pw, list) else [pw] * classes, [classes]).reshape(view)
    weight = None if case.weight is None else t64(case.weight.data, shape)
    returned = F.binary_cross_entropy_with_logits(x, t, weight=weight, pos_weight=pos, reduction=o["reduction"])
    return result(f"torch {torch.__version__} binary_cross_entropy_with_logits(pos_weight) float64 autograd",
                  returned, x)


def kornia_binary_peer(case: Case) -> TorchResult:
    """kornia's binary_focal_loss_with_logits formula (per-term weighting; equal to ours for 0/1 targets)."""
    o = resolved(case)
    shape = case.input.shape
    x = t64(case.input.data, shape).requires_grad_(True)
    raw = list(case.target.data)
    ignore = o["ignoreIndex"]
    mask = t64([0.0 if (ignore is not None and v == ignore) else 1.0 for v in raw], shape)
    t = t64([0.0 if (ignore is not None and v == ignore) else v for v in raw], shape)
    log_pos, log_neg = F.logsigmoid(x) * mask, F.logsigmoid(-x) * mask
    g = float(o["gamma"])
    pos = -log_neg.exp().pow(g) * t * log_pos
    neg = -log_pos.exp().pow(g) * (1 - t) * log_neg
    a = o["alpha"]
    if a is not None:
        pos, neg = a * pos, (1 - a) * neg
    pw = o["posWeight"]
    classes, _ = sigmoid_axis_layout(shape, o["axis"])
    view = [1] * len(shape)
    view[o["axis"] % len(shape)] = classes
    pos = t64(pw if isinstance(pw, list) else [pw] * classes, [classes]).reshape(view) * pos
    losses = pos + neg
    if o["reduction"] == "mean":
        raise ValueError("kornia's mean counts ignored elements: not a peer of our mean")
    returned = losses.sum() if o["reduction"] == "sum" else losses
    return result("kornia binary_focal_loss_with_logits formula in torch float64 autograd", returned, x)


def kornia_softmax_peer(case: Case) -> TorchResult:
    """kornia's focal_loss formula; its "none" output is per class (N, C, *): summed over the class axis here."""
    o = resolved(case)
    shape = case.input.shape
    x = t64(case.input.data, shape).requires_grad_(True)
    lay = softmax_layout(shape, 1)
    labels = torch.tensor(list(case.target.data), dtype=torch.long).reshape(lay.loss_shape(shape))
    mask = labels != o["ignoreIndex"]
    onehot = torch.movedim(F.one_hot(torch.where(mask, labels, torch.zeros_like(labels)), lay.classes), -1, 1).to(DTYPE)
    onehot = onehot * mask.unsqueeze(1).to(DTYPE)
    log_p = x.log_softmax(1)
    per_class = -torch.pow(1.0 - log_p.exp(), float(o["gamma"])) * log_p * onehot
    a = o["alpha"]
    view = [-1] + [1] * (len(shape) - 2)
    if a is not None:
        per_class = t64(a, [lay.classes]).reshape(view) * per_class
    returned = per_class.sum(1) if o["reduction"] == "none" else per_class.sum()
    return result("kornia focal_loss formula in torch float64 autograd (its per-class output summed over classes)",
                  returned, x)


def bce_peer(case: Case) -> TorchResult:
    """torch BCE-with-logits: what fvcore's and optax's tests equate the gamma-0 focal loss with."""
    o = resolved(case)
    x = t64(case.input.data, case.input.shape).requires_grad_(True)
    t = t64(case.target.data, case.input.shape)
    losses = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    a = o["alpha"]
    if a is not None:  # optax test_alpha_one: BCE * labels
        losses = losses * (a * t + (1 - a) * (1 - t))
    return result(f"torch {torch.__version__} binary_cross_entropy_with_logits float64 autograd",
                  reduce_torch(o, losses, losses.numel()), x)


# ---------------------------------------------------------------- peers' literal test values

# name -> (source, what is compared, expected values, tolerance description, check)
PEER_VALUES: dict[str, tuple[str, str, list[float], str, Callable[[float, float], bool]]] = {}


def places(n: int) -> Callable[[float, float], bool]:
    """unittest's assertAlmostEqual(places=n): round(a - b, n) == 0."""
    return lambda a, b: round(a - b, n) == 0


def allclose(rtol: float, atol: float) -> Callable[[float, float], bool]:
    return lambda a, b: abs(a - b) <= atol + rtol * abs(b)


def peer_values(name: str, source: str, what: str, values: Sequence[float], tol: str, check) -> None:
    PEER_VALUES[name] = (source, what, list(values), tol, check)


def compare_peer(case: Case, loss: list[float], grad: list[float]) -> Optional[str]:
    entry = PEER_VALUES.get(case.name)
    if entry is None:
        return None
    source, what, values, tol, check = entry
    if what == "loss":
        ours = loss
    elif what == "grad":
        ours = grad
    elif what.startswith("row-means:"):  # Keras reduction=None of BinaryFocalCrossentropy: mean over the last axis
        width = int(what.split(":")[1])
        ours = [sum(loss[i:i + width]) / width for i in range(0, len(loss), width)]
    elif what.startswith("loss+grad"):
        ours = loss + grad
    else:
        raise ValueError(what)
    if len(ours) != len(values) or not all(check(a, b) for a, b in zip(ours, values)):
        raise crosscheck.Disagreement(f"{case.name}: ours {ours} vs {source} {values} ({tol})")
    shown = ", ".join(f"{v:g}" for v in values)
    return f"reproduces {source}: {what.split(':')[0]} {shown} ({tol})"


# ---------------------------------------------------------------- fixtures






NOTES: dict[str, str] = {}


def presets_fixture(case: Case) -> dict[str, Any]:
    if case.error:
        return error_fixture(case)
    mp_result = evaluate(case)
    diffed = check_mp_diff(case, mp_result)
    loss = [rm.to_double(v) for v in mp_result.loss]
    grad = [rm.to_double(v) for v in mp_result.grad]
    phrases = crosscheck.cross_check(case.name, loss, grad, torch_references(case))
    peer = compare_peer(case, loss, grad)
    text = f"mpmath {rm.version()} ({rm.DIGITS} digits, analytic gradient" + (", checked against mp.diff)" if diffed else ")")
    parts = [text, *phrases] + ([peer] if peer else []) + ([NOTES[case.name]] if case.name in NOTES else [])
    return {
        "format": FORMAT,
        "name": case.name,
        "op": case.op,
        "reference": "; ".join(parts),
        "options": case.options,
        "inputs": inputs_json(case),
        "expected": {
            "loss": {"shape": list(mp_result.loss_shape), "data": loss},
            "gradInput": {"shape": list(case.input.shape), "data": grad},
        },
        "tolerance": {"loss": output_tolerance(GROUP, loss), "gradInput": output_tolerance(GROUP, grad)},
    }


def register(cases: list[Case], build: Callable[[Case], dict]) -> tuple[list[Case], Callable[[Case], dict]]:
    """generate.py's one line: adds the presets cases, and builds them here (every other case as before)."""
    mine = all_cases()
    names = {c.name for c in mine}

    def build_with_presets(case: Case) -> dict[str, Any]:
        return presets_fixture(case) if case.name in names else build(case)

    return cases + mine, build_with_presets


# ---------------------------------------------------------------- case builders


def name(leaf: str) -> str:
    return f"{GROUP}/{leaf}"


def sig(leaf: str, shape, x, t, weight=None, int_targets=False, target_shape=None, **options) -> Case:
    target = i32(target_shape or shape, t) if int_targets else f32(shape, t)
    return Case(name(leaf), SIGMOID, options, f32(shape, x), target, None if weight is None else f32(shape, weight))


def smx(leaf: str, shape, x, target: Tensor, weight=None, **options) -> Case:
    weight_tensor = None
    if weight is not None:
        axis = resolved(Case("", SOFTMAX, options, f32([0], []), f32([0], [])))["axis"]
        weight_tensor = f32(softmax_layout(shape, axis).loss_shape(shape), weight)
    return Case(name(leaf), SOFTMAX, options, f32(shape, x), target, weight_tensor)


def err(leaf: str, op: str, code: str, rule: str, shape=(2, 3), x=None, t=None, target: Optional[Tensor] = None,
        **options) -> Case:
    n = size_of(shape)
    x = x if x is not None else [0.5, -1.0, 2.0, 0.0, 1.0, -0.5][:n] + [0.25] * max(0, n - 6)
    if target is None:
        target = f32(shape, t if t is not None else [1.0, 0.0, 0.0, 0.0, 1.0, 0.0][:n] + [0.0] * max(0, n - 6))
    case = Case(name(leaf), op, options, f32(shape, x), target, None, code, rule)
    case.error_tolerance = False
    return case


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def rows(data: Sequence[Sequence[float]]) -> list[float]:
    return [float(v) for row in data for v in row]


def expand_rows(weights: Sequence[float], width: int) -> list[float]:
    return [float(w) for w in weights for _ in range(width)]


# ---------------------------------------------------------------- cases per library


def torchvision_cases() -> list[Case]:
    lib = "torchvision"
    out = []
    # the ranges of torchvision's TestFocalLoss._generate_diverse_input_target_pair: probabilities small (0, 0.2)
    # or big (0.8, 1) against zeros, ones and random binary targets
    g = rng("torchvision-diverse", "input")
    ps, ts = [], []
    for lo, hi in ((0.0, 0.2), (0.8, 1.0)):
        for kind in ("zeros", "ones", "binary"):
            for _ in range(4):
                ps.append(float(g.uniform(lo + 0.005, hi - 0.005)))
                ts.append(0.0 if kind == "zeros" else 1.0 if kind == "ones" else float(g.integers(0, 2)))
    xs = snap(__import__("numpy").array([logit(p) for p in ps]), 1 / 64)
    out.append(sig("torchvision/defaults-diverse", [12, 2], xs, ts, preset=lib))
    out.append(sig("torchvision/mean", [12, 2], xs, ts, preset=lib, reduction="mean"))
    out.append(sig("torchvision/sum-gamma-0-alpha-off", [12, 2], xs, ts, preset=lib, reduction="sum", gamma=0, alpha=None))
    n = 12
    out.append(sig("torchvision/soft-targets-alpha-half", [3, 4], logits("tv-soft", n), soft("tv-soft", n), preset=lib,
                   alpha=0.5, gamma=1.5))
    for c in out:
        PEER_TORCH[c.name] = [torchvision_peer]
        NOTES[c.name] = f"preset torchvision: {SOURCES['torchvision']} (defaults alpha 0.25, gamma 2, reduction \"none\")"
    return out


def keras_cases() -> list[Case]:
    lib = "keras"
    src = "keras losses_test.py"
    out = []
    # BinaryFocalCrossentropy
    yt = [1, 0, 1, 0]
    yp = [0.9, 0.8, 0.7, 0.2]
    out.append(sig("keras/binary-unweighted", [2, 2], yp, yt, preset=lib))
    peer_values(out[-1].name, f"{src} BinaryFocalCrossentropyTest.test_unweighted", "loss", [0.268], "3 places", places(3))
    lt = [1, 1, 0, 0, 1, 0]
    lx = [1.5, -2.7, 2.9, -3.8, 1.2, -4.5]
    out.append(sig("keras/binary-logits", [2, 3], lx, lt, preset=lib, gamma=3, fromLogits=True))
    peer_values(out[-1].name, f"{src} test_unweighted (logits)", "loss", [0.799], "3 places", places(3))
    out.append(sig("keras/binary-scalar-weight", [2, 2], yp, yt, weight=[1.23] * 4, preset=lib))
    peer_values(out[-1].name, f"{src} test_scalar_weighted", "loss", [0.3296], "3 places", places(3))
    out.append(sig("keras/binary-logits-scalar-weight", [2, 3], lx, lt, weight=[3.21] * 6, preset=lib, gamma=3,
                   fromLogits=True))
    peer_values(out[-1].name, f"{src} test_scalar_weighted (logits)", "loss", [2.565], "3 places", places(3))
    out.append(sig("keras/binary-sample-weight", [2, 2], yp, yt, weight=expand_rows([1.2, 3.4], 2), preset=lib))
    peer_values(out[-1].name, f"{src} test_sample_weighted", "loss", [0.34415], "3 places", places(3))
    out.append(sig("keras/binary-logits-sample-weight", [2, 3], lx, lt, weight=expand_rows([1.2, 3.4], 3), preset=lib,
                   gamma=3, fromLogits=True))
    peer_values(out[-1].name, f"{src} test_sample_weighted (logits)", "loss", [0.95977], "3 places", places(3))
    out.append(sig("keras/binary-no-reduction", [2, 2], yp, yt, preset=lib, reduction="none"))
    peer_values(out[-1].name, f"{src} test_no_reduction (Keras returns the mean over the last axis)", "row-means:2",
                [0.515547, 0.020513], "assertAllClose rtol 1e-6 atol 1e-6 on our row means", allclose(1e-6, 1e-6))
    out.append(sig("keras/binary-all-correct", [3, 3], rows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
                   rows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), preset=lib, gamma=1.5))
    peer_values(out[-1].name, f"{src} test_all_correct_unweighted", "loss", [0.0], "3 places", places(3))
    dx = [-18.6, 0.51, 2.94, -12.8]
    dt = [0, 1, 0, 0]
    doc = "keras losses.py BinaryFocalCrossentropy docstring"
    out.append(sig("keras/binary-docstring-gamma-2", [4], dx, dt, preset=lib, fromLogits=True))
    peer_values(out[-1].name, f"{doc} example 1", "loss", [0.691], "3 places", places(3))
    out.append(sig("keras/binary-docstring-class-balancing", [4], dx, dt, preset=lib, fromLogits=True, alpha=0.25))
    peer_values(out[-1].name, f"{doc} example 1, apply_class_balancing=True (= our alpha 0.25)", "loss", [0.51],
                "2 places", places(2))
    out.append(sig("keras/binary-docstring-gamma-3-class-balancing-weight", [2, 2], dx, dt,
                   weight=expand_rows([0.8, 0.2], 2), preset=lib, fromLogits=True, alpha=0.25, gamma=3))
    peer_values(out[-1].name, f"{doc} example 2, apply_class_balancing=True, sample_weight [0.8, 0.2]", "loss", [0.097],
                "3 places", places(3))
    out.append(sig("keras/binary-docstring-sum-of-row-means", [2, 2], dx, dt, preset=lib, fromLogits=True, gamma=4,
                   normalizer=2))
    peer_values(out[-1].name, f"{doc} example 2, reduction \"sum\" (a sum of row means = our mean with normalizer 2)",
                "loss", [1.222], "3 places", places(3))
    # CategoricalFocalCrossentropy
    eye = rows([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    cp = rows([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])
    cx = rows([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
    out.append(smx("keras/categorical-unweighted", [3, 3], cp, f32([3, 3], eye), preset=lib))
    peer_values(out[-1].name, f"{src} CategoricalFocalCrossentropyTest.test_unweighted (row 2 sums to 1.99)", "loss",
                [0.02059], "3 places", places(3))
    out.append(smx("keras/categorical-unweighted-index-targets", [3, 3], cp, i32([3], [0, 1, 2]), preset=lib))
    peer_values(out[-1].name, f"{src} test_unweighted, one-hot rows as int32 class indices", "loss", [0.02059],
                "3 places", places(3))
    out.append(smx("keras/categorical-logits", [3, 3], cx, f32([3, 3], eye), preset=lib, fromLogits=True))
    peer_values(out[-1].name, f"{src} test_unweighted (logits)", "loss", [0.000345], "3 places", places(3))
    out.append(smx("keras/categorical-scalar-weight", [3, 3], cp, f32([3, 3], eye), weight=[2.3] * 3, preset=lib))
    peer_values(out[-1].name, f"{src} test_scalar_weighted", "loss", [0.047368], "3 places", places(3))
    out.append(smx("keras/categorical-logits-scalar-weight", [3, 3], cx, f32([3, 3], eye), weight=[2.3] * 3, preset=lib,
                   fromLogits=True))
    peer_values(out[-1].name, f"{src} test_scalar_weighted (logits)", "loss", [0.000794], "4 places", places(4))
    out.append(smx("keras/categorical-sample-weight", [3, 3], cp, f32([3, 3], eye), weight=[1.2, 3.4, 5.6], preset=lib))
    peer_values(out[-1].name, f"{src} test_sample_weighted", "loss", [0.06987], "3 places", places(3))
    out.append(smx("keras/categorical-logits-sample-weight", [3, 3], cx, f32([3, 3], eye), weight=[1.2, 3.4, 5.6],
                   preset=lib, fromLogits=True))
    peer_values(out[-1].name, f"{src} test_sample_weighted (logits)", "loss", [0.001933], "3 places", places(3))
    out.append(smx("keras/categorical-no-reduction", [3, 3], cx, f32([3, 3], eye), preset=lib, fromLogits=True,
                   reduction="none"))
    peer_values(out[-1].name, f"{src} test_no_reduction", "loss", [1.5096224e-09, 2.4136547e-11, 1.0360638e-03],
                "assertAllClose rtol 1e-6 atol 1e-6", allclose(1e-6, 1e-6))
    out.append(smx("keras/categorical-label-smoothing", [1, 3], [4.9, -0.5, 2.05], f32([1, 3], [1, 0, 0]), preset=lib,
                   fromLogits=True, labelSmoothing=0.1))
    peer_values(out[-1].name, f"{src} test_label_smoothing", "loss", [0.06685], "3 places", places(3))
    out.append(smx("keras/categorical-all-correct", [3, 3], eye, f32([3, 3], eye), preset=lib))
    peer_values(out[-1].name, f"{src} test_all_correct_unweighted", "loss", [0.0], "3 places", places(3))
    dp = rows([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    dtg = f32([2, 3], rows([[0, 1, 0], [0, 0, 1]]))
    cdoc = "keras losses.py CategoricalFocalCrossentropy docstring"
    out.append(smx("keras/categorical-docstring-mean", [2, 3], dp, dtg, preset=lib))
    peer_values(out[-1].name, cdoc, "loss", [0.23315276], "rtol 1e-6", allclose(1e-6, 0))
    out.append(smx("keras/categorical-docstring-sum", [2, 3], dp, dtg, preset=lib, reduction="sum"))
    peer_values(out[-1].name, cdoc, "loss", [0.46631], "5 places", places(5))
    out.append(smx("keras/categorical-docstring-none", [2, 3], dp, dtg, preset=lib, reduction="none"))
    peer_values(out[-1].name, cdoc, "loss", [3.2058331e-05, 4.6627346e-01], "rtol 1e-6", allclose(1e-6, 0))
    out.append(smx("keras/categorical-docstring-weight", [2, 3], dp, dtg, weight=[0.3, 0.7], preset=lib))
    peer_values(out[-1].name, cdoc, "loss", [0.1632], "4 places", places(4))
    # An explicit option wins over the preset: Keras' categorical loss without its row normalisation.
    out.append(smx("keras/categorical-without-normalization", [3, 3], cp, f32([3, 3], eye), preset=lib,
                   normalizeProbabilities=False))
    for c in out:
        NOTES.setdefault(c.name, f"preset keras: {SOURCES['keras']}")
    return out


MMCV_INPUTS = [
    ([[1.0, 0.0], [0.0, 1.0]], [0, 1]),
    ([[1.0, 0.0, -1.0], [0.0, 1.0, 2.0]], [2, 1]),
    ([[1e-6, 2e-6, 3e-6], [4e-6, 5e-5, 6e-4], [7e-3, 8e-2, 9e-1]], [1, 2, 0]),
]
MMCV_SIGMOID = [
    (0.13562961, [[-0.00657264, 0.11185755], [0.11185755, -0.00657264]]),
    (1.10251057, [[0.28808805, 0.11185755, -0.09602935], [0.11185755, -0.00657264, 0.40376765]]),
    (0.42287254, [[0.07457182, -0.02485716, 0.07457201], [0.07457211, 0.07457669, -0.02483728],
                  [-0.02462499, 0.08277918, 0.18050370]]),
]
MMCV_SOFTMAX = [
    (0.00566451, [[-0.00657264, 0.00657264], [0.00657264, -0.00657264]]),
    (0.34956908, [[0.10165970, 0.03739851, -0.13905823], [0.01227554, -0.10298023, 0.09070466]]),
    (0.15754992, [[0.02590877, -0.05181759, 0.02590882], [0.02589641, 0.02589760, -0.05179400],
                  [-0.07307514, 0.02234372, 0.05073142]]),
]


def mmdet_cases() -> list[Case]:
    lib = "mmdet"
    out = []
    src = "mmcv tests/test_ops/test_focal_loss.py"
    for k, ((x, labels), (sl, sg), (fl, fg)) in enumerate(zip(MMCV_INPUTS, MMCV_SIGMOID, MMCV_SOFTMAX), 1):
        n_rows, classes = len(x), len(x[0])
        # mmcv's op divides its "mean" by the number of rows N; mmdet's FocalLoss by N * C: normalizer N here.
        out.append(sig(f"mmdet/mmcv-sigmoid-case-{k}", [n_rows, classes], rows(x), labels, int_targets=True,
                       target_shape=[n_rows], preset=lib, normalizer=n_rows))
        peer_values(out[-1].name, f"{src} sigmoid_outputs[{k - 1}]", "loss+grad", [sl, *rows(sg)],
                    "np.allclose rtol 1e-2", allclose(1e-2, 1e-8))
        out.append(smx(f"mmdet/mmcv-softmax-case-{k}", [n_rows, classes], rows(x), i32([n_rows], labels), preset=lib))
        peer_values(out[-1].name, f"{src} softmax_outputs[{k - 1}]", "loss+grad", [fl, *rows(fg)],
                    "np.allclose rtol 1e-2", allclose(1e-2, 1e-8))
    n_rows, classes = 6, 4
    labels = [0, 4, 2, 4, 3, 1]  # 4 = C = background
    out.append(sig("mmdet/background-label", [n_rows, classes], logits("mmdet-bg", 24), labels, int_targets=True,
                   target_shape=[n_rows], preset=lib))
    NOTES[out[-1].name] = f"preset mmdet: {SOURCES['mmdet']}; label {classes} = C is background (all negatives)"
    out.append(sig("mmdet/background-label-avg-factor", [n_rows, classes], logits("mmdet-bg", 24), labels,
                   int_targets=True, target_shape=[n_rows], weight=expand_rows([1, 0.5, 2, 1, 0, 1], classes),
                   preset=lib, normalizer=4))
    NOTES[out[-1].name] = (f"preset mmdet: {SOURCES['mmdet']}; avg_factor 4 (the positive anchors) = our normalizer, "
                           "per-anchor weights broadcast over the classes")
    for c in out:
        NOTES.setdefault(c.name, f"preset mmdet; values of {SOURCES['mmcv']} (mmcv's mean divides by the N rows: "
                                 "normalizer N for sigmoid; softmax positions are the rows)")
    return out


def detectron2_cases() -> list[Case]:
    lib = "detectron2"
    out = []
    anchors, classes = 8, 3
    labels = [0, 3, -1, 2, 3, 1, -1, 3]  # -1 ignored anchor, 3 = C background
    xs = logits("d2-retina", anchors * classes)
    out.append(sig("detectron2/retinanet-sum", [anchors, classes], xs, labels, int_targets=True, target_shape=[anchors],
                   preset=lib))
    out.append(sig("detectron2/retinanet-normalized", [anchors, classes], xs, labels, int_targets=True,
                   target_shape=[anchors], preset=lib, reduction="mean", normalizer=3))
    for c in out:
        PEER_TORCH[c.name] = [retinanet_peer]
        NOTES[c.name] = (f"preset detectron2: {SOURCES['detectron2']} (label -1 ignored, label C background, "
                         "alpha 0.25 gamma 2 from the RetinaNet config, reduction \"sum\"; loss_cls / normalizer = "
                         "our mean with normalizer)")
    # fvcore's own tests: gamma 0, alpha -1 (None) equal BCE-with-logits
    fv = []
    p1 = [0.05, 0.9, 0.52, 0.45, 0.89, 0.8, 0.39, 0.5]
    fv.append(sig("detectron2/fvcore-gamma-0-equals-bce-mean", [4, 2], [logit(p) for p in p1],
                  [1, 0, 1, 0, 1, 1, 0, 1], preset=lib, gamma=0, alpha=None, reduction="mean", ignoreIndex=None))
    p2 = [0.05, 0.12, 0.89, 0.79]
    fv.append(sig("detectron2/fvcore-gamma-0-equals-bce-sum", [4], [logit(p) for p in p2], [1, 1, 0, 0], preset=lib,
                  gamma=0, alpha=None))
    p3 = [0.95, 0.55, 0.12, 0.05, 0.09, 0.95, 0.36, 0.11, 0.06, 0.12, 0.56, 0.07, 0.09, 0.15, 0.25, 0.45]
    eye4 = [1.0 if i % 5 == 0 else 0.0 for i in range(16)]
    fv.append(sig("detectron2/fvcore-multi-class-equals-bce", [1, 4, 4], [logit(p) for p in p3], eye4, preset=lib,
                  gamma=0, alpha=None, reduction="mean"))
    for c in fv:
        PEER_TORCH[c.name] = [bce_peer]
        NOTES[c.name] = f"preset detectron2; relation of {SOURCES['fvcore']}: gamma 0, alpha -1 = BCE-with-logits"
    out += fv
    neg = sig("detectron2/fvcore-alpha-1-negatives-zero", [4], [logit(p) for p in p2], [1, 1, 0, 0], preset=lib,
              alpha=1, reduction="none")
    NOTES[neg.name] = f"preset detectron2; {SOURCES['fvcore']} test_negatives_ignored_focal_loss: loss 0 where t = 0"
    out.append(neg)
    return out


def kornia_cases() -> list[Case]:
    lib = "kornia"
    out = []
    out.append(sig("kornia/numeric-stability", [1, 2], [100.0, -100.0], [1, 0], preset=lib))
    peer_values(out[-1].name, "kornia tests/losses/test_focal_loss.py test_numeric_stability", "loss", [0.0, 0.0],
                "assert_close (rtol 1e-5 atol 1e-5 for float32)", allclose(1e-5, 1e-5))
    shape = [2, 3, 2]
    n = 12
    g = rng("kornia-bce", "input")
    xs = snap(g.uniform(0, 1, n), 1 / 256)  # torch.rand logits, as kornia's test
    ts = snap(g.uniform(0, 1, n), 1 / 256)
    for reduction in ("none", "mean", "sum"):
        out.append(sig(f"kornia/gamma-0-equals-bce-{reduction}", shape, xs, ts, preset=lib, alpha=None, gamma=0,
                       reduction=reduction))
        PEER_TORCH[out[-1].name] = [bce_pos_weight_peer]
    g = rng("kornia-pw", "input")
    xs2 = snap(g.uniform(0, 1, n), 1 / 256)
    ts2 = snap(g.uniform(0, 1, n), 1 / 256)
    out.append(sig("kornia/gamma-0-pos-weight-equals-bce", shape, xs2, ts2, preset=lib, alpha=None, gamma=0,
                   reduction="sum", posWeight=[1, 2, 5]))
    PEER_TORCH[out[-1].name] = [bce_pos_weight_peer]
    bx = logits("kornia-focal-pw", n)
    bt = binary("kornia-focal-pw", n)
    out.append(sig("kornia/pos-weight-focal", shape, bx, bt, preset=lib, alpha=0.8, gamma=0.5, posWeight=[1, 2, 5]))
    PEER_TORCH[out[-1].name] = [kornia_binary_peer]
    it = [-100.0 if k % 4 == 1 else v for k, v in enumerate(bt)]
    out.append(sig("kornia/ignore-index-sum", shape, bx, it, preset=lib, reduction="sum"))
    PEER_TORCH[out[-1].name] = [kornia_binary_peer]
    out.append(sig("kornia/ignore-index-none", shape, bx, it, preset=lib))
    PEER_TORCH[out[-1].name] = [kornia_binary_peer]
    out.append(sig("kornia/ignore-index-mean-not-counted", shape, bx, it, preset=lib, reduction="mean"))
    NOTES[out[-1].name] = ("preset kornia with reduction \"mean\": ignored elements are not counted (kornia's "
                           "torch.mean counts them, see docs/coming-from.md)")
    # focal_loss (softmax): NCHW, class axis 1, int targets with -100 ignored; kornia's scalar alpha 0.8 means
    # class weights [0.2, 0.8, 0.8]
    sshape = [2, 3, 3, 2]
    positions = 12
    labels = [int(v) for v in rng("kornia-softmax", "target").integers(0, 3, positions)]
    labels = [-100 if k % 5 == 2 else v for k, v in enumerate(labels)]
    out.append(smx("kornia/focal-loss-ignore-index", sshape, logits("kornia-softmax", 36), i32([2, 3, 2], labels),
                   preset=lib, alpha=[0.2, 0.8, 0.8], gamma=0.5))
    PEER_TORCH[out[-1].name] = [kornia_softmax_peer]
    out.append(smx("kornia/focal-loss-sum", sshape, logits("kornia-softmax-2", 36), i32([2, 3, 2], labels), preset=lib,
                   alpha=[0.75, 0.25, 0.25], reduction="sum"))
    PEER_TORCH[out[-1].name] = [kornia_softmax_peer]
    for c in out:
        NOTES.setdefault(c.name, f"preset kornia: {SOURCES['kornia']}")
    return out


def optax_cases() -> list[Case]:
    lib = "optax"
    out = []
    ys = [2.0, 0.1, -2.0, 0.3, -0.1, 1.2]
    ts = [0, 0, 1, 1, 0, 0]
    out.append(sig("optax/gamma-0-equals-bce", [2, 3], ys, ts, preset=lib, gamma=0))
    PEER_TORCH[out[-1].name] = [bce_peer]
    out.append(sig("optax/alpha-one-gamma-0-equals-bce-times-labels", [2, 3], ys, ts, preset=lib, gamma=0, alpha=1))
    PEER_TORCH[out[-1].name] = [bce_peer]
    out.append(sig("optax/scale", [2, 3], ys, ts, preset=lib))
    out.append(sig("optax/alpha-zero-positives-zero", [2, 3], ys, ts, preset=lib, alpha=0))
    out.append(sig("optax/large-logits-alpha-half", [4], [logit(p) for p in (0.9, 0.98, 0.3, 0.99)], [1, 1, 1, 1],
                   preset=lib, alpha=0.5))
    out.append(sig("optax/small-logits", [4], [logit(p) for p in (0.1, 0.02, 0.09, 0.15)], [1, 1, 1, 1], preset=lib))
    out.append(sig("optax/extreme-logits-gamma-half-soft-labels", [6], [100.0, -100.0, 75.0, -75.0, 50.0, -50.0],
                   [0.9, 0.1, 0.8, 0.2, 1.0, 0.0], preset=lib, gamma=0.5))
    for c in out:
        NOTES.setdefault(c.name, f"preset optax: {SOURCES['optax']} (relations of its SigmoidFocalLossTest)")
    return out


# ---------------------------------------------------------------- the new options without a preset


def option_cases() -> list[Case]:
    out = []
    n = 12
    x = logits("opt-pw", n)
    t = binary("opt-pw", n)
    out.append(sig("options/pos-weight-scalar", [4, 3], x, t, posWeight=3))
    out.append(sig("options/pos-weight-per-class", [4, 3], x, t, posWeight=[0.5, 2, 4], reduction="none"))
    out.append(sig("options/pos-weight-per-class-axis-1", [2, 3, 2], x, soft("opt-pw-soft", n), posWeight=[0.5, 2, 4],
                   axis=1, labelSmoothing=0.1))
    out.append(sig("options/pos-weight-probabilities", [4, 3], probabilities("opt-pw-p", n), t, posWeight=2.5,
                   fromLogits=False, gamma=1.5))
    out.append(sig("options/pos-weight-zero", [4, 3], x, t, posWeight=0, alpha=None, reduction="sum"))
    ig = [-1.0 if k % 3 == 0 else v for k, v in enumerate(soft("opt-ig", n))]
    out.append(sig("options/sigmoid-ignore-index-mean", [4, 3], x, ig, ignoreIndex=-1))
    out.append(sig("options/sigmoid-ignore-index-weights", [4, 3], x, ig,
                   weight=[float("nan") if k % 3 == 0 else 0.5 + k / 16 for k in range(n)], ignoreIndex=-1,
                   reduction="sum"))
    out.append(sig("options/sigmoid-ignore-index-int32", [4, 3], x, [255 if k % 4 == 0 else int(v) for k, v in enumerate(t)],
                   int_targets=True, ignoreIndex=255, reduction="none"))
    out.append(sig("options/sigmoid-ignore-index-all-ignored", [2, 2], [0.5, -1.0, 2.0, 0.0], [7, 7, 7, 7],
                   int_targets=True, ignoreIndex=7))
    out.append(sig("options/sigmoid-ignore-index-inside-range", [4, 3], x, t, ignoreIndex=0, reduction="sum"))
    labels = [0, 3, 1, 2, 3, 0]
    out.append(sig("options/sigmoid-class-index", [6, 3], logits("opt-ci", 18), labels, int_targets=True,
                   target_shape=[6]))
    out.append(sig("options/sigmoid-class-index-none-smoothing", [6, 3], logits("opt-ci", 18), labels, int_targets=True,
                   target_shape=[6], reduction="none", labelSmoothing=0.2, posWeight=[1, 2, 3]))
    nl = [int(v) for v in rng("opt-ci-nchw", "target").integers(0, 4, 8)]
    nl[3] = -1
    out.append(sig("options/sigmoid-class-index-nchw-ignore", [2, 3, 2, 2], logits("opt-ci-nchw", 24), nl,
                   int_targets=True, target_shape=[2, 2, 2], axis=1, ignoreIndex=-1,
                   weight=[0.25 * (k % 5) for k in range(24)]))
    out.append(sig("options/sigmoid-class-index-probabilities", [3, 4], probabilities("opt-ci-p", 12), [4, 0, 2],
                   int_targets=True, target_shape=[3], fromLogits=False))
    rp = snap(rng("opt-norm", "input").uniform(0.05, 2.0, 12), 1 / 256)
    out.append(smx("options/normalize-probabilities", [4, 3], rp, i32([4], [0, 2, 1, 1]), normalizeProbabilities=True,
                   fromLogits=False))
    out.append(smx("options/normalize-probabilities-clipped", [3, 3], [0.0, 2.0, 1e-9, 0.5, 0.5, 0.0, 3.0, 1.0, 1.0],
                   i32([3], [1, 0, 2]), normalizeProbabilities=True, fromLogits=False, reduction="none"))
    out.append(smx("options/normalize-probabilities-soft-alpha-axis-0", [3, 4], snap(rng("opt-norm-s", "input").uniform(
        0.05, 1.0, 12), 1 / 256), f32([3, 4], soft_columns("opt-norm-s", 4, 3)), axis=0, alpha=[0.2, 0.5, 0.3],
        normalizeProbabilities=True, fromLogits=False, gamma=0.5, labelSmoothing=0.1, weight=[1, 0.5, 2, 0.25]))
    out.append(smx("options/normalize-probabilities-ignore-index", [4, 3], rp, i32([4], [0, -100, 1, 2]),
                   normalizeProbabilities=True, fromLogits=False, ignoreIndex=-100, gamma=0))
    out.append(smx("options/normalize-probabilities-false", [4, 3], rp[:12], i32([4], [0, 2, 1, 1]),
                   normalizeProbabilities=False, fromLogits=False, eps=1e-4))
    return out


def soft_columns(seed: str, positions: int, classes: int) -> list[float]:
    """Soft target distributions laid out with the class axis first ([C, positions])."""
    g = rng(seed, "target")
    cols = []
    for _ in range(positions):
        raw = g.uniform(0.0, 1.0, classes) ** 2
        cols.append(snap(raw / raw.sum(), 1 / 256))
    return [cols[p][c] for c in range(classes) for p in range(positions)]


def error_cases() -> list[Case]:
    E = "INVALID_OPTION"
    S = "SHAPE_MISMATCH"
    T = "INVALID_TARGET"
    ci = i32([2], [0, 3])
    return [
        err("errors/preset-unknown", SIGMOID, E, "preset is one of the six names", preset="pytorch"),
        err("errors/preset-not-a-string", SIGMOID, E, "preset is a string", preset=1),
        err("errors/preset-null", SOFTMAX, E, "preset is a string (leave it out for none)", preset=None),
        err("errors/preset-torchvision-softmax", SOFTMAX, E, "a preset whose library has no softmax focal loss",
            preset="torchvision"),
        err("errors/preset-optax-softmax", SOFTMAX, E, "a preset whose library has no softmax focal loss", preset="optax"),
        err("errors/normalize-probabilities-not-boolean", SOFTMAX, E, "normalizeProbabilities is a boolean",
            normalizeProbabilities=1, fromLogits=False),
        err("errors/normalize-probabilities-with-logits", SOFTMAX, E,
            "normalizeProbabilities true only with fromLogits false (no effect on logits)", normalizeProbabilities=True),
        err("errors/normalize-probabilities-keras-logits", SOFTMAX, E,
            "an explicit normalizeProbabilities true with fromLogits true, also under preset keras",
            preset="keras", fromLogits=True, normalizeProbabilities=True),
        err("errors/normalize-probabilities-sigmoid", SIGMOID, E, "normalizeProbabilities is not a sigmoid option",
            normalizeProbabilities=True, fromLogits=False),
        err("errors/pos-weight-negative", SIGMOID, E, "posWeight is a finite number >= 0", posWeight=-1),
        err("errors/pos-weight-infinite", SIGMOID, E, "posWeight is a finite number >= 0", posWeight="Infinity"),
        err("errors/pos-weight-string", SIGMOID, E, "posWeight is a number or an array of numbers", posWeight="2"),
        err("errors/pos-weight-array-entry", SIGMOID, E, "posWeight arrays hold numbers >= 0", posWeight=[1, None, 2]),
        err("errors/pos-weight-length", SIGMOID, S, "a per-class posWeight has one entry per class along axis",
            posWeight=[1, 2]),
        err("errors/pos-weight-softmax", SOFTMAX, E, "posWeight is not a softmax option", posWeight=2),
        err("errors/sigmoid-ignore-index-fraction", SIGMOID, E, "sigmoid ignoreIndex is an int32 integer or null",
            ignoreIndex=1.5),
        err("errors/sigmoid-ignore-index-too-large", SIGMOID, E, "sigmoid ignoreIndex is an int32 integer or null",
            ignoreIndex=4294967297),
        err("errors/sigmoid-axis-fraction", SIGMOID, E, "sigmoid axis is an integer", axis=0.5),
        err("errors/sigmoid-float-target-not-ignored", SIGMOID, T,
            "a float target outside [0, 1] that is not ignoreIndex", t=[1.0, -1.0, 0.0, 0.0, 1.0, -2.0], ignoreIndex=-1),
        err("errors/sigmoid-class-index-above-background", SIGMOID, T, "a class index outside [0, C] (C = background)",
            target=i32([2], [0, 4])),
        err("errors/sigmoid-class-index-negative", SIGMOID, T, "a class index outside [0, C] that is not ignoreIndex",
            target=i32([2], [-1, 3])),
        err("errors/sigmoid-class-index-float", SIGMOID, S,
            "float sigmoid targets have the input's shape (class indices are int32)", target=f32([2], [0, 3])),
        err("errors/sigmoid-class-index-axis-out-of-range", SIGMOID, S, "the class axis exists", target=ci, axis=2),
        err("errors/sigmoid-class-index-wrong-shape", SIGMOID, S, "class-index targets have the input's shape without "
            "the class axis", target=i32([3], [0, 1, 2])),
        err("errors/order-preset-before-shape", SIGMOID, E, "options (step 2) before shapes (step 5)", preset="pytorch",
            target=f32([3], [0, 1, 0])),
        err("errors/order-pos-weight-length-before-target", SIGMOID, S, "shapes (step 5) before target values (step 7)",
            posWeight=[1, 2], t=[5.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
    ]


# ---------------------------------------------------------------- float16 inputs (issue 14's last bullet)


def f16(shape: Sequence[int], values: Sequence[float]) -> Tensor:
    """A float16 tensor: values must be exactly representable in IEEE half precision (checked here)."""
    import numpy as np

    out = []
    for v in values:
        h = float(np.float16(v))
        if not (math.isnan(v) and math.isnan(h)) and h != v:
            raise ValueError(f"{v!r} is not exactly representable in float16 (nearest {h!r})")
        out.append(h)
    return Tensor("float16", tuple(shape), tuple(out))


def float16_cases() -> list[Case]:
    """Inputs, soft targets and weights in float16 (torchvision, mmcv and Keras test half precision): the
    fixtures state exact half values, adapters compute in float32 or better, standard tolerance."""
    g = "float16"
    n = 12
    x = logits("f16-sig", n)  # k / 64 with |x| < 32: 11 significant bits at most
    out = [
        Case(f"{g}/sigmoid-logits", SIGMOID, {}, f16([3, 4], x), f32([3, 4], binary("f16-sig", n))),
        Case(f"{g}/sigmoid-soft-targets-and-weights", SIGMOID, {"reduction": "none", "gamma": 1.5},
             f16([3, 4], x), f16([3, 4], soft("f16-sig", n)), f16([3, 4], snap(rng("f16-w", "weight").uniform(0, 2, n), 1 / 256))),
        Case(f"{g}/sigmoid-extremes", SIGMOID, {"reduction": "none"},
             f16([6], [65504.0, -65504.0, 2.0 ** -24, -(2.0 ** -24), 2.0 ** -14, 0.0]), f32([6], [1, 0, 1, 0, 0, 1])),
        Case(f"{g}/sigmoid-probabilities", SIGMOID, {"fromLogits": False, "eps": 1e-3},
             f16([2, 4], snap(rng("f16-p", "input").uniform(0, 1, 8), 1 / 1024)), f32([2, 4], binary("f16-p", 8))),
        Case(f"{g}/softmax-logits-index", SOFTMAX, {"alpha": [0.25, 0.5, 0.25]},
             f16([4, 3], logits("f16-smx", 12)), i32([4], [0, 2, 1, 1])),
        Case(f"{g}/softmax-probabilities-nchw", SOFTMAX, {"fromLogits": False, "axis": 1, "reduction": "sum"},
             f16([2, 3, 2], snap(rng("f16-smx-p", "input").uniform(0.05, 0.9, 12), 1 / 1024)), i32([2, 2], [0, 2, 1, 1])),
    ]
    for c in out:
        NOTES[c.name] = ("float16 inputs (issue 14): every value is exactly representable in half precision; the "
                         "expected values are exact for them, adapters compute in float32 or better")
    return out


def all_cases() -> list[Case]:
    PEER_TORCH.clear()
    PEER_VALUES.clear()
    NOTES.clear()
    return (torchvision_cases() + keras_cases() + mmdet_cases() + detectron2_cases() + kornia_cases() + optax_cases()
            + option_cases() + error_cases() + float16_cases())


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="presets fixtures only: check, write nothing")
    parser.add_argument("--only", help="check cases whose name starts with this")
    args = parser.parse_args()
    cases = all_cases()
    if args.only:
        cases = [c for c in cases if c.name.startswith(args.only)]
    for case in cases:
        try:
            fixture = presets_fixture(case)
        except (crosscheck.Disagreement, AssertionError) as problem:
            print(f"REFUSING: {problem}", file=sys.stderr)
            return 1
        print(f"  {case.name}: {fixture['reference'][-160:]}", file=sys.stderr)
    print(f"checked {len(cases)} presets fixtures (nothing written)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
