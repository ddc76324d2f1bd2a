/**
 * The error codes every adapter raises. They are part of the fixture contract: a fixture that
 * expects an error names one of them, and an adapter passes when it throws an error whose `code`
 * matches.
 */
export type FocalLossErrorCode = 'INVALID_OPTION' | 'SHAPE_MISMATCH' | 'INVALID_TARGET';

export const ERROR_CODES: readonly FocalLossErrorCode[] = [
  'INVALID_OPTION',
  'SHAPE_MISMATCH',
  'INVALID_TARGET',
];

/**
 * A code an adapter adds for its own API (e.g. the ORT runner's `RUNNER_DISPOSED`), documented in
 * its README. The contract allows them, but never for a rule of the contract itself.
 */
export type AdapterErrorCode = string & { readonly adapterCode?: never };

/** The one error type of the project: a message that names the bad value, and a stable `code`. */
export class FocalLossError extends Error {
  readonly code: FocalLossErrorCode | AdapterErrorCode;

  constructor(code: FocalLossErrorCode | AdapterErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'FocalLossError';
    this.code = code;
  }
}

/**
 * True for a FocalLossError, also one from another copy of the package (two versions installed):
 * an Error named "FocalLossError" with a string code, or any Error carrying a contract code.
 */
export function isFocalLossError(value: unknown): value is FocalLossError {
  if (value instanceof FocalLossError) return true;
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return value.name === 'FocalLossError' || (ERROR_CODES as readonly string[]).includes(code);
}

/** Longest rendering of a value in a message; longer ones are cut with "…". */
const MAX_DESCRIPTION = 80;
/** Nesting shown before "…": deep values (a 1e5-deep array) must not recurse or overflow the stack. */
const MAX_DEPTH = 2;

function describeAt(value: unknown, depth: number): string {
  if (typeof value === 'string') {
    const json = JSON.stringify(value.length > MAX_DESCRIPTION ? `${value.slice(0, MAX_DESCRIPTION)}…` : value);
    return json;
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) return value.length === 0 ? '[]' : `[… (${value.length} items)]`;
    const shown: string[] = [];
    for (let i = 0; i < Math.min(value.length, 8); i++) {
      // a hole is not undefined: say so, since holes are what the 1.1 rules reject
      shown.push(i in value ? describeAt(value[i], depth + 1) : '<hole>');
    }
    return `[${shown.join(', ')}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // class instances (Map, tensors, typed arrays): their kind, never their contents
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    const kind = typeof name === 'string' && name !== '' ? name : Object.prototype.toString.call(value);
    const length = (value as { length?: unknown }).length;
    return typeof length === 'number' ? `${kind}(${length})` : kind;
  }
  if (depth >= MAX_DEPTH) return '{…}';
  const keys = Object.keys(value);
  const shown = keys
    .slice(0, 6)
    .map((k) => `${JSON.stringify(k)}: ${describeAt((value as Record<string, unknown>)[k], depth + 1)}`);
  return `{${shown.join(', ')}${keys.length > 6 ? ', …' : ''}}`;
}

/**
 * Renders a value for an error message: short, unambiguous, never throwing and never recursing
 * deeper than a few levels (so a hostile, deeply nested value cannot overflow the stack).
 */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = describeAt(value, 0);
  } catch {
    // a getter or proxy that throws: name the kind only
    text = Object.prototype.toString.call(value);
  }
  return text.length > 2 * MAX_DESCRIPTION ? `${text.slice(0, 2 * MAX_DESCRIPTION - 1)}…` : text;
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
