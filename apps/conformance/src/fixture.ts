/**
 * Parsing and validation of one fixture file (format "focal-loss-fixture/1"). Browser-safe: it
 * takes already-parsed JSON, so the Node CLI and the browser page share it.
 */
import { ERROR_CODES, FAMILY_OPS, FAMILY_OPTION_NAMES, SIGMOID_OPTION_NAMES, SOFTMAX_OPTION_NAMES } from '@focal-loss/core';
import type { Dtype, ExpectedOutput, Fixture, FixtureOp, FixtureTensor, Tolerance } from './adapter.js';

export const FIXTURE_FORMAT = 'focal-loss-fixture/1';
const DTYPES: readonly Dtype[] = ['float16', 'float32', 'float64', 'int32'];
const OPS: readonly FixtureOp[] = ['sigmoid_focal_loss', 'softmax_focal_loss', ...FAMILY_OPS];
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * True when IEEE half precision holds `v` exactly (NaN and infinities included): |v| <= 65504 with at
 * most 11 significant bits, or a multiple of 2^-24 below 2^-14 (the subnormals).
 */
export function isFloat16Exact(v: number): boolean {
  if (!Number.isFinite(v)) return true;
  const a = Math.abs(v);
  if (a > 65504) return false;
  if (a < 2 ** -14) return Number.isInteger(a * 2 ** 24);
  const exponent = Math.floor(Math.log2(a));
  // exact powers of two can land one off in log2's rounding: check the neighbouring scale too
  return [exponent - 1, exponent, exponent + 1].some((e) => a >= 2 ** e && a < 2 ** (e + 1) && Number.isInteger(a * 2 ** (10 - e)));
}

/** The contract's option names per op (format 1.1): the only keys an outputs fixture may give. */
export const CONTRACT_OPTION_NAMES: Readonly<Record<FixtureOp, readonly string[]>> = {
  sigmoid_focal_loss: SIGMOID_OPTION_NAMES,
  softmax_focal_loss: SOFTMAX_OPTION_NAMES,
  ...FAMILY_OPTION_NAMES,
};

/**
 * Call options that our adapters' APIs take besides the loss options (the per-call weight tensor,
 * whether to return a gradient, output buffers, target checks). The runner sets them itself from
 * the fixture's inputs, so a fixture may never give them: they would reach the adapter's API and
 * change what the call does instead of testing the contract.
 */
export const ADAPTER_OPTION_NAMES: readonly string[] = ['weight', 'gradient', 'out', 'checkTargets'];

/**
 * Tolerance of an error fixture, which compares no numbers: `tolerance` is optional there and
 * ignored when given (format 1.1).
 */
export const ERROR_FIXTURE_TOLERANCE: Readonly<Record<'loss' | 'gradInput', Tolerance>> = Object.freeze({
  loss: { rtol: 0, atol: 0 },
  gradInput: { rtol: 0, atol: 0 },
});

/** A malformed fixture: names the file and the field (a usage error of the CLI, exit code 2). */
export class FixtureFormatError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'FixtureFormatError';
  }
}

const SHOW_LIMIT = 60;

/**
 * A short text for a value found in a fixture, for messages. Never recurses more than a few
 * levels and never throws, so a 100,000-deep array in a file is reported, not a stack overflow.
 */
