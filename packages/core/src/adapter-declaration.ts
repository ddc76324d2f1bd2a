/**
 * Options beyond the contract's 1.1 base (Poly-1's `polyEpsilon`, and later the presets' options)
 * reach adapters one at a time. An adapter that has not implemented one yet must refuse it rather
 * than silently compute the base loss: each adapter declares, in its call plan, what it implements
 * beyond the base, and an option given with a non-default value that the adapter has not declared
 * is INVALID_OPTION naming the option and the adapter.
 *
 * A new option is one row in EXTENSION_OPTIONS (its name and when it is "in effect"); a feature
 * that is not an option value (e.g. a new target kind) calls requireImplemented at its own step.
 */
import { FocalLossError } from './errors.js';
import {
  SIGMOID_DEFAULTS,
  SOFTMAX_DEFAULTS,
  type LossOpName,
  type ResolvedSigmoidOptions,
  type ResolvedSoftmaxOptions,
} from './options.js';

/** What the calling adapter implements beyond the 1.1 base. */
export interface AdapterDeclaration {
  /** The adapter's name in messages, e.g. "@focal-loss/tfjs". */
  readonly adapter: string;
  /** Names of the options (and features) beyond the 1.1 base that it implements, e.g. ['polyEpsilon']. */
  readonly implements: readonly string[];
}

/** An adapter that declares nothing: the 1.1 base only (what a plan assumes when given no declaration). */
export const BASE_ONLY: AdapterDeclaration = Object.freeze({ adapter: 'this adapter', implements: Object.freeze([]) });

/** One option beyond the base: its name, and whether a resolved value asks for anything the base does not do. */
export interface ExtensionOption<Resolved> {
  readonly name: string;
  readonly inEffect: (options: Resolved) => boolean;
}

/** The options beyond the 1.1 base, per op (append rows; see the file comment). */
export const EXTENSION_OPTIONS: {
  readonly sigmoid_focal_loss: readonly ExtensionOption<ResolvedSigmoidOptions>[];
  readonly softmax_focal_loss: readonly ExtensionOption<ResolvedSoftmaxOptions>[];
} = {
  sigmoid_focal_loss: [
    { name: 'polyEpsilon', inEffect: (o) => o.polyEpsilon !== 0 },
    // issue 14 (presets.ts); sigmoid class-index targets are a feature: SIGMOID_CLASS_INDEX_TARGETS
    { name: 'preset', inEffect: (o) => o.preset !== null },
    { name: 'posWeight', inEffect: (o) => o.posWeight !== 1 },
    { name: 'ignoreIndex', inEffect: (o) => o.ignoreIndex !== null },
  ],
  softmax_focal_loss: [
    { name: 'polyEpsilon', inEffect: (o) => o.polyEpsilon !== 0 },
    { name: 'preset', inEffect: (o) => o.preset !== null },
    { name: 'normalizeProbabilities', inEffect: (o) => o.normalizeProbabilities },
  ],
};

/** The feature name of sigmoid int32 class-index targets (label C = background), for requireImplemented. */
export const SIGMOID_CLASS_INDEX_TARGETS = 'sigmoidClassIndexTargets';

/** INVALID_OPTION unless the adapter declared `feature`. */
export function requireImplemented(feature: string, declaration: AdapterDeclaration): void {
  if (!declaration.implements.includes(feature)) {
    throw new FocalLossError(
      'INVALID_OPTION',
      `${feature} is not implemented by ${declaration.adapter} yet (it implements the contract's 1.1 base` +
        `${declaration.implements.length === 0 ? '' : ` and ${declaration.implements.join(', ')}`})`,
    );
  }
}

/** Step 2's last check: every extension option in effect must be declared by the adapter. */
export function requireDeclaredOptions(
  op: 'sigmoid_focal_loss',
  options: ResolvedSigmoidOptions,
  declaration: AdapterDeclaration,
): void;
export function requireDeclaredOptions(
  op: 'softmax_focal_loss',
  options: ResolvedSoftmaxOptions,
  declaration: AdapterDeclaration,
): void;
export function requireDeclaredOptions(
  op: LossOpName,
  options: ResolvedSigmoidOptions | ResolvedSoftmaxOptions,
  declaration: AdapterDeclaration,
): void {
  const rows = EXTENSION_OPTIONS[op] as readonly ExtensionOption<ResolvedSigmoidOptions | ResolvedSoftmaxOptions>[];
  for (const row of rows) if (row.inEffect(options)) requireImplemented(row.name, declaration);
}

/**
 * The extension options that raw (unchecked) options give with a value other than the default:
 * what a test harness skips on an adapter that has not declared them (a value that is invalid
 * counts too, so an error fixture about the option is skipped there as well).
 */
export function extensionOptionsGiven(op: LossOpName, options: Readonly<Record<string, unknown>>): string[] {
  const defaults = (op === 'sigmoid_focal_loss' ? SIGMOID_DEFAULTS : SOFTMAX_DEFAULTS) as unknown as Readonly<
    Record<string, unknown>
  >;
  return EXTENSION_OPTIONS[op]
    .map((row) => row.name)
    .filter((name) => options[name] !== undefined && options[name] !== defaults[name]);
}
