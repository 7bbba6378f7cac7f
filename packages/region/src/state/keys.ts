// The region's signing keys: the configured organisation keys, plus bindings, rotations and
// revocations from `key` statements. Stored as facts with their positions (earliest wins), and
// resolved to parties only when asked, so the register does not depend on arrival order.
import { fromBase64, type KnownKey, type SignatureAlg, type StatementOf } from '@ketenlog/logbook';
import {
  CLIENT_ROLE,
  DELEGATE_ROLE,
  NODE_ROLE,
  findOrganisation,
  organisationRef,
  uraOf,
  type Organisation,
  type RegionConfig,
} from '../config/region-config.ts';
import { CONFIGURED, setEarliest, type EntryPosition } from './position.ts';

export interface KeyBinding {
  readonly keyId: string;
  readonly alg: SignatureAlg;
  /** base64 public key (Ed25519: 32 bytes; WebAuthn: as the identity layer registers it). */
  readonly publicKey: string;
  /** `ura:<URA>` for a node key, a professional's id, or a client's pseudonym / a delegate's id. */
  readonly holder: string;
  readonly role?: string;
  /** `ura:<URA>` the holder acts for (professionals), or the organisation that bound it. */
  readonly organisation?: string;
  /** The pseudonym of the client a client key belongs to. */
  readonly subject?: string;
  /** The key this one rotated out. */
  readonly replaces?: string;
  readonly at: EntryPosition;
  /** Key ID of the key statement's author; undefined for configured keys. */
  readonly boundBy?: string;
}

export interface KeyRetirement {
  readonly at: EntryPosition;
  /** Key ID of the statement's author. */
  readonly by: string;
  /** For rotations: the key that replaces this one. */
  readonly replacedBy?: string;
  /** For revocations: why, when the statement says. */
  readonly reason?: string;
}

export interface KeyRegister {
  readonly bindings: Map<string, KeyBinding>;
  readonly rotations: Map<string, KeyRetirement>;
  readonly revocations: Map<string, KeyRetirement>;
}

/** The keys the region configuration names: each organisation's statement keys, as node keys. */
export function configuredKeys(config: RegionConfig): KeyRegister {
  const bindings = new Map<string, KeyBinding>();
  for (const org of config.organisations) {
    for (const key of org.statementKeys) {
      const ref = organisationRef(org.ura);
      bindings.set(key.keyId, {
        keyId: key.keyId,
        alg: key.alg,
        publicKey: key.publicKey,
        holder: ref,
        role: NODE_ROLE,
        organisation: ref,
        at: CONFIGURED,
      });
    }
  }
  return { bindings, rotations: new Map(), revocations: new Map() };
}

export function applyKeyStatement(keys: KeyRegister, statement: StatementOf<'key'>, at: EntryPosition): void {
  const { action, keyId, alg, publicKey, holder, organisation, role, replaces, reason } = statement.body;
  const by = statement.author;
  if (action === 'revoke') {
    setEarliest(keys.revocations, keyId, { at, by, ...(reason === undefined ? {} : { reason }) });
    return;
  }
  if (publicKey === undefined) return;
  setEarliest(keys.bindings, keyId, {
    keyId,
    alg,
    publicKey,
    holder,
    at,
    boundBy: by,
    ...(role === undefined ? {} : { role }),
    ...(organisation === undefined ? {} : { organisation }),
    ...(statement.subject === undefined ? {} : { subject: statement.subject }),
    ...(replaces === undefined ? {} : { replaces }),
  });
  if (action === 'rotate' && replaces !== undefined)
    setEarliest(keys.rotations, replaces, { at, by, replacedBy: keyId });
}

export type KeyStatus = 'unknown' | 'active' | 'rotated' | 'revoked';

/** A revocation outranks a rotation: a rotated-out key that is also revoked reads as revoked. */
export function keyStatus(keys: KeyRegister, keyId: string): KeyStatus {
  if (keys.revocations.has(keyId)) return 'revoked';
  if (keys.rotations.has(keyId)) return 'rotated';
  return keys.bindings.has(keyId) ? 'active' : 'unknown';
}

/** A bound key that is neither rotated out nor revoked, in the form verifySignedStatement needs. */
export function activeKey(keys: KeyRegister, keyId: string): KnownKey | undefined {
  const binding = keys.bindings.get(keyId);
  if (!binding || keyStatus(keys, keyId) !== 'active') return undefined;
  const publicKey = fromBase64(binding.publicKey);
  return publicKey ? { alg: binding.alg, publicKey } : undefined;
}

/** Who holds a key, as the witness rules see it. */
export type Party =
  | { readonly kind: 'organisation'; readonly organisation: Organisation }
  | {
      readonly kind: 'professional';
      readonly id: string;
      readonly organisation: Organisation;
      readonly role: string;
    }
  | {
      readonly kind: 'person';
      readonly holder: string;
      readonly role: 'client' | 'delegate';
      readonly subject?: string;
    };

/** The party holding a key (active or not), or undefined when the binding names no known party. */
export function partyOfKey(config: RegionConfig, keys: KeyRegister, keyId: string): Party | undefined {
  const binding = keys.bindings.get(keyId);
  if (!binding) return undefined;
  if (binding.role === CLIENT_ROLE || binding.role === DELEGATE_ROLE) {
    return {
      kind: 'person',
      holder: binding.holder,
      role: binding.role,
      ...(binding.subject === undefined ? {} : { subject: binding.subject }),
    };
  }
  const ura = uraOf(binding.role === NODE_ROLE ? binding.holder : (binding.organisation ?? ''));
  const organisation = ura === undefined ? undefined : findOrganisation(config, ura);
  if (!organisation || binding.role === undefined) return undefined;
  if (binding.role === NODE_ROLE) return { kind: 'organisation', organisation };
  return { kind: 'professional', id: binding.holder, organisation, role: binding.role };
}

/** The organisation a key acts for (node and professional keys), or undefined for persons. */
export function organisationOfKey(
  config: RegionConfig,
  keys: KeyRegister,
  keyId: string,
): Organisation | undefined {
  const party = partyOfKey(config, keys, keyId);
  return party && party.kind !== 'person' ? party.organisation : undefined;
}
