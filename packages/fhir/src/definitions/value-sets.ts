import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';

/**
 * Expands value sets locally into the set of their codes, for checking `required` bindings on
 * `code` elements. Only value sets built from whole code systems, enumerated concepts and other
 * such value sets are expanded; one with a filter, or that names a code system we do not hold,
 * yields `undefined` so the caller skips the check rather than rejects good data.
 */
export class ValueSetExpander {
  readonly #valueSets: ReadonlyMap<string, ValueSet>;
  readonly #codeSystems: ReadonlyMap<string, CodeSystem>;
  readonly #expanded = new Map<string, ReadonlySet<string> | undefined>();

  constructor(valueSets: ReadonlyMap<string, ValueSet>, codeSystems: ReadonlyMap<string, CodeSystem>) {
    this.#valueSets = valueSets;
    this.#codeSystems = codeSystems;
  }

  /** The codes in the value set (canonical URL, a `|version` suffix is ignored), or undefined. */
  codes(canonical: string): ReadonlySet<string> | undefined {
    const [url = ''] = canonical.split('|');
    if (this.#expanded.has(url)) return this.#expanded.get(url);
    // Marks the value set as in progress, so a cycle ends as "cannot expand".
    this.#expanded.set(url, undefined);
    const codes = this.#expand(url);
    this.#expanded.set(url, codes);
    return codes;
  }

  #expand(url: string): ReadonlySet<string> | undefined {
    const valueSet = this.#valueSets.get(url);
    const compose = valueSet?.compose;
    if (!compose?.include?.length || compose.exclude?.length) return undefined;
    const codes = new Set<string>();
    for (const include of compose.include) {
      if (include.filter?.length) return undefined;
      for (const nested of include.valueSet ?? []) {
        const nestedCodes = this.codes(nested);
        if (!nestedCodes) return undefined;
        for (const code of nestedCodes) codes.add(code);
      }
      if (include.concept?.length) {
        for (const concept of include.concept) codes.add(concept.code ?? '');
      } else if (include.system) {
        const codeSystem = this.#codeSystems.get(include.system);
        if (!codeSystem?.concept?.length || codeSystem.content !== 'complete') return undefined;
        addConcepts(codeSystem.concept, codes);
      }
    }
    return codes;
  }
}

function addConcepts(concepts: readonly CodeSystemConcept[], codes: Set<string>): void {
  for (const concept of concepts) {
    if (concept.code) codes.add(concept.code);
    if (concept.concept) addConcepts(concept.concept, codes);
  }
}