export function show(value: unknown, depth = 0): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value.length > SHOW_LIMIT ? `${value.slice(0, SHOW_LIMIT)}...` : value);
  else if (value === undefined) return 'nothing';
  else if (value === null || typeof value !== 'object') text = String(value);
  else if (depth >= 3) text = Array.isArray(value) ? '[...]' : '{...}';
  else if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((v) => show(v, depth + 1));
    text = `[${items.join(',')}${value.length > 8 ? ',...' : ''}]`;
  } else {
    const keys = Object.keys(value);
    const items = keys.slice(0, 6).map((k) => `${JSON.stringify(k)}:${show((value as Record<string, unknown>)[k], depth + 1)}`);
    text = `{${items.join(',')}${keys.length > 6 ? ',...' : ''}}`;
  }
  return text.length > SHOW_LIMIT ? `${text.slice(0, SHOW_LIMIT - 3)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  constructor(readonly file: string) {}

  fail(field: string, expected: string, got: unknown): never {
    throw new FixtureFormatError(this.file, field, `expected ${expected}, got ${show(got)}`);
  }

  record(value: unknown, field: string): Record<string, unknown> {
    return isRecord(value) ? value : this.fail(field, 'an object', value);
  }

  string(value: unknown, field: string): string {
    return typeof value === 'string' && value.length > 0 ? value : this.fail(field, 'a non-empty string', value);
  }

  shape(value: unknown, field: string): number[] {
    if (!Array.isArray(value) || !value.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      this.fail(field, 'an array of non-negative integers', value);
    }
    return value as number[];
  }

  numbers(value: unknown, field: string): number[] {
    if (!Array.isArray(value)) this.fail(field, 'an array of numbers', value);
    return value.map((v, i) => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v] as number;
      return this.fail(`${field}[${i}]`, 'a number or "NaN" / "Infinity" / "-Infinity"', v);
    });
  }

  sizedData(value: unknown, shape: readonly number[], field: string): number[] {
    const data = this.numbers(value, field);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new FixtureFormatError(
        this.file,
        field,
        `has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`,
      );
    }
    return data;
  }

  tensor(value: unknown, field: string): FixtureTensor {
    const t = this.record(value, field);
    const dtype = t['dtype'];
    if (!DTYPES.includes(dtype as Dtype)) this.fail(`${field}.dtype`, `one of ${DTYPES.join(', ')}`, dtype);
    const shape = this.shape(t['shape'], `${field}.shape`);
    const data = this.sizedData(t['data'], shape, `${field}.data`);
    if (dtype === 'int32') {
      data.forEach((v, i) => {
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) this.fail(`${field}.data[${i}]`, 'an int32', v);
      });
    }
    if (dtype === 'float16') {
      // the values an adapter reads as half precision must be exactly those the expected values were computed from
      data.forEach((v, i) => {
        if (!isFloat16Exact(v)) this.fail(`${field}.data[${i}]`, 'a value exactly representable in float16', v);
      });
    }
    return { dtype: dtype as Dtype, shape, data };
  }

  output(value: unknown, field: string): ExpectedOutput {
    const o = this.record(value, field);
    const shape = this.shape(o['shape'], `${field}.shape`);
    return { shape, data: this.sizedData(o['data'], shape, `${field}.data`) };
  }

  tolerance(value: unknown): Fixture['tolerance'] {
    const tolRaw = this.record(value, 'tolerance');
    if ('rtol' in tolRaw || 'atol' in tolRaw) {
      const both = this.tolerancePair(tolRaw, 'tolerance');
      return { loss: both, gradInput: both };
    }
    const loss = this.tolerancePair(tolRaw['loss'], 'tolerance.loss');
    const gradInput = tolRaw['gradInput'] === undefined ? loss : this.tolerancePair(tolRaw['gradInput'], 'tolerance.gradInput');
    return { loss, gradInput };
  }

  tolerancePair(value: unknown, field: string): Tolerance {
    const t = this.record(value, field);
    const rtol = t['rtol'];
    const atol = t['atol'];
    if (typeof rtol !== 'number' || !(rtol >= 0)) this.fail(`${field}.rtol`, 'a number >= 0', rtol);
    if (typeof atol !== 'number' || !(atol >= 0)) this.fail(`${field}.atol`, 'a number >= 0', atol);
    return { rtol, atol };
  }
}

/**
 * Options must be the contract's option names for the op. The one exception: a fixture expecting
 * INVALID_OPTION may give an unknown name, since "unknown option names are rejected" is itself a
 * rule adapters are tested on. Adapter-only call options are never allowed, not even there.
 */
function checkOptionNames(r: Reader, op: FixtureOp, options: Record<string, unknown>, expected: Fixture['expected']): void {
  const names = CONTRACT_OPTION_NAMES[op];
  for (const key of Object.keys(options)) {
    if (names.includes(key)) continue;
    if (ADAPTER_OPTION_NAMES.includes(key)) {
      throw new FixtureFormatError(
        r.file,
        `options.${key}`,
        `"${key}" is an adapter's call option, not an option of ${op} (the runner sets it from the fixture's inputs)`,
      );
    }
    if (expected.kind === 'error' && expected.code === 'INVALID_OPTION') continue;
    throw new FixtureFormatError(
      r.file,
      `options.${key}`,
      `unknown option of ${op} (known: ${names.join(', ')}); only a fixture expecting INVALID_OPTION may give one`,
    );
  }
}

/** Validates parsed JSON as a fixture; `file` labels messages. Throws FixtureFormatError. */
export function parseFixture(json: unknown, file: string): Fixture {
  const r = new Reader(file);
  const root = r.record(json, '(root)');
  if (root['format'] !== FIXTURE_FORMAT) r.fail('format', JSON.stringify(FIXTURE_FORMAT), root['format']);
  const name = r.string(root['name'], 'name');
  const op = root['op'];
  if (!OPS.includes(op as FixtureOp)) r.fail('op', OPS.map((o) => JSON.stringify(o)).join(' or '), op);
  const reference = root['reference'] === undefined ? '' : r.string(root['reference'], 'reference');
  const options = root['options'] === undefined ? {} : r.record(root['options'], 'options');

  const inputs = r.record(root['inputs'], 'inputs');
  const input = r.tensor(inputs['input'], 'inputs.input');
  const target = r.tensor(inputs['target'], 'inputs.target');
  const weight = inputs['weight'] === undefined ? undefined : r.tensor(inputs['weight'], 'inputs.weight');
  for (const key of Object.keys(inputs)) {
    if (!['input', 'target', 'weight'].includes(key)) r.fail(`inputs.${key}`, 'only input, target, weight', key);
  }

  const expectedRaw = r.record(root['expected'], 'expected');
  let expected: Fixture['expected'];
  if ('error' in expectedRaw) {
    const code = r.string(expectedRaw['error'], 'expected.error');
    if (!(ERROR_CODES as readonly string[]).includes(code)) r.fail('expected.error', `one of ${ERROR_CODES.join(', ')}`, code);
    expected = { kind: 'error', code };
  } else {
    const loss = r.output(expectedRaw['loss'], 'expected.loss');
    const gradInput =
      expectedRaw['gradInput'] === undefined ? undefined : r.output(expectedRaw['gradInput'], 'expected.gradInput');
    expected = gradInput === undefined ? { kind: 'outputs', loss } : { kind: 'outputs', loss, gradInput };
  }
  checkOptionNames(r, op as FixtureOp, options, expected);

  // Error fixtures compare no numbers: their tolerance is optional and ignored (format 1.1).
  const tolerance = expected.kind === 'error' ? ERROR_FIXTURE_TOLERANCE : r.tolerance(root['tolerance']);

  const fixture: Fixture = {
    file,
    name,
    op: op as FixtureOp,
    reference,
    options,
    inputs: weight === undefined ? { input, target } : { input, target, weight },
    expected,
    tolerance,
  };
  return fixture;
}

/** The group of a fixture: the first segment of its path-like name. */
export function fixtureGroup(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : '(top)';
}

/** Sorts by name and rejects duplicate names, naming both files. */
export function checkUniqueNames(fixtures: readonly Fixture[]): Fixture[] {
  const sorted = [...fixtures].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as Fixture;
    const b = sorted[i] as Fixture;
    if (a.name === b.name) {
      throw new FixtureFormatError(b.file, 'name', `duplicate fixture name ${JSON.stringify(b.name)} (also in ${a.file})`);
    }
  }
  return sorted;
}
