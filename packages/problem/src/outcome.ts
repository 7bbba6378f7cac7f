// The OperationOutcome a problem becomes: the shape every Ketenlog HTTP error has. One issue per
// problem: `code` a FHIR issue type, `diagnostics` the text; a package's own code rides along as a
// coding of `details` (system PROBLEM_SYSTEM), so programs can act on it and the portal reads one shape.
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Problem } from './problem.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The coding system of Ketenlog's own problem codes. */
export const PROBLEM_SYSTEM = 'urn:ketenlog:problem';

/** FHIR R4's issue type codes, all of them (http://hl7.org/fhir/R4/valueset-issue-type.html). */
export const ISSUE_CODES = [
  'invalid',
  'structure',
  'required',
  'value',
  'invariant',
  'security',
  'login',
  'unknown',
  'expired',
  'forbidden',
  'suppressed',
  'processing',
  'not-supported',
  'duplicate',
  'multiple-matches',
  'not-found',
  'deleted',
  'too-long',
  'code-invalid',
  'extension',
  'too-costly',
  'business-rule',
  'conflict',
  'transient',
  'lock-error',
  'no-store',
  'exception',
  'timeout',
  'incomplete',
  'throttled',
  'informational',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

const ISSUE_CODE_SET: ReadonlySet<string> = new Set(ISSUE_CODES);
const isIssueCode = (code: string): code is IssueCode => ISSUE_CODE_SET.has(code);

/** The FHIR issue type that fits an HTTP status, for problems whose code is a package's own. */
export function issueCodeFor(status: number): IssueCode {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 410) return 'deleted';
  if (status === 413) return 'too-costly';
  if (status === 415) return 'not-supported';
  if (status === 422) return 'business-rule';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'exception';
  return 'invalid';
}

export function outcome(
  severity: OperationOutcomeIssue['severity'],
  code: IssueCode,
  diagnostics: string,
  expression?: string,
): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression) issue.expression = [expression];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

export function issues(list: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: list };
}

/** A problem as an OperationOutcome with one error issue. */
export function outcomeOf(problem: Problem, issue?: IssueCode): OperationOutcome {
  const { status, code, text } = problem;
  if (issue === undefined && isIssueCode(code)) return outcome('error', code, text);
  return issues([
    {
      severity: 'error',
      code: issue ?? issueCodeFor(status),
      diagnostics: text,
      details: { coding: [{ system: PROBLEM_SYSTEM, code }], text },
    },
  ]);
}

export const allOk = (diagnostics = 'All OK'): OperationOutcome =>
  outcome('information', 'informational', diagnostics);
