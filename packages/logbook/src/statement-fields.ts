// The field checks a statement kind's body schema is written in (statement-kinds.ts): each check
// returns a reason, or undefined when the field is fine. Bodies carry identifiers and hashes,
// never content, so a schema lists every field it allows and rejects the rest.
import { fromBase64 } from './bytes.ts';
import type { Json } from './statement.ts';

export type Check = (value: Json | undefined) => string | undefined;
export type Shape = Record<string, { readonly required: boolean; readonly check: Check }>;

export const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;
export const IDENTIFIER = /^[A-Za-z0-9._:/-]{1,200}$/;

export const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 500 ? undefined : 'must be a non-empty string';
export const identifier: Check = (v) =>
  typeof v === 'string' && IDENTIFIER.test(v) ? undefined : 'must be an identifier';
export const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
export const oneOf =
  (...options: string[]): Check =>
  (v) =>
    typeof v === 'string' && options.includes(v) ? undefined : `must be one of ${options.join(', ')}`;
export const hash: Check = (v) =>
  typeof v === 'string' && fromBase64(v)?.length === 32 ? undefined : 'must be a base64 SHA-256 hash';
export const integerIn =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `must be an integer in ${min}..${max}`;
export const date: Check = (v) =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
    ? undefined
    : 'must be a date YYYY-MM-DD';
export const time: Check = (v) =>
  typeof v === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : 'must be a time HH:MM';
export const listOf =
  (item: Check, min: number): Check =>
  (v) => {
    if (!Array.isArray(v) || v.length < min) return `must be a list of at least ${min}`;
    const bad = v.map(item).find((r) => r !== undefined);
    if (bad) return `has an item that ${bad}`;
    return new Set(v.map((x) => JSON.stringify(x))).size === v.length ? undefined : 'has duplicates';
  };

export const req = (check: Check) => ({ required: true, check });
export const opt = (check: Check) => ({ required: false, check });

export function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks an object against a shape; unknown fields are rejected so no content slips in. */
export function checkShape(body: { readonly [key: string]: Json }, shape: Shape): string | undefined {
  for (const key of Object.keys(body)) if (!(key in shape)) return `body.${key} is not allowed`;
  for (const [key, field] of Object.entries(shape)) {
    const value = body[key];
    if (value === undefined) {
      if (field.required) return `body.${key} is required`;
      continue;
    }
    const reason = field.check(value);
    if (reason) return `body.${key} ${reason}`;
  }
  return undefined;
}
