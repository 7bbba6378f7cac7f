// `key`: an organisation's node binds, rotates or revokes a signing key — its own, its
// professionals', a client's passkey or a delegate's. Folds into the key register
// (state/keys.ts) as facts with positions (earliest wins), resolved to parties only when asked.
import { fromBase64, keyIdOf, KIND_KEY, type PolicyVerdict, type StatementOf } from '@ketenlog/logbook';
import {
  CLIENT_ROLE,
  DELEGATE_ROLE,
  NODE_ROLE,
  organisationRef,
  type Organisation,
} from '../config/region-config.ts';
import { keyStatus, type KeyRegister } from '../state/keys.ts';
import { setEarliest, type EntryPosition } from '../state/position.ts';
import {
  authorOrganisation,
  column,
  controllerOf,
  OK,
  refuse,
  type JudgeContext,
  type RegionKind,
} from './kind.ts';

export type KeyStatement = StatementOf<typeof KIND_KEY>;

export function applyKeyStatement(keys: KeyRegister, statement: KeyStatement, at: EntryPosition): void {
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

function checkNewKey(ctx: JudgeContext, s: KeyStatement, org: Organisation): PolicyVerdict {
  const { keyId, alg, publicKey, holder, role, organisation } = s.body;
  const bytes = fromBase64(publicKey as string);
  if (!bytes || (alg === 'Ed25519' && bytes.length !== 32))
    return refuse(`public key of ${keyId} is not a valid ${alg} key`);
  if (keyIdOf(alg, bytes) !== keyId) return refuse(`key ID ${keyId} does not match its public key`);
  if (keyStatus(ctx.state.keys, keyId) !== 'unknown') return refuse(`key ${keyId} is already known`);
  if (role === undefined || !ctx.config.roles.has(role))
    return refuse(`a key binding names a role of the region (got ${role})`);
  const own = organisationRef(org.ura);
  if (role === NODE_ROLE) return holder === own ? OK : refuse(`${own} binds node keys only for itself`);
  if (role === CLIENT_ROLE) {
    return s.subject !== undefined && holder === s.subject
      ? OK
      : refuse("a client's key is bound to her pseudonym (holder and subject)");
  }
  if (role === DELEGATE_ROLE) return OK;
  if (organisation !== own) return refuse(`${own} binds professional keys only for its own professionals`);
  const allowed = ctx.config.roles.get(role)?.organisationTypes;
  if (allowed && !allowed.includes(org.type))
    return refuse(`role ${role} is not a role at a ${org.type} organisation`);
  const listed = ctx.config.professionals.find((p) => p.id === holder);
  if (listed && (listed.organisation !== org.ura || listed.role !== role))
    return refuse(`professional ${holder} is configured as ${listed.role} at ura:${listed.organisation}`);
  return OK;
}

export const keyKind: RegionKind<typeof KIND_KEY> = {
  kind: KIND_KEY,
  multiParty: false,
  judged: true,
  judge(ctx, s) {
    const org = authorOrganisation(ctx);
    if (!org || ctx.author.kind !== 'organisation')
      return refuse("only an organisation's node binds, rotates or revokes keys");
    const { action, keyId, replaces } = s.body;
    const own = organisationRef(org.ura);
    if (action === 'revoke') {
      const status = keyStatus(ctx.state.keys, keyId);
      if (status === 'unknown') return refuse(`revokes unknown key ${keyId}`);
      if (status === 'revoked') return refuse(`key ${keyId} is already revoked`);
      const controller = controllerOf(ctx, keyId);
      return controller?.ura === org.ura
        ? OK
        : refuse(`${own} may not revoke key ${keyId} of another organisation`);
    }
    if (action === 'rotate') {
      const old = replaces as string;
      if (keyStatus(ctx.state.keys, old) !== 'active')
        return refuse(`rotates key ${old}, which is not active`);
      if (controllerOf(ctx, old)?.ura !== org.ura)
        return refuse(`${own} may not rotate key ${old} of another organisation`);
      const before = ctx.state.keys.bindings.get(old);
      if (before?.holder !== s.body.holder || before.role !== s.body.role)
        return refuse('a rotation keeps the holder and role of the key it replaces');
    }
    return checkNewKey(ctx, s, org);
  },
  fold: (state, s, fact) => applyKeyStatement(state.keys, s, fact.at),
  // k1 the key ID, k2 the key it rotates out.
  lookup: (s) => [s.body.keyId, column(s.body.replaces), null],
};
