/**
 * Child process of runner-lifecycle.test.ts: dispose() while runs are in flight. Before the fix
 * this spun ORT's wasm at 100% CPU inside a synchronous call, so no in-process timer could fail
 * the test; the parent bounds this process with a kill timeout instead. Prints one JSON line:
 * every run's outcome ("ok" or an error code) and whether dispose resolved.
 */
import { FocalLossRunner } from '../src/index.js';

type Outcome = string;

function settle(p: Promise<unknown>): Promise<Outcome> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e as { code?: string }).code ?? `raw: ${String(e)}`,
  );
}

async function scenario(warm: boolean): Promise<{ runs: Outcome[]; dispose: Outcome }> {
  const runner = new FocalLossRunner({ numThreads: 1 });
  const n = 200_000;
  const x = { data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)), shape: [n] };
  const t = { data: Float32Array.from({ length: n }, (_, i) => i % 2), shape: [n] };
  if (warm) await runner.sigmoidFocalLoss(x, t, { gradient: true });
  const runs: Promise<Outcome>[] = [];
  for (let i = 0; i < 6; i++) {
    // warm: all on the cached session (runs executing); cold: sessions still being created
    const options = warm ? { gradient: true } : { gradient: i % 2 === 0, gamma: i };
    runs.push(settle(runner.sigmoidFocalLoss(x, t, options)));
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  const dispose = settle(runner.dispose());
  return { runs: await Promise.all(runs), dispose: await dispose };
}

const cold = await scenario(false);
const warm = await scenario(true);
process.stdout.write(`${JSON.stringify({ cold, warm })}\n`);
