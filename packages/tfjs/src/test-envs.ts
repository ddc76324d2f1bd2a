/**
 * Test-only: the backend environments every numerical test runs in, written once (as tfjs-core's
 * describeWithFlags): each backend with its fused kernel (the default) and with the composite
 * formulation forced (`composite: true`), so both paths stay tested.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { beforeAll, describe } from 'vitest';
import './test-helpers.js';
import './index.js';

export interface TestEnv {
  readonly name: string;
  readonly backend: 'cpu' | 'wasm';
  /** Passed as the `composite` option of every call. */
  readonly composite: boolean;
}

export const TEST_ENVS: readonly TestEnv[] = [
  { name: 'cpu fused', backend: 'cpu', composite: false },
  { name: 'cpu composite', backend: 'cpu', composite: true },
  { name: 'wasm fused', backend: 'wasm', composite: false },
  { name: 'wasm composite', backend: 'wasm', composite: true },
];

let wasmPathsSet = false;

export async function useBackend(backend: 'cpu' | 'wasm'): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
}

/** `describe(title [env])` once per environment, with its backend selected before its tests. */
export function describeEachEnv(title: string, body: (env: TestEnv) => void, envs: readonly TestEnv[] = TEST_ENVS): void {
  for (const env of envs) {
    describe(`${title} [${env.name}]`, () => {
      beforeAll(() => useBackend(env.backend));
      body(env);
    });
  }
}
