/**
 * The softmax focal loss and its analytic gradient as ONNX nodes, following @focal-loss/core
 * (softmax-math.ts, docs/math.md). With m the largest logit (first index on ties), e = exp(x - m)
 * and `others` the sum of e over the other classes (no subtraction):
 *   log-sum = log1p(others)  (body-common.ts log1p: ONNX has no Log1p)
 *   p = e / (1 + others), q = 1 - p, except q_top = others / (1 + others), s = -log p = log-sum - (x - m)
 *   L = sum_c w_c q_c^gamma s_c,  G_c = w_c q_c^gamma (1 + gamma p_c s_c / q_c),  dL/dx_j = p_j (G - G_j) - q_j G_j
 * with w_c = alpha_c t_c and s / q := 1 where q = 0. The class axis is the `axis` attribute
 * (the axes of ReduceMax and ReduceSum, and the axis inputs of Unsqueeze and CumSum).
 *
 * Infinite logits (contract 1.1): a -Infinity logit in a row with a finite max has e = p = 0 and
 * s = +Infinity. Its class adds 0 to the loss and gets gradient 0 when w_c = 0 (masking), read as
 * absent terms: w_c q_c^gamma s_c := 0 where w_c = 0, and p_c s_c / q_c := 0 where p_c = 0 (its
 * limit). With w_c > 0 the loss is +Infinity and G_c = w_c q_c^gamma, the finite limit. A row whose
 * max is +-Infinity (a +Infinity logit, or all -Infinity) has no limit: its loss and every
 * gradient entry are NaN, and so are those of a row holding a NaN logit, wherever it is.
 *
 * Poly-1 (`polyEpsilon` = eps; only in the variant `hasPoly`, so eps = 0 emits exactly the focal
 * graph), per position, not multiplied by the class weights (math.md's Poly-1 section):
 *   u = sum_c t_c q_c + (1 - sum_c t_c)   (1 - p_t without cancellation: q_k for a one-hot target)
 *   loss += eps u^(gamma+1),  dL/dx_j += -eps (gamma+1) u^gamma p_j (t_j - p_t)
 * from logits regrouped so that eps close to -alpha_k does not cancel (see the loss below); from
 * probabilities as written, d/dp_j += -eps (gamma+1) u^gamma t_j, 0 where p_j is clipped.
 */
import type { BodyEmitter } from './body-emitter.js';
import {
  accurateSum,
  alongClassAxis,
  clippedProbability,
  log1p,
  mulAbsentIfZero,
  emitReducedLoss,
  negLogFromComplement,
  powGamma,
  reductionScale,
  scaled,
  type BodyIO,
  type BodyOutputs,
  type CommonVariant,
} from './body-common.js';
import { DataType, intAttr } from './protos.js';
import { logExcess } from './sigmoid-poly.js';

export interface SoftmaxVariant extends CommonVariant {
  readonly targetKind: 'index' | 'probability';
  /** 'none': alpha null (weights 1); 'scalar': attribute `alpha`; 'perClass': attribute `classAlpha`. */
  readonly alphaKind: 'none' | 'scalar' | 'perClass';
  /** Index targets only: positions equal to the `ignoreIndex` attribute contribute 0. */
  readonly hasIgnoreIndex: boolean;
  /** Poly-1's term, read from `polyEpsilon`; absent (not false) when polyEpsilon is 0. */
  readonly hasPoly?: boolean;
  /**
   * From probabilities: each row divided by its sum S first (Keras' CategoricalFocalCrossentropy,
   * issue 14); absent (not false) when off. With g = dL/dr (r = x / S, 0 where r is clipped) the
   * gradient is dL/dx_j = (g_j - sum_c g_c r_c) / S (core's softmax-math.ts).
   */
  readonly normalizeProbabilities?: boolean;
}

