/**
 * @focal-loss/tfjs: the losses, with this package's fused kernels registered for the cpu and wasm
 * backends (a side effect, listed in package.json "sideEffects"). `@focal-loss/tfjs/base` is the
 * same API without registering anything.
 */
import './kernels/register-all-kernels.js';

export * from './base.js';
