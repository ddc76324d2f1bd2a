import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the first ORT session of a worker starts the wasm backend (seconds on a loaded machine);
    // every test stays bounded, the slow ones set their own limit
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
