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

/** The one error type of the project: a message that names the bad value, and a stable `code`. */
export class FocalLossError extends Error {
  readonly code: FocalLossErrorCode;

  constructor(code: FocalLossErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'FocalLossError';
    this.code = code;
  }
}

export function isFocalLossError(value: unknown): value is FocalLossError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** Renders a value for an error message: short, unambiguous, never throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map(describeValue).join(', ');
    return `[${items}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
  }
  if (typeof value === 'object') {
    try {
      const json = JSON.stringify(value);
      return json.length > 80 ? `${json.slice(0, 77)}...` : json;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
