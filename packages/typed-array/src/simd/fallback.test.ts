// Without WebAssembly SIMD (feature detection answering false), the SIMD entry is the scalar ops:
// the same results exactly, and simdStatus() says so.
import { describe, expect, it, vi } from 'vitest';

vi.mock('./feature.js', () => ({ simdSupported: () => false }));

const { sigmoidFocalLoss, simdStatus, softmaxFocalLoss, initSimd } = await import('./ops.js');
const scalar = await import('../index.js');

describe('the SIMD entry on a runtime without SIMD', () => {
  it('reports the JavaScript backend and why', async () => {
    expect(await initSimd()).toBe(false);
    expect(simdStatus()).toEqual({ backend: 'javascript', reason: 'this runtime has no WebAssembly SIMD' });
  });

  it('gives the scalar results exactly', () => {
    const x = { data: Float32Array.of(-3, 0.25, 7, Infinity, 2), shape: [5] };
    const t = { data: Float32Array.of(0, 1, 0.3, 1, 0), shape: [5] };
    const options = { gradient: true, reduction: 'none', gamma: 1.5 } as const;
    const ours = sigmoidFocalLoss(x, t, options);
    const theirs = scalar.sigmoidFocalLoss(x, t, options);
    expect(Array.from(ours.loss.data)).toEqual(Array.from(theirs.loss.data));
    expect(Array.from(ours.gradInput!.data)).toEqual(Array.from(theirs.gradInput!.data));
    const logits = { data: Float32Array.of(1, 2, 3, -1, 0, 4), shape: [2, 3] };
    const labels = { data: Int32Array.of(2, 0), shape: [2] };
    expect(softmaxFocalLoss(logits, labels).loss.data[0]).toBe(scalar.softmaxFocalLoss(logits, labels).loss.data[0]);
  });
});
