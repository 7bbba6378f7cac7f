import type { Resource } from '@medplum/fhirtypes';

/**
 * True when two resources hold the same content apart from `meta` (which the server rewrites on
 * every write: versionId, lastUpdated). Object key order does not matter; array order does, as
 * it does in FHIR.
 */
export function sameContent(a: Resource, b: Resource): boolean {
  const { meta: _a, ...restA } = a;
  const { meta: _b, ...restB } = b;
  return deepEqual(restA, restB);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const objectA = a as Record<string, unknown>;
  const objectB = b as Record<string, unknown>;
  const keysA = Object.keys(objectA);
  if (keysA.length !== Object.keys(objectB).length) return false;
  return keysA.every((key) => Object.hasOwn(objectB, key) && deepEqual(objectA[key], objectB[key]));
}
