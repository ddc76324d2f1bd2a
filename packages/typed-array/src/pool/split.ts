/**
 * How a call is cut for the workers: the blocks (fixed by the input alone) are shared out in
 * contiguous ranges; without shared memory each worker receives the whole outer slices its
 * positions fall in, and only its own positions are copied back.
 */

/** Contiguous ranges of blocks, one per worker that gets any (at most `threads`). */
export function shareBlocks(blocks: number, threads: number): Array<[number, number]> {
  const workers = Math.min(threads, blocks);
  const ranges: Array<[number, number]> = [];
  for (let w = 0; w < workers; w++) {
    ranges.push([Math.floor((blocks * w) / workers), Math.floor((blocks * (w + 1)) / workers)]);
  }
  return ranges;
}

/**
 * Calls `run(start, length)` for the contiguous element runs of positions [first, end) in a
 * (outer, classes, inner) layout (the sigmoid is classes = inner = 1): whole outer slices in one
 * run, partial slices one run per class.
 */
export function forEachRun(
  first: number,
  end: number,
  classes: number,
  inner: number,
  run: (start: number, length: number) => void,
): void {
  let p = first;
  while (p < end) {
    const o = Math.floor(p / inner);
    const i0 = p - o * inner;
    if (i0 === 0 && end - p >= inner) {
      const slices = Math.floor((end - p) / inner);
      run(p * classes, slices * classes * inner);
      p += slices * inner;
      continue;
    }
    const length = Math.min(end, (o + 1) * inner) - p;
    for (let c = 0; c < classes; c++) run(o * classes * inner + c * inner + i0, length);
    p += length;
  }
}
