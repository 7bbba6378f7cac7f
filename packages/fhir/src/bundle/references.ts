/**
 * Rewrites `Reference.reference` values that name another entry of the same transaction by its
 * `fullUrl` (e.g. `urn:uuid:...`) to the resource's assigned `Type/id` (FHIR R4 §3.1.0.11.2).
 * Returns a copy; the input is left as it was.
 */
export function resolveReferences<T>(value: T, assigned: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, assigned)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === 'reference' && typeof item === 'string' && assigned.has(item)
        ? assigned.get(item)
        : resolveReferences(item, assigned);
  }
  return out as T;
}
