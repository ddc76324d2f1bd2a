/**
 * The adapter's own error codes (contract 1.1: "Adapters may add codes for their own API"). They
 * are never used for a rule of the contract, which keeps the core's codes.
 */
import { FocalLossError, type FocalLossErrorCode } from '@focal-loss/core';

export { FocalLossError, isFocalLossError, ERROR_CODES, type FocalLossErrorCode } from '@focal-loss/core';

/** `FocalLossRunner` was used after `dispose()` (or a call was waiting for a session when it was). */
export const RUNNER_DISPOSED = 'RUNNER_DISPOSED';

/** Codes of this package only, in addition to the core's. */
export const ORT_ERROR_CODES = [RUNNER_DISPOSED] as const;
export type OrtErrorCode = (typeof ORT_ERROR_CODES)[number];

export function runnerDisposedError(): FocalLossError {
  // core types `code` as the contract's codes; the contract lets an adapter add its own
  return new FocalLossError(
    RUNNER_DISPOSED as unknown as FocalLossErrorCode,
    'this FocalLossRunner was disposed; create a new runner',
  );
}
