// Problems as FHIR OperationOutcome bodies (the shape every Ketenlog HTTP error has).
import type { Problem } from './problem.ts';

export const PROBLEM_SYSTEM = 'urn:ketenlog:carelog:problem';

const ISSUE_TYPE: Readonly<Record<number, string>> = {
  400: 'invalid',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  422: 'business-rule',
};

export interface OperationOutcome {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly {
    readonly severity: 'error';
    readonly code: string;
    readonly details: { readonly coding: readonly { system: string; code: string }[]; readonly text: string };
  }[];
}

export function operationOutcome(status: number, code: string, text: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: ISSUE_TYPE[status] ?? 'processing',
        details: { coding: [{ system: PROBLEM_SYSTEM, code }], text },
      },
    ],
  };
}

export const outcomeOf = (problem: Problem): OperationOutcome =>
  operationOutcome(problem.status, problem.code, problem.message);
