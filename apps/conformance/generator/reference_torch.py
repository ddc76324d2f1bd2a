"""The second, independent reference: torch in float64 with autograd.

Two implementations:
- torchvision's `ops.sigmoid_focal_loss` wherever it computes the contract (sigmoid, from logits,
  no label smoothing, scalar alpha or null -> alpha = -1); weight and reduction are applied here
  on its "none" output. It forms 1 - p_t by subtraction, so it loses relative precision once
  1 - p_t is small: elements with 1 - p_t < 1e-5 (in float64) are not compared against it.
- a plain float64 torch implementation of the contract for every case (log-sigmoid for the
  sigmoid cross-entropy; for softmax, log p from log1p of the off-top exponentials so that the
  top class keeps its precision, as the tolerance notes prescribe).

autograd differentiates u ** gamma literally, which is NaN / infinite where u = 0 and
0 < gamma < 1 (and similar): such elements are reported as not finite and the cross-check then
leaves them to mpmath alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
import torchvision
from torchvision.ops import sigmoid_focal_loss

from model import SIGMOID, Case, softmax_layout

DTYPE = torch.float64
# Below this 1 - p_t, torchvision's subtraction 1 - p_t has lost more than ~1e-11 relative precision.
TORCHVISION_MIN_ONE_MINUS_PT = 1e-5


def versions() -> tuple[str, str]:
    return torch.__version__, torchvision.__version__


@dataclass
class TorchResult:
    label: str  # who computed it, for the `reference` text
    loss: list[float]
    grad: list[float]
    # Per element: whether this implementation is meant to be accurate there (False: known
    # inapplicable, e.g. torchvision's cancellation). Non-finite values are judged by the checker.
    loss_applicable: list[bool]
    grad_applicable: list[bool]


def tensor(values, shape) -> torch.Tensor:
    return torch.tensor(list(values), dtype=DTYPE).reshape(tuple(shape))


def reduce(case: Case, losses: torch.Tensor, counted: int) -> torch.Tensor:
    o = case.resolved()
    if o["reduction"] == "none":
        return losses
    total = losses.sum()
    if o["reduction"] == "sum":
        return total
    if o["normalizer"] is not None:
        return total / o["normalizer"]
    return total / counted if counted > 0 else total * 0.0


def backward(returned: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(returned.sum(), x, allow_unused=True)
    return torch.zeros_like(x) if grad is None else grad


def flat(t: torch.Tensor) -> list[float]:
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def weighted(case: Case, losses: torch.Tensor, loss_shape) -> torch.Tensor:
    if case.weight is None:
        return losses
    return losses * tensor(case.weight.data, loss_shape)


def clipped_probabilities(x: torch.Tensor, eps: float):
    """(p, 1 - p, log p, log(1 - p)) of probabilities clipped to [eps, 1 - eps].

    float64 cannot hold 1 - eps exactly (1 - 1e-7 is off by ~5e-17, i.e. 5e-10 relative in
    1 - p): where the upper clip is active, 1 - p is eps itself and log p = log1p(-eps).
    log(1 - p) is log1p(-p) so that tiny p keep their precision.
    """
    p = torch.clamp(x, eps, 1 - eps)
    top = x > 1 - eps
    q = torch.where(top, torch.full_like(p, eps), 1 - p)
    log_p = torch.where(top, torch.log1p(-q), torch.log(p))
    log_q = torch.where(top, torch.log(q), torch.log1p(-p))
    return p, q, log_p, log_q


# ---------------------------------------------------------------- sigmoid


def torchvision_applies(case: Case) -> bool:
    o = case.resolved()
    return (
        case.op == SIGMOID
        and o["fromLogits"]
        and o["labelSmoothing"] == 0
        and not isinstance(o["alpha"], list)
    )


def sigmoid_torchvision(case: Case) -> TorchResult:
    o = case.resolved()
    shape = case.input.shape
    x = tensor(case.input.data, shape).requires_grad_(True)
    t = tensor(case.target.data, shape)
    alpha = -1.0 if o["alpha"] is None else float(o["alpha"])
    losses = sigmoid_focal_loss(x, t, alpha=alpha, gamma=float(o["gamma"]), reduction="none")
    returned = reduce(case, weighted(case, losses, shape), losses.numel())
    grad = backward(returned, x)
    with torch.no_grad():
        p = torch.sigmoid(x)
        one_minus_pt = 1 - (p * t + (1 - p) * (1 - t))
        # NaN inputs stay compared: torchvision must propagate them like the contract.
        accurate = (one_minus_pt >= TORCHVISION_MIN_ONE_MINUS_PT) | torch.isnan(one_minus_pt)
        ok = [bool(v) for v in accurate.reshape(-1).tolist()]
    loss_ok = ok if o["reduction"] == "none" else [all(ok)]
    return TorchResult(
        f"torchvision {torchvision.__version__} ops.sigmoid_focal_loss float64 autograd",
        flat(returned),
        flat(grad),
        loss_ok,
        ok,
    )


def sigmoid_contract(case: Case) -> TorchResult:
    o = case.resolved()
    shape = case.input.shape
    x = tensor(case.input.data, shape).requires_grad_(True)
    s = float(o["labelSmoothing"])
    t = tensor(case.target.data, shape) * (1 - s) + s / 2
    if o["fromLogits"]:
        p, q = torch.sigmoid(x), torch.sigmoid(-x)
        ce = -t * F.logsigmoid(x) - (1 - t) * F.logsigmoid(-x)
    else:
        p, q, log_p, log_q = clipped_probabilities(x, float(o["eps"]))
        ce = -t * log_p - (1 - t) * log_q
    u = p * (1 - t) + q * t
    alpha = o["alpha"]
    alpha_t = 1.0 if alpha is None else alpha * t + (1 - alpha) * (1 - t)
    losses = alpha_t * u ** float(o["gamma"]) * ce
    returned = reduce(case, weighted(case, losses, shape), losses.numel())
    grad = backward(returned, x)
    n_loss = returned.numel()
    return TorchResult(
        f"torch {torch.__version__} float64 contract implementation autograd",
        flat(returned),
        flat(grad),
        [True] * n_loss,
        [True] * x.numel(),
    )


# ---------------------------------------------------------------- softmax


def log_softmax_accurate(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p, 1 - p) along the last axis; the top class's 1 - p is others / (1 + others)."""
    top = torch.argmax(x, dim=-1, keepdim=True)
    is_top = torch.zeros_like(x, dtype=torch.bool).scatter_(-1, top, True)
    d = x - torch.gather(x, -1, top)
    others = torch.where(is_top, torch.zeros_like(d), torch.exp(d)).sum(-1, keepdim=True)
    # The top class's log p is -log1p(others) on its own: written as d_top - log1p(others), autograd
    # would add +1 and -1 (through the gather) and lose its tiny true gradient 1 - p_top.
    log_p = torch.where(is_top, -torch.log1p(others), d - torch.log1p(others))
    p = torch.exp(log_p)
    q = torch.where(is_top, others / (1 + others), 1 - p)
    return log_p, q


