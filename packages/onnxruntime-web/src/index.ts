/**
 * @focal-loss/onnxruntime-web: focal loss as ONNX model-local functions (custom domain
 * `com.github.focal-loss`) or inlined standard ops, with the analytic gradient, and a runner for
 * onnxruntime-web.
 */
export {
  FOCAL_LOSS_DOMAIN,
  FOCAL_LOSS_DOMAIN_VERSION,
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  MIN_OPSET,
  MAX_OPSET,
  OP_NAMES,
  irVersionFor,
  ORT_DECLARATION,
  type LossOp,
  type LossChoice,
  type FamilyLossChoice,
} from './loss-spec.js';
export type { DistributionFocalLossOptions } from './distribution.js';
export { buildLossModel, encodeModel, type LossModelOptions, type LossModelSettings } from './standalone.js';
export { appendFocalLoss, type AppendLossOptions, type AppendSettings } from './append.js';
export { RUNTIME_OPTIONS } from './option-inputs.js';
export {
  FocalLossError,
  isFocalLossError,
  ERROR_CODES,
  RUNNER_DISPOSED,
  ORT_ERROR_CODES,
  type FocalLossErrorCode,
  type OrtErrorCode,
} from './errors.js';
export {
  FocalLossRunner,
  DEFAULT_MAX_SESSIONS,
  type FocalLossRunnerOptions,
  type RunCallOptions,
  type RunnerResult,
  type RunnerGradient,
  type TensorInput,
  type Float16Input,
} from './runner.js';
export { widenFloat16 } from './half.js';
export * as onnx from './gen/onnx_pb.js';
