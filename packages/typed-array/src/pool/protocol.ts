/**
 * Messages between a pool and its workers. A request names blocks of the whole input (fixed by the
 * input's size and classes only, never by the number of threads) and carries the task: with shared
 * memory its arrays are views of SharedArrayBuffers (the worker writes the outputs in place); without,
 * they are private slices transferred to the worker, which allocates the outputs and transfers them back.
 */
import type { SigmoidTask } from '../simd/sigmoid-blocks.js';
import type { SoftmaxTask } from '../simd/softmax-blocks.js';
import type { FamilyTask } from './family-blocks.js';

export type PoolRequest =
  | (RequestCommon & { readonly op: 'sigmoid'; readonly task: SigmoidTask })
  | (RequestCommon & { readonly op: 'softmax'; readonly task: SoftmaxTask })
  | (RequestCommon & { readonly op: 'family'; readonly task: FamilyTask })
  | CheckRequest;

/**
 * The sigmoid prologue's target check, shared out before any work (shared memory only): the
 * worker answers the index of the first target outside [0, 1] in [begin, end), or -1.
 */
export interface CheckRequest {
  readonly id: number;
  readonly op: 'check';
  readonly target: Float32Array;
  readonly begin: number;
  readonly end: number;
}

interface RequestCommon {
  readonly id: number;
  readonly firstBlock: number;
  readonly endBlock: number;
  /** Position (element for the sigmoid) of the whole input at which the task's arrays start. */
  readonly origin: number;
  /** Positions (elements) of the whole input. */
  readonly total: number;
  /** Whether to return one float64 sum per block (reduced losses). */
  readonly wantSums: boolean;
  /** Without shared memory: the lengths of the outputs the worker allocates and returns. */
  readonly allocate: { readonly loss: number; readonly grad: number } | null;
}

export interface PoolResponse {
  readonly id: number;
  readonly sums: Float64Array | null;
  readonly loss: Float32Array | null;
  readonly grad: Float32Array | null;
  /** A check request's answer. */
  readonly outside?: number;
  readonly error?: { readonly message: string; readonly code?: string };
}
