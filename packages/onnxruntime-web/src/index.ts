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
  type LossOp,
} from './loss-spec.js';
export { buildLossModel, encodeModel, type LossModelOptions } from './standalone.js';
export { appendFocalLoss, type AppendLossOptions } from './append.js';
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
  type TensorInput,
} from './runner.js';
export * as onnx from './gen/onnx_pb.js';
