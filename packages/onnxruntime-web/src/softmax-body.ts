/**
 * The softmax focal loss and its analytic gradient as ONNX nodes, following @focal-loss/core
 * (softmax-math.ts, docs/math.md). With m the largest logit (first index on ties), e = exp(x - m)
 * and `others` the sum of e over the other classes (no subtraction):
 *   log-sum = log1p(others) = Softplus(Log(others))  (ONNX has no Log1p; Log(0) = -inf, Softplus(-inf) = 0)
 *   p = e / (1 + others), q = 1 - p, except q_top = others / (1 + others), s = -log p = log-sum - (x - m)
 *   L = sum_c w_c q_c^gamma s_c,  G_c = w_c q_c^gamma (1 + gamma p_c s_c / q_c),  dL/dx_j = p_j (G - G_j) - q_j G_j
 * with w_c = alpha_c t_c and s / q := 1 where q = 0. The class axis is the `axis` attribute
 * (ArgMax, GatherElements, ScatterElements, and the axes inputs of ReduceSum, Unsqueeze, CumSum).
 *
 * Infinite logits (contract 1.1): a -Infinity logit in a row with a finite max has e = p = 0 and
 * s = +Infinity. Its class adds 0 to the loss and gets gradient 0 when w_c = 0 (masking), read as
 * absent terms: w_c q_c^gamma s_c := 0 where w_c = 0, and p_c s_c / q_c := 0 where p_c = 0 (its
 * limit). With w_c > 0 the loss is +Infinity and G_c = w_c q_c^gamma, the finite limit. A row whose
 * max is +-Infinity (a +Infinity logit, or all -Infinity) has no limit: its loss and every
 * gradient entry are NaN, and so are those of a row holding a NaN logit, wherever it is.
 */
import type { BodyEmitter } from './body-emitter.js';
import {
  accurateSum,
  clippedProbability,
  mulAbsentIfZero,
  emitReducedLoss,
  negLogFromComplement,
  powGamma,
  reductionScale,
  scaled,
  sizeAsFloat,
  type BodyIO,
  type BodyOutputs,
  type CommonVariant,
} from './body-common.js';
import { create } from '@bufbuild/protobuf';
import { AttributeProtoSchema, TensorProtoSchema } from './gen/onnx_pb.js';
import { AttrType, DataType, intAttr } from './protos.js';

export interface SoftmaxVariant extends CommonVariant {
  readonly targetKind: 'index' | 'probability';
  /** 'none': alpha null (weights 1); 'scalar': attribute `alpha`; 'perClass': attribute `classAlpha`. */
  readonly alphaKind: 'none' | 'scalar' | 'perClass';
  /** Index targets only: positions equal to the `ignoreIndex` attribute contribute 0. */
  readonly hasIgnoreIndex: boolean;
}

/** A `value` attribute holding a 1-D float32 tensor (ConstantOfShape's fill). */
function tensorValue(values: readonly number[]) {
  return create(AttributeProtoSchema, {
    name: 'value',
    type: AttrType.TENSOR,
    t: create(TensorProtoSchema, { dims: [BigInt(values.length)], dataType: DataType.FLOAT, floatData: [...values] }),
  });
}

function fillValue(value: number) {
  return tensorValue([value]);
}