export function emitSoftmaxBody(b: BodyEmitter, v: SoftmaxVariant, io: BodyIO, out: BodyOutputs): void {
  const x = io.input;
  const one = b.float(1);
  const zero = b.float(0);
  const axisScalar = b.param('axis', 'int');
  const axes = b.op('Unsqueeze', [axisScalar, b.ints([0])]);
  // Every value the loss computes with lives on the device of the float kernels: the class
  // structure comes from a tensor of ones made by Expand (not ConstantOfShape, a CPU op under ORT's
  // WebGPU EP: see the notes in body-common.ts). Only int64 shape arithmetic stays on the CPU.
  const ones = b.op('Expand', [one, b.op('Shape', [x])]);
  // the class count per position (C; keepdims so it broadcasts over the class axis)
  const classesKept = b.op('ReduceSum', [ones, axes], [intAttr('keepdims', 1)]);

  // Class index of every element, as float (exact below 2^24 classes): the exclusive running count
  // of ones along the class axis. It serves the one-hot target (OneHot needs indices of rank >= 1,
  // which a 1-D input's scalar target is not).
  let classIndexCache: string | null = null;
  const classIndex = () => {
    classIndexCache ??= b.op('CumSum', [ones, axisScalar], [intAttr('exclusive', 1)]);
    return classIndexCache;
  };

  // Target distribution t_c, and which positions are ignored. Class indices are compared as float
  // (exact for |index| < 2^24; a target is a class index < C or ignoreIndex, checked by the runner).
  let ignored: string | null = null;
  let onehot: string;
  if (v.targetKind === 'index') {
    const target = b.cast(io.target, DataType.FLOAT);
    if (v.hasIgnoreIndex) ignored = b.op('Equal', [target, b.cast(b.param('ignoreIndex', 'int'), DataType.FLOAT)]);
    // An ignored index may be any integer; its row is masked later, so its one-hot row does not matter.
    const hit = b.op('Equal', [classIndex(), b.op('Unsqueeze', [target, axes])]);
    onehot = b.op('Where', [hit, one, zero]);
  } else {
    onehot = io.target;
  }
  const smoothing = b.param('labelSmoothing', 'float');
  const t = b.op('Add', [
    b.op('Mul', [onehot, b.op('Sub', [one, smoothing])]),
    b.op('Div', [smoothing, classesKept]),
  ]);
  let w = t;
  if (v.alphaKind === 'scalar') w = b.op('Mul', [t, b.param('alpha', 'float')]);
  else if (v.alphaKind === 'perClass') w = b.op('Mul', [t, alongClassAxis(b, x, axisScalar, () => b.param('classAlpha', 'floats'))]);

  let p: string;
  let q: string;
  let s: string;
  let clipped: ((value: string) => string) | null = null;
  let noLimit: string | null = null;
  let rowSum: string | null = null;
  let normalized: string | null = null;
  if (v.fromLogits) {
    // m = the largest logit (ReduceMax); the top class k is its first index: among the elements
    // equal to m, the one with no such element before it (running count 0). Not ArgMax: ORT's
    // WebGPU ArgMax reuses a program compiled for another class count (a [5, 2] input after a
    // [6, 4] one gets index 2), which ReduceMax does not.
    const max =
      b.opsetVersion >= 18
        ? b.op('ReduceMax', [x, axes], [intAttr('keepdims', 1)])
        : b.op('ReduceMax', [x], [b.paramAttribute('axes', 'classAxes', 'ints'), intAttr('keepdims', 1)]);
    const atMax = b.op('Where', [b.op('Equal', [x, max]), one, zero]);
    const before = b.op('CumSum', [atMax, axisScalar], [intAttr('exclusive', 1)]);
    const isTop = b.op('Equal', [b.op('Sub', [atMax, before]), one]);
    const d = b.op('Sub', [x, max]);
    const e = b.op('Exp', [d]);
    const others = b.op('ReduceSum', [b.op('Where', [isTop, zero, e]), axes], [intAttr('keepdims', 1)]);
    // NaN for a row without a limit, else 0, added to the row's loss terms and gradient: a row
    // whose max is +-Infinity (max * 0 is NaN) or that holds a NaN (`others` is NaN: a NaN off the
    // top makes its e NaN; a NaN top makes every x - max NaN). others <= C is finite otherwise.
    noLimit = b.op('Mul', [b.op('Add', [others, b.op('Mul', [max, zero])]), zero]);
    const logSum = log1p(b, others);
    const invSum = b.op('Reciprocal', [b.op('Add', [one, others])]);
    p = b.op('Mul', [e, invSum]);
    // p <= 1/2 off the top class, so 1 - p by subtraction is accurate there
    // (the top's value is made full-shape before the Where: ORT's WebGPU Where read a [N, 1]
    // operand at the wrong offset inside this graph)
    const qTop = b.op('Mul', [ones, b.op('Mul', [others, invSum])]);
    q = b.op('Where', [isTop, qTop, b.op('Sub', [one, p])]);
    s = b.op('Sub', [logSum, d]);
  } else {
    if (v.normalizeProbabilities === true) {
      rowSum = b.op('ReduceSum', [x, axes], [intAttr('keepdims', 1)]);
      normalized = b.op('Div', [x, rowSum]);
    }
    ({ p, q, clipped } = clippedProbability(b, normalized ?? x));
    s = negLogFromComplement(b, p, q);
  }
  const qPow = powGamma(b, q);
  const wq = b.op('Mul', [w, qPow]);
  // Poly-1's u = 1 - p_t and u^gamma per position, kept along the class axis (keepdims 1)
  const polyU = () => {
    const sumTQ = b.op('ReduceSum', [b.op('Mul', [t, q]), axes], [intAttr('keepdims', 1)]);
    const sumT = b.op('ReduceSum', [t, axes], [intAttr('keepdims', 1)]);
    const u = b.op('Add', [sumTQ, b.op('Sub', [one, sumT])]);
    return { u, uPow: powGamma(b, u) };
  };

  // Per-position factor: weight, reduction scale, and 0 at ignored positions.
  const scale = reductionScale(b, v, () => {
    if (ignored !== null) return accurateSum(b, b.op('Where', [ignored, zero, one]));
    // the number of positions, summed on the device from ones of the positions' shape (a count
    // from Size would be a CPU value copied to the device; see the notes in body-common.ts)
    const positionOnes = b.op('ReduceSum', [b.op('Where', [b.op('Equal', [classIndex(), zero]), one, zero]), axes], [intAttr('keepdims', 0)]);
    return accurateSum(b, positionOnes);
  });

  // From logits, Poly-1 is regrouped so that eps close to -alpha_k does not cancel (math.md's Poly-1
  // "Accuracy", core's oneHotPolyRow): with s_c = q_c + f_c (f = -log(1 - q) - q >= 0, sigmoid-poly.ts),
  //   loss_row = sum_c w_c q_c^g f_c + (sum_c w_c q_c^(g+1) + eps u^(g+1))
  //   dL/dx_j  = p_j (H - H_j) - q_j H_j,  H_c = w_c q_c^g (q_c + g p_c f_c / q_c) + (g+1) p_c (w_c q_c^g + eps t_c u^g)
  // (H_c = G_c + eps (g+1) u^g t_c p_c, the focal G_c with 1 = p_c + q_c). For a one-hot target u = q_k
  // bit for bit, so w_k q_k^g and eps u^g are products of the same float: their sum cancels exactly
  // where the true value does, and the small terms (f) are added apart. Other targets: the same
  // values, summed in this order.
  const polyFromLogits = v.hasPoly === true && v.fromLogits;
  const excess = polyFromLogits ? logExcess(b, q, s) : null;

  if (out.loss !== null) {
    let rowLoss: string;
    if (excess !== null) {
      const { u, uPow } = polyU();
      let small = mulAbsentIfZero(b, w, b.op('Mul', [qPow, excess]));
      if (noLimit !== null) small = b.op('Add', [small, noLimit]);
      // w_c (q_c^g q_c): the same product as u^g u for a one-hot row, so that the two cancel exactly
      const large = b.op('ReduceSum', [b.op('Mul', [w, b.op('Mul', [qPow, q])]), axes], [intAttr('keepdims', 1)]);
      const withPoly = b.op('Add', [large, b.op('Mul', [b.param('polyEpsilon', 'float'), b.op('Mul', [uPow, u])])]);
      const smallSum = b.op('ReduceSum', [small, axes], [intAttr('keepdims', 0)]);
      rowLoss = b.op('Add', [smallSum, b.op('ReduceSum', [withPoly, axes], [intAttr('keepdims', 0)])]);
    } else {
      // w_c q_c^gamma s_c, with a class of zero weight absent (s_c is +Infinity at a -Infinity logit)
      let terms = v.fromLogits ? mulAbsentIfZero(b, w, b.op('Mul', [qPow, s])) : b.op('Mul', [wq, s]);
      if (noLimit !== null) terms = b.op('Add', [terms, noLimit]);
      rowLoss = b.op('ReduceSum', [terms, axes], [intAttr('keepdims', 0)]);
      if (v.hasPoly === true) {
        // from probabilities: + eps u^(gamma+1) per position, before the weight
        const { u, uPow } = polyU();
        const poly = b.op('Mul', [b.param('polyEpsilon', 'float'), b.op('Mul', [u, uPow])]);
        rowLoss = b.op('Add', [rowLoss, b.op('ReduceSum', [poly, axes], [intAttr('keepdims', 0)])]);
      }
    }
    let perPosition = scaled(b, rowLoss, [io.weight]);
    if (ignored !== null) perPosition = b.op('Where', [ignored, zero, perPosition]);
    emitReducedLoss(b, v, perPosition, scale, out.loss);
  }
  if (out.gradInput !== null) {
    const gamma = b.param('gamma', 'float');
    // eps (gamma+1) u^gamma per position (keepdims: broadcasts over the classes)
    const polyCoefficient = () =>
      b.op('Mul', [b.op('Mul', [b.param('polyEpsilon', 'float'), b.op('Add', [gamma, one])]), polyU().uPow]);
    let grad: string;
    if (excess !== null) {
      const { uPow } = polyU();
      // f / q -> 0 as q -> 0 (f ~ q^2 / 2), and p f / q -> 0 as p -> 0 (a -Infinity logit: f = +Infinity)
      const pFOverQ = mulAbsentIfZero(b, p, b.op('Where', [b.op('Greater', [q, zero]), b.op('Div', [excess, q]), zero]));
      const own = b.op('Mul', [wq, b.op('Add', [q, b.op('Mul', [gamma, pFOverQ])])]);
      const shared = b.op('Add', [wq, b.op('Mul', [b.param('polyEpsilon', 'float'), b.op('Mul', [t, uPow])])]);
      const hC = b.op('Add', [own, b.op('Mul', [b.op('Mul', [b.op('Add', [gamma, one]), p]), shared])]);
      const hTotal = b.op('ReduceSum', [hC, axes], [intAttr('keepdims', 1)]);
      grad = b.op('Sub', [b.op('Mul', [p, b.op('Sub', [hTotal, hC])]), b.op('Mul', [q, hC])]);
      if (noLimit !== null) grad = b.op('Add', [grad, noLimit]);
    } else if (v.fromLogits) {
      const sOverQ = b.op('Where', [b.op('Greater', [q, zero]), b.op('Div', [s, q]), one]);
      // p s / q -> 0 as p -> 0 (a -Infinity logit: p = 0, s = +Infinity)
      const pSOverQ = mulAbsentIfZero(b, p, sOverQ);
      const gC = b.op('Mul', [wq, b.op('Add', [one, b.op('Mul', [gamma, pSOverQ])])]);
      const gTotal = b.op('ReduceSum', [gC, axes], [intAttr('keepdims', 1)]);
      grad = b.op('Sub', [b.op('Mul', [p, b.op('Sub', [gTotal, gC])]), b.op('Mul', [q, gC])]);
      if (noLimit !== null) grad = b.op('Add', [grad, noLimit]);
    } else {
      // d/dp [q^g s] = -q^g (g s / q + 1 / p); q >= eps > 0 after the clip
      const inner = b.op('Add', [b.op('Div', [b.op('Mul', [gamma, s]), q]), b.op('Reciprocal', [p])]);
      grad = b.op('Neg', [b.op('Mul', [wq, inner])]);
      // 0 where the class has no weight, and 0 where the clip is active (Wheres instead of Or)
      grad = b.op('Where', [b.op('Equal', [w, zero]), zero, grad]);
      // Poly-1: - eps (gamma+1) u^gamma t_j (the probabilities are independent inputs)
      if (v.hasPoly === true) grad = b.op('Sub', [grad, b.op('Mul', [polyCoefficient(), t])]);
      grad = (clipped as (value: string) => string)(grad);
    }
    if (rowSum !== null && normalized !== null) {
      // through r = x / S: (g_j - sum_c g_c r_c) / S
      const inner = b.op('ReduceSum', [b.op('Mul', [grad, normalized]), axes], [intAttr('keepdims', 1)]);
      grad = b.op('Div', [b.op('Sub', [grad, inner]), rowSum]);
    }
    if (io.weight === null) {
      // one scalar factor (or none): no per-position broadcast needed
      grad = scaled(b, grad, [scale]);
    } else {
      grad = b.op('Mul', [grad, b.op('Unsqueeze', [scaled(b, io.weight, [scale]), axes])]);
    }
    // ignored positions: gradient 0 whatever their logits and weight (a Where, never 0 * NaN)
    if (ignored !== null) grad = b.op('Where', [b.op('Unsqueeze', [ignored, axes]), zero, grad]);
    b.opNamed('Identity', [grad], out.gradInput);
  }
}
