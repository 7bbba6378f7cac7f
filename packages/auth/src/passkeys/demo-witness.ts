// Tests only: the kraamzorg member of the committed demo region as a node and its witnesses see
// it. The node binds passkeys with its demo key and appends signed statements to its log; the
// region's witness rules (RegionPolicy with this package's webauthnVerify) judge every entry.
import { readFileSync } from 'node:fs';
import {
  entryBytes,
  fromBase64,
  signStatement,
  type Json,
  type LogRef,
  type SignedStatement,
} from '@ketenlog/logbook';
import { RegionPolicy, loadRegionConfig, logOriginOf, type Organisation } from '@ketenlog/region';
import type { PasskeyCredential } from './credential.ts';
import { keyBindingStatement } from './passkey-service.ts';
import { createWebAuthnVerify, type RelyingParty } from './statement-assertion.ts';

const REGION_DIR = new URL('../../../region/config/', import.meta.url);

export interface DemoWitness {
  readonly organisation: Organisation;
  readonly policy: RegionPolicy;
  readonly log: LogRef;
  /** Entries accepted so far. */
  size(): number;
  /** Checks an envelope as the next entry; appends it when the witness rules accept it. */
  append(envelope: SignedStatement): { readonly ok: boolean; readonly reason?: string };
  /** For PasskeyRoutesOptions.bindKey: the node's key statement; throws when refused. */
  bindKey(credential: PasskeyCredential): Promise<void>;
  /** For PasskeyRoutesOptions.submitStatement: the witness verdict as the receipt. */
  submitStatement(envelope: SignedStatement): Promise<Json>;
}

export function demoWitness(relyingParties: readonly RelyingParty[]): DemoWitness {
  const config = loadRegionConfig(new URL('demo-region.yaml', REGION_DIR).pathname);
  const secrets = JSON.parse(readFileSync(new URL('demo-region.secrets.json', REGION_DIR), 'utf8')) as {
    organisations: Record<string, { statementSecret: string }>;
  };
  const organisation = config.organisations.find((o) => o.ura === '11110001') as Organisation;
  const [statementKey] = organisation.statementKeys;
  const secret = secrets.organisations[organisation.ura];
  if (!statementKey || !secret) throw new Error('the demo region has no statement key for 11110001');
  const nodeSecret = fromBase64(secret.statementSecret) as Uint8Array;
  const log: LogRef = { logId: organisation.node.id, origin: logOriginOf(config, organisation) };
  const policy = new RegionPolicy(config, { webauthnVerify: createWebAuthnVerify(relyingParties) });
  let size = 0;
  const append = (envelope: SignedStatement) => {
    const bytes = entryBytes(envelope);
    const verdict = policy.check(log, size, bytes);
    if (verdict.ok) policy.accept(log, size++, bytes);
    return verdict;
  };
  return {
    organisation,
    policy,
    log,
    size: () => size,
    append,
    async bindKey(credential) {
      const iat = Math.floor(Date.now() / 1000);
      const binding = keyBindingStatement(credential, statementKey.keyId, iat);
      const verdict = append(signStatement(binding, nodeSecret));
      if (!verdict.ok) throw new Error(`the witness refused the key binding: ${verdict.reason}`);
    },
    async submitStatement(envelope) {
      return append(envelope) as unknown as Json;
    },
  };
}
