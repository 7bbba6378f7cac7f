// A statement as the person is asked to sign it, before the node fills in the author (her
// passkey's key ID) and the time.
import type { Json } from '@ketenlog/logbook';

export interface StatementDraft {
  readonly kind: string;
  readonly subject?: string;
  readonly body: { readonly [key: string]: Json };
}

export function isStatementDraft(value: unknown): value is StatementDraft {
  if (typeof value !== 'object' || value === null) return false;
  const draft = value as Record<string, unknown>;
  return (
    typeof draft.kind === 'string' &&
    (draft.subject === undefined || typeof draft.subject === 'string') &&
    typeof draft.body === 'object' &&
    draft.body !== null &&
    !Array.isArray(draft.body)
  );
}