def softmax_contract(case: Case) -> TorchResult:
    o = case.resolved()
    lay = softmax_layout(case.input.shape, o["axis"])
    x = tensor(case.input.data, case.input.shape).requires_grad_(True)
    xm = torch.movedim(x, lay.axis, -1)  # classes last
    classes = lay.classes
    s = float(o["labelSmoothing"])
    loss_shape = lay.loss_shape(case.input.shape)
    if case.target.dtype == "int32":
        k = torch.tensor(list(case.target.data), dtype=torch.long).reshape(loss_shape)
        ignore = o["ignoreIndex"]
        keep = torch.ones_like(k, dtype=torch.bool) if ignore is None else k != ignore
        onehot = F.one_hot(torch.where(keep, k, torch.zeros_like(k)), classes).to(DTYPE)
        keep_f = keep.to(DTYPE).unsqueeze(-1)
        t = (onehot * (1 - s) + s / classes) * keep_f
        counted = int(keep.sum())
    else:
        raw = torch.movedim(tensor(case.target.data, case.input.shape), lay.axis, -1)
        t = raw * (1 - s) + s / classes
        counted = lay.positions
    if o["fromLogits"]:
        log_p, q = log_softmax_accurate(xm)
    else:
        _, q, log_p, _ = clipped_probabilities(xm, float(o["eps"]))
    alpha = o["alpha"]
    if alpha is None:
        a = torch.ones(classes, dtype=DTYPE)
    elif isinstance(alpha, list):
        a = torch.tensor(alpha, dtype=DTYPE)
    else:
        a = torch.full((classes,), float(alpha), dtype=DTYPE)
    losses = -(a * t * q ** float(o["gamma"]) * log_p).sum(-1)
    returned = reduce(case, weighted(case, losses, loss_shape), counted)
    grad = backward(returned, x)
    return TorchResult(
        f"torch {torch.__version__} float64 contract implementation autograd",
        flat(returned),
        flat(grad),
        [True] * returned.numel(),
        [True] * x.numel(),
    )


def evaluate(case: Case) -> list[TorchResult]:
    """Every torch reference that applies to the case."""
    if case.op == SIGMOID:
        results: list[Optional[TorchResult]] = [
            sigmoid_torchvision(case) if torchvision_applies(case) else None,
            sigmoid_contract(case),
        ]
        return [r for r in results if r is not None]
    return [softmax_contract(case)]
