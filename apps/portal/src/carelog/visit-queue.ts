// Visits logged while the phone is offline: the carer's device key signs the carelog.entry at once
// (the same statement the node's draft route would give), and the signed envelope waits in this
// browser's storage until the phone is online again; then it is submitted, and the node checks
// every visit rule as usual. Only pseudonyms and times are stored, never a BSN or a name.
import { carelogApi, type Visit } from '../api/carelog.ts';
import type { CarerKey } from './carer-key.ts';

export interface QueuedVisit {
  envelope: unknown;
  supersedes?: string;
  /** What the carer sees in the queue. */
  label: string;
}

const keyOf = (carer: string) => `ketenlog-visit-queue:${carer}`;

export function queuedVisits(carer: string): QueuedVisit[] {
  try {
    return JSON.parse(localStorage.getItem(keyOf(carer)) ?? '[]') as QueuedVisit[];
  } catch {
    return [];
  }
}

function save(carer: string, queue: QueuedVisit[]): void {
  if (queue.length === 0) localStorage.removeItem(keyOf(carer));
  else localStorage.setItem(keyOf(carer), JSON.stringify(queue));
}

/** Signs the visit now with the device key and queues it. */
export async function queueVisit(
  carer: string,
  key: CarerKey,
  indication: string,
  subject: string,
  visit: Visit,
  supersedes?: string,
): Promise<void> {
  const { KIND_CARELOG_ENTRY, STATEMENT_VERSION } = await import('@ketenlog/logbook/core');
  const statement = {
    kind: KIND_CARELOG_ENTRY,
    v: STATEMENT_VERSION,
    author: key.keyId,
    iat: Math.floor(Date.now() / 1000),
    subject,
    body: { indication, ...visit },
  };
  const envelope = await key.sign(statement);
  const label = `${visit.date} ${visit.start}–${visit.end}`;
  save(carer, [...queuedVisits(carer), { envelope, label, ...(supersedes ? { supersedes } : {}) }]);
}

export interface FlushResult {
  sent: number;
  /** Visits the node refused (with its Dutch reason); they leave the queue. */
  refused: { label: string; message: string }[];
}

let flushing: Promise<FlushResult> | undefined;

/** Submits what is queued, in order; a visit stays queued only while the node cannot be reached. */
export function flushVisits(carer: string): Promise<FlushResult> {
  flushing ??= flush(carer).finally(() => (flushing = undefined));
  return flushing;
}

async function flush(carer: string): Promise<FlushResult> {
  const result: FlushResult = { sent: 0, refused: [] };
  const left: QueuedVisit[] = [];
  for (const queued of queuedVisits(carer)) {
    const answer = await carelogApi.submitEntry(queued.envelope, queued.supersedes);
    if (answer.kind === 'ok') result.sent++;
    else if (answer.kind === 'error' && answer.status === 0) left.push(queued);
    else
      result.refused.push({
        label: queued.label,
        message: answer.kind === 'error' ? answer.message : answer.kind,
      });
  }
  save(carer, left);
  return result;
}
