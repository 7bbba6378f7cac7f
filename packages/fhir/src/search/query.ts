import type { SearchParamType } from './definitions.ts';
import type { DateRange } from './values.ts';

/**
 * The parsed form of a FHIR search (R4 §3.1.1): filters over index tables, plus the result
 * parameters. Produced by parse.ts, compiled to SQL by sql.ts.
 */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** One value of a parameter; values of one parameter occurrence are ORed (comma). */
export type ValueCondition =
  | { type: 'string'; mode: 'prefix' | 'exact' | 'contains'; value: string }
  /** `system` undefined: any system; '' : no system (`|code`). `text`: the `:text` modifier. */
  | { type: 'token'; system?: string; code?: string; text?: string }
  | { type: 'date'; prefix: Prefix; range: DateRange }
  /** `lo`/`hi`: the implicit range of the number as written ("100" is [99.5, 100.5)). */
  | { type: 'number'; prefix: Prefix; value: number; lo: number; hi: number }
  | {
      type: 'quantity';
      prefix: Prefix;
      value: number;
      lo: number;
      hi: number;
      system?: string;
      code?: string;
    }
  | { type: 'reference'; targetType?: string; targetId?: string; url?: string }
  | { type: 'uri'; mode: 'exact' | 'below' | 'above'; value: string };

/** A condition that selects resource ids of `resourceType`. Repeated parameters are ANDed. */
export type Filter =
  | { kind: 'id'; resourceType: string; ids: string[] }
  | { kind: 'lastUpdated'; resourceType: string; values: Array<{ prefix: Prefix; range: DateRange }> }
  | {
      kind: 'index';
      resourceType: string;
      param: string;
      table: SearchParamType;
      values: ValueCondition[];
      /** `:not`: resources without any matching value. */
      negate: boolean;
    }
  | { kind: 'missing'; resourceType: string; param: string; table: SearchParamType; missing: boolean }
  /** `subject:Patient.name=x`: a reference to a resource of `targetTypes` matching `inner`. */
  | {
      kind: 'chain';
      resourceType: string;
      param: string;
      targets: Array<{ targetType: string; inner: Filter }>;
    }
  /** `_has:Observation:patient:code=x`: referenced by an Observation (via patient) matching `inner`. */
  | { kind: 'has'; resourceType: string; sourceType: string; sourceParam: string; inner: Filter }
  /**
   * Compartment search (R4 §3.1.0.10 and CompartmentDefinition): a reference to the compartment's
   * resource through one of the parameters of the resource's type; `groups` gathers the types
   * with the same parameters (one group for a search of one type, several for `Patient/{id}/*`).
   */
  | {
      kind: 'compartment';
      resourceType: string;
      groups: ReadonlyArray<{ types: readonly string[]; params: readonly string[] }>;
      targetType: string;
      targetId: string;
    };

export type SortKey =
  | { column: 'id' | 'lastUpdated'; descending: boolean }
  | { column: 'index'; table: SearchParamType; param: string; descending: boolean };

/** `_include=Observation:subject:Patient` / `_revinclude=Provenance:target`, `param` may be `*`. */
export interface IncludeSpec {
  sourceType: string;
  param: string;
  targetType?: string;
  iterate: boolean;
}

export interface SearchQuery {
  /** The type searched; '' for a search at system level (R4 §3.1.0.9 "search-system"). */
  resourceType: string;
  /** System level: the types of `_type`; empty for every type. */
  resourceTypes: string[];
  filters: Filter[];
  count: number;
  offset: number;
  sort: SortKey[];
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: 'count' | 'true' | 'false' | 'data' | 'text';
  elements?: string[];
  /** Parameters left out under `Prefer: handling=lenient` (not in the self link, named in an outcome entry). */
  ignored: string[];
  total?: 'none' | 'estimate' | 'accurate';
}
