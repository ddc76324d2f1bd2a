export {
  FocalLossError,
  ERROR_CODES,
  isFocalLossError,
  describeValue,
  describeShape,
  type FocalLossErrorCode,
} from './errors.js';
export {
  REDUCTIONS,
  COMMON_DEFAULTS,
  SIGMOID_DEFAULTS,
  SOFTMAX_DEFAULTS,
  SIGMOID_OPTION_NAMES,
  SOFTMAX_OPTION_NAMES,
  resolveSigmoidOptions,
  resolveSoftmaxOptions,
  classWeights,
  type Reduction,
  type CommonFocalLossOptions,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
  type ResolvedCommonOptions,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
} from './options.js';
export {
  shapeSize,
  sameShape,
  requireLength,
  resolveSigmoidLayout,
  resolveSoftmaxLayout,
  reducedShape,
  type Shape,
  type SigmoidLayout,
  type SoftmaxLayout,
  type SoftmaxTargetKind,
} from './shapes.js';
export {
  sigmoidFocalFromLogit,
  sigmoidFocalFromProbability,
  smoothBinaryTarget,
  binaryAlphaPair,
  powGamma,
  createElementResult,
  type ElementResult,
} from './sigmoid-math.js';
export {
  softmaxFocalRow,
  type RowLayout,
  type RowTarget,
  type RowParams,
} from './softmax-math.js';
export { checkUnitIntervalTargets, checkClassIndexTargets } from './targets.js';
export { reductionScale } from './reduction.js';