export function emitSoftmaxBody(b: BodyEmitter, v: SoftmaxVariant, io: BodyIO, out: BodyOutputs): void {
  const x = io.input;
  const one = b.float(1);
  const zero = b.float(0);
  const axisAttr = () => b.paramAttribute('axis', 'axis', 'int');
  const axisScalar = b.param('axis', 'int');
  const axes = b.op('Unsqueeze', [axisScalar, b.ints([0])]);
  const shape = b.op('Shape', [x]);
  const classes = b.op('Gather', [shape, axisScalar]);

  // Class index of every element: the exclusive running count of ones along the class axis. It
  // serves the one-hot target (OneHot needs indices of rank >= 1, which a 1-D input's scalar target
  // is not) and the per-class alpha.
  let classIndexCache: string | null = null;
  const classIndex = () => {
    if (classIndexCache === null) {
      const ones = b.op('ConstantOfShape', [shape], [fillValue(1)]);
      classIndexCache = b.cast(b.op('CumSum', [ones, axisScalar], [intAttr('exclusive', 1)]), DataType.INT64);
    }
    return classIndexCache;
  };

  // Target distribution t_c, and which positions are ignored.
  let ignored: string | null = null;
  let onehot: string;
  if (v.targetKind === 'index') {
    if (v.hasIgnoreIndex) {
      ignored = b.op('Equal', [io.target, b.cast(b.param('ignoreIndex', 'int'), DataType.INT32)]);
    }
    // An ignored index may be any integer; its row is masked later, so its one-hot row does not matter.
    const index = b.op('Unsqueeze', [b.cast(io.target, DataType.INT64), axes]);
    onehot = b.cast(b.op('Equal', [classIndex(), index]), DataType.FLOAT);
  } else {
    onehot = io.target;
  }
  const smoothing = b.param('labelSmoothing', 'float');
  const t = b.op('Add', [
    b.op('Mul', [onehot, b.op('Sub', [one, smoothing])]),
    b.op('Div', [smoothing, b.cast(classes, DataType.FLOAT)]),
  ]);
  let w = t;
  if (v.alphaKind === 'scalar') w = b.op('Mul', [t, b.param('alpha', 'float')]);
  else if (v.alphaKind === 'perClass') {
    w = b.op('Mul', [t, b.op('Gather', [b.param('classAlpha', 'floats'), classIndex()])]);
  }

  let p: string;
  let q: string;
  let s: string;
  let clipped: string | null = null;
  let noLimit: string | null = null;
  if (v.fromLogits) {
    const top = b.op('ArgMax', [x], [axisAttr(), intAttr('keepdims', 1)]);
    const max = b.op('GatherElements', [x, top], [axisAttr()]);
    const d = b.op('Sub', [x, max]);
    const e = b.op('Exp', [d]);
    const topMask = b.op('ScatterElements', [
      b.op('ConstantOfShape', [shape], [fillValue(0)]),
      top,
      b.op('ConstantOfShape', [b.op('Shape', [top])], [fillValue(1)]),
    ], [axisAttr()]);
    const isTop = b.cast(topMask, DataType.BOOL);
    const others = b.op('ReduceSum', [b.op('Where', [isTop, zero, e]), axes], [intAttr('keepdims', 1)]);
    // NaN for a row without a limit, else 0, added to the row's loss terms and gradient: a row
    // whose max is +-Infinity (max * 0 is NaN) or that holds a NaN (`others` is NaN: a NaN off the
    // top makes its e NaN; a NaN top makes every x - max NaN). others <= C is finite otherwise.
    noLimit = b.op('Mul', [b.op('Add', [others, b.op('Mul', [max, zero])]), zero]);
    const logSum = b.op('Softplus', [b.op('Log', [others])]);
    const invSum = b.op('Reciprocal', [b.op('Add', [one, others])]);
    p = b.op('Mul', [e, invSum]);
    // p <= 1/2 off the top class, so 1 - p by subtraction is accurate there
    q = b.op('Where', [isTop, b.op('Mul', [others, invSum]), b.op('Sub', [one, p])]);
    s = b.op('Sub', [logSum, d]);
  } else {
    ({ p, q, clipped } = clippedProbability(b, x));
    s = negLogFromComplement(b, p, q);
  }
  const qPow = powGamma(b, q);
  const wq = b.op('Mul', [w, qPow]);

  // Per-position factor: weight, reduction scale, and 0 at ignored positions.
  const scale = reductionScale(b, v, () => {
    if (ignored !== null) {
      // blocked, so that counts above 2^24 are not stuck there (a float32 running sum of ones is)
      return accurateSum(b, b.cast(b.op('Not', [ignored]), DataType.FLOAT));
    }
    if (v.targetKind === 'index') return sizeAsFloat(b, io.target);
    // positions = size / C; with C = 0 the size is 0 too, and Max keeps the division finite
    return b.op('Div', [sizeAsFloat(b, x), b.op('Max', [b.cast(classes, DataType.FLOAT), one])]);
  });

  if (out.loss !== null) {
    // w_c q_c^gamma s_c, with a class of zero weight absent (s_c is +Infinity at a -Infinity logit)
    let terms = v.fromLogits ? mulAbsentIfZero(b, w, b.op('Mul', [qPow, s])) : b.op('Mul', [wq, s]);
    if (noLimit !== null) terms = b.op('Add', [terms, noLimit]);
    let perPosition = scaled(b, b.op('ReduceSum', [terms, axes], [intAttr('keepdims', 0)]), [io.weight]);
    if (ignored !== null) perPosition = b.op('Where', [ignored, zero, perPosition]);
    emitReducedLoss(b, v, perPosition, scale, out.loss);
  }
  if (out.gradInput !== null) {
    const gamma = b.param('gamma', 'float');
    let grad: string;
    if (v.fromLogits) {
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
      const dead = b.op('Or', [clipped as string, b.op('Equal', [w, zero])]);
      grad = b.op('Where', [dead, zero, grad]);
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
