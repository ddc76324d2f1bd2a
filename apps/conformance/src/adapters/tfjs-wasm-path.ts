/** Node only: where @tensorflow/tfjs-backend-wasm keeps its *.wasm files, for `setWasmPaths`. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export function tfjsWasmDirectory(): string {
  // The package's Node entry point (main) lives in dist/, next to the .wasm binaries.
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return `${dirname(entry)}/`;
}
