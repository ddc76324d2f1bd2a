export {
  FocalLossError,
  ERROR_CODES,
  isFocalLossError,
  describeValue,
  describeShape,
  type FocalLossErrorCode,
  type AdapterErrorCode,
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
  splitCallOptions,
  readBooleanOption,
  isPlainObject,
  classWeights,
  type LossOpName,
  type Reduction,
  type CommonFocalLossOptions,
  type SigmoidFocalLossOptions,
  type SoftmaxFocalLossOptions,
  type ResolvedCommonOptions,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
} from './options.js';
export {
  MAX_ELEMENTS,
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
  sigmoidFocalAtInfinity,
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
export { checkUnitIntervalTargets, checkClassIndexTargets, checkBinaryTargets } from './targets.js';
export {
  planSigmoidCall,
  planSoftmaxCall,
  BINARY_TARGET_DTYPES,
  type TensorInfo,
  type CallTensors,
  type SigmoidPlan,
  type SoftmaxPlan,
} from './plan.js';
export { sigmoidFocalLoop, type SigmoidLoopParams, type NumericOut } from './fused-sigmoid.js';
export { softmaxFocalLoop, type SoftmaxLoopParams } from './fused-softmax.js';
export { expNeg, log1pUnit } from './kernels.js';
export { CompensatedSum } from './compensated-sum.js';
export { reductionScale } from './reduction.js';
// the focal-loss family (issue 15)
export * from './family/index.js';
// options beyond the 1.1 base, declared by each adapter (issue 15: polyEpsilon)
export {
  BASE_ONLY,
  EXTENSION_OPTIONS,
  requireImplemented,
  requireDeclaredOptions,
  extensionOptionsGiven,
  type AdapterDeclaration,
  type ExtensionOption,
  SIGMOID_CLASS_INDEX_TARGETS,
} from './adapter-declaration.js';
// Poly-1's regrouped forms (issue 15): no cancellation when polyEpsilon ~ -alpha_t
export { logOneMinusExcess, sigmoidPolyFromParts } from './sigmoid-math.js';
export { oneHotPolyRow } from './softmax-math.js';
// presets and the options they need (issue 14)
export {
  PRESETS,
  PRESET_NAMES,
  presetDefaults,
  type PresetName,
  type PresetVariant,
  type SigmoidPresetDefaults,
  type SoftmaxPresetDefaults,
} from './presets.js';
export {
  sigmoidClassLayout,
  expandClassIndexTargets,
  checkSigmoidTargetsIgnoring,
  checkSigmoidClassIndexTargets,
  EXPANDED_IGNORED,
  type SigmoidClassLayout,
} from './sigmoid-classes.js';
