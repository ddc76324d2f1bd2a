import { defineConfig } from 'vitest/config';

// Training with tfjs-layers on the cpu backend takes a few seconds; the default 5 s is tight.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000 } });
