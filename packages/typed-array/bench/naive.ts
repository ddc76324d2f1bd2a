/**
 * The straightforward sigmoid focal loss that most published snippets use: separate passes, a
 * materialised p, 1 - p by subtraction and the composite derivative. The benchmark's baseline only;
 * it is inaccurate at saturated logits (1 - p rounds to 0) and is not exported.
 */
export function naiveSigmoidFocalLoss(
  x: Float32Array,
  t: Float32Array,
  alpha: number,
  gamma: number,
  grad: Float32Array | null,
): number {
  const n = x.length;
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(-(x[i] as number)));
  const loss = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number;
    const ti = t[i] as number;
    const ce = -(ti * Math.log(pi) + (1 - ti) * Math.log(1 - pi));
    const pt = pi * ti + (1 - pi) * (1 - ti);
    const at = alpha * ti + (1 - alpha) * (1 - ti);
    loss[i] = at * Math.pow(1 - pt, gamma) * ce;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += loss[i] as number;
  if (grad !== null) {
    for (let i = 0; i < n; i++) {
      const pi = p[i] as number;
      const ti = t[i] as number;
      const pt = pi * ti + (1 - pi) * (1 - ti);
      const at = alpha * ti + (1 - alpha) * (1 - ti);
      const ce = -(ti * Math.log(pi) + (1 - ti) * Math.log(1 - pi));
      const dpt = (2 * ti - 1) * pi * (1 - pi);
      const dce = pi - ti;
      grad[i] = (at * (-gamma * Math.pow(1 - pt, gamma - 1) * dpt * ce + Math.pow(1 - pt, gamma) * dce)) / n;
    }
  }
  return sum / n;
}
