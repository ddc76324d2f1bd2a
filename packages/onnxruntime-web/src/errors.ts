/**
 * The adapter's own error codes (contract 1.1: "Adapters may add codes for their own API"). They
 * are never used for a rule of the contract, which keeps the core's codes.
 */
import { FocalLossError } from '@focal-loss/core';

export { FocalLossError, isFocalLossError, ERROR_CODES, type FocalLossErrorCode } from '@focal-loss/core';

/** `FocalLossRunner` was used after `dispose()` (or a call was waiting for a session when it was). */
export const RUNNER_DISPOSED = 'RUNNER_DISPOSED';

/** Codes of this package only, in addition to the core's. */
export const ORT_ERROR_CODES = [RUNNER_DISPOSED] as const;
export type OrtErrorCode = (typeof ORT_ERROR_CODES)[number];

export function runnerDisposedError(): FocalLossError {
  return new FocalLossError(RUNNER_DISPOSED, 'this FocalLossRunner was disposed; create a new runner');
}
