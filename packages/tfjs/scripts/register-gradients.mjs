// Preloaded with `tsx --import ./scripts/register-gradients.mjs`: installs the resolve hook above,
// then registers tfjs-core's gradients (the kernels' gradient registry is global, so the CommonJS
// build that `import '@tensorflow/tfjs-core'` loads in Node sees them too).
import { register } from 'node:module';

register('./tfjs-core-esm-resolve.mjs', import.meta.url);
await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
