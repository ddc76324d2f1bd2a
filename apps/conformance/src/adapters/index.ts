/**
 * The adapter registry for Node. Each adapter module is browser-safe and exports a factory; what
 * only Node knows (where wasm files live on disk) is resolved here and passed in.
 * Order matters only for the table.
 */
import type { ConformanceAdapter } from '../adapter.js';
import { createTypedArrayAdapters } from './typed-array.js';
import { createTypedArraySimdAdapter } from './typed-array-simd.js';
import { createTypedArrayPoolAdapter } from './typed-array-pool.js';
import { createOnnxRuntimeWebAdapter } from './onnxruntime-web.js';
import { createTfjsAdapters } from './tfjs.js';
import { tfjsWasmDirectory } from './tfjs-wasm-path.js';

export function createNodeAdapters(): ConformanceAdapter[] {
  return [
    ...createTypedArrayAdapters(),
    createTypedArraySimdAdapter(),
    createTypedArrayPoolAdapter(),
    ...createTfjsAdapters({ wasmPaths: tfjsWasmDirectory() }),
    // Node loads the wasm files next to onnxruntime-web's own dist; no wasmPaths needed
    createOnnxRuntimeWebAdapter({ numThreads: 1 }),
  ];
}
