// A carer's signing key on her own device (the portal keeps an Ed25519 key in the browser and
// signs each visit with it): the care organisation binds it on the logbook for her, as
// kraamverzorgende, so that her entries are "signed for the carer" and witnesses can check them.
import { fromBase64, keyIdOf, STATEMENT_VERSION, type Statement } from '@ketenlog/logbook';
import { keyStatus, type RegionState } from '@ketenlog/region';
import { problem, success, type Outcome } from './problem.ts';

import { CARER_ROLE } from './care-roles.ts';

export { CARER_ROLE };

/**
 * The `key` statement that binds a carer's Ed25519 public key (base64), authored by the care
 * organisation's node key; refused unless the region lists her as a kraamverzorgende here.
 */
export function carerKeyBinding(
  state: RegionState,
  provider: string,
  carer: string,
  publicKey: string,
  author: string,
  iat: number,
): Outcome<Statement> {
  const bytes = fromBase64(publicKey);
  if (!bytes || bytes.length !== 32)
    return problem('invalid-input', 'De sleutel is geen geldige Ed25519-sleutel (32 bytes, base64).', 400);
  const listed = state.config.professionals.find((p) => p.id === carer);
  if (!listed || `ura:${listed.organisation}` !== provider || listed.role !== CARER_ROLE)
    return problem('carer-unknown', `${carer} is geen kraamverzorgende van deze organisatie.`, 422);
  const keyId = keyIdOf('Ed25519', bytes);
  if (keyStatus(state.keys, keyId) !== 'unknown')
    return problem('carer-key-known', 'Deze sleutel is al eerder vastgelegd.', 409);
  return success({
    kind: 'key',
    v: STATEMENT_VERSION,
    author,
    iat,
    body: {
      action: 'bind',
      keyId,
      alg: 'Ed25519',
      publicKey,
      holder: carer,
      role: CARER_ROLE,
      organisation: provider,
    },
  });
}
