// A small batch through the typed-array adapter: the per-element focal loss, its mean, and the
// gradient with respect to the logits. Run from the repo root with `pnpm demo` (it builds first).
import { sigmoidFocalLoss, softmaxFocalLoss } from '@focal-loss/typed-array';

const fmt = (v) => (Object.is(v, -0) ? 0 : v).toExponential(6).padStart(14);
function printMatrix(title, { data, shape }) {
  console.log(`${title}  shape [${shape.join(', ')}]`);
  const cols = shape.at(-1) ?? 1;
  for (let r = 0; r < data.length / cols; r++) {
    console.log('  ' + Array.from(data.subarray(r * cols, (r + 1) * cols), fmt).join(''));
  }
}

// Four anchors, three classes, multi-label targets. Row 0 holds the paper's worked example:
// logit ln 4 gives p = 0.8, so with y = 1, alpha = 0.25, gamma = 2: 0.25 * 0.2^2 * -ln 0.8 = 0.00223144.
const logits = new Float64Array([Math.log(4), -2, 0.5, 3, -1, -6, 40, -40, 0, -0.25, 7, 1.5]);
const targets = new Float32Array([1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0]);
const input = { data: logits, shape: [4, 3] };
const target = { data: targets, shape: [4, 3] };

console.log('sigmoid_focal_loss, alpha 0.25, gamma 2 (torchvision defaults)\n');
printMatrix('logits', input);
const perElement = sigmoidFocalLoss(input, target, { reduction: 'none', gradient: true });
printMatrix('loss (reduction "none")', perElement.loss);
printMatrix('d loss / d logits', perElement.gradInput);
console.log(`worked example FL(p=0.8, y=1) = ${perElement.loss.data[0].toFixed(8)} (expected 0.00223144)`);

// RetinaNet normalises the sum by the number of positive anchors rather than by the element count.
const positives = targets.reduce((n, t) => n + t, 0);
const retina = sigmoidFocalLoss(input, target, { reduction: 'mean', normalizer: positives, gradient: true });
console.log(`\nsum / ${positives} positives = ${retina.loss.data[0].toPrecision(10)}`);
console.log('note: logit 40 with target 0 and -40 with target 1 are saturated; the gradient stays finite.');

// gamma = 0.5 at saturated logits is where autograd of pow produces NaN; the analytic gradient does not.
const saturated = sigmoidFocalLoss(
  { data: new Float64Array([-1e4, -100, 100, 1e4]), shape: [4] },
  { data: new Float32Array([0, 0, 1, 1]), shape: [4] },
  { gamma: 0.5, reduction: 'none', gradient: true },
);
console.log(`\ngamma 0.5 at logits -1e4, -100 (t=0) and 100, 1e4 (t=1):`);
console.log(`  loss ${Array.from(saturated.loss.data, fmt).join('')}`);
console.log(`  grad ${Array.from(saturated.gradInput.data, fmt).join('')}`);

// Softmax focal loss with integer class targets, one position ignored.
console.log('\nsoftmax_focal_loss, gamma 2, alpha null, ignoreIndex -1\n');
const scores = { data: new Float32Array([2, 0.5, -1, 0, 0, 0, -3, 4, 1]), shape: [3, 3] };
const labels = { data: new Int32Array([0, -1, 1]), shape: [3] };
const soft = softmaxFocalLoss(scores, labels, { alpha: null, ignoreIndex: -1, reduction: 'none', gradient: true });
printMatrix('scores', scores);
console.log(`loss per position: ${Array.from(soft.loss.data, fmt).join('')}  (the ignored row is 0)`);
printMatrix('d loss / d scores', soft.gradInput);
