import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import {
  blindForRecipient,
  bsnIdentifier,
  generateRecipientKey,
  NVI_SCOPE,
  packIdentifier,
  Prs,
  PseudonymError,
  RecipientKey,
  recipientInfo,
  type Recipient,
} from '../index.ts';

const BSN = '999911120';
const NVI: Recipient = { organisation: 'ura:90000901', scope: NVI_SCOPE };
const OTHER: Recipient = { organisation: 'ura:90000902', scope: NVI_SCOPE };

async function setUp() {
  const keys = new Map<string, RecipientKeyPairLike>();
  for (const r of [NVI, OTHER]) keys.set(r.organisation, await generateRecipientKey());
  const prs = new Prs({
    seed: randomBytes(32),
    recipientKey: async (organisation) => keys.get(organisation)?.publicJwk,
  });
  const identifier = async (bsn: string, recipient: Recipient) => {
    const { blindFactor, blindedInput } = blindForRecipient(bsn, recipient);
    const { evaluated_output } = await prs.evaluate({
      blinded_input: blindedInput,
      recipient_organization: recipient.organisation,
      recipient_scope: recipient.scope,
    });
    return packIdentifier(evaluated_output, blindFactor);
  };
  const recipient = (r: Recipient) => new RecipientKey(r, keys.get(r.organisation)!.privateJwk);
  return { prs, identifier, recipient };
}
interface RecipientKeyPairLike {
  publicJwk: JWK;
  privateJwk: JWK;
}

describe('GF pseudonymisation', () => {
  it('builds the JCS identifier and the recipient-scoped HKDF info string of the guide', () => {
    expect(bsnIdentifier(' 999911120 ')).toBe('{"landCode":"NL","type":"BSN","value":"999911120"}');
    expect(recipientInfo(NVI)).toBe('ura:90000901|nationale-verwijsindex|v1');
    expect(() => bsnIdentifier('123456789')).toThrow(PseudonymError);
  });

  it('gives a recipient the same pseudonym for a BSN whichever organisation blinded it', async () => {
    const { identifier, recipient } = await setUp();
    const first = await identifier(BSN, NVI);
    const second = await identifier(BSN, NVI);
    expect(first).not.toBe(second); // fresh blinds: the identifiers themselves are single-use
    const nvi = recipient(NVI);
    expect(await nvi.open(first)).toBe(await nvi.open(second));
    expect(await nvi.open(await identifier('999911132', NVI))).not.toBe(await nvi.open(first));
  });

  it('gives another recipient a pseudonym that cannot be linked, and it cannot open the first one', async () => {
    const { identifier, recipient } = await setUp();
    const forNvi = await identifier(BSN, NVI);
    const forOther = await identifier(BSN, OTHER);
    expect(await recipient(NVI).open(forNvi)).not.toBe(await recipient(OTHER).open(forOther));
    await expect(recipient(OTHER).open(forNvi)).rejects.toThrow(PseudonymError);
  });

  it('refuses malformed requests at the PRS and malformed identifiers at the recipient', async () => {
    const { prs, recipient } = await setUp();
    await expect(prs.evaluate('x')).rejects.toThrow(PseudonymError);
    await expect(
      prs.evaluate({
        blinded_input: 'AAAA',
        recipient_organization: NVI.organisation,
        recipient_scope: NVI_SCOPE,
      }),
    ).rejects.toThrow(/blinded_input/);
    await expect(
      prs.evaluate({
        blinded_input: 'A'.repeat(43),
        recipient_organization: 'ura:1',
        recipient_scope: NVI_SCOPE,
      }),
    ).rejects.toThrow(/recipient_organization/);
    const blinded = blindForRecipient(BSN, NVI).blindedInput;
    await expect(
      prs.evaluate({
        blinded_input: blinded,
        recipient_organization: 'ura:12345678',
        recipient_scope: NVI_SCOPE,
      }),
    ).rejects.toThrow(/no published key/);
    await expect(recipient(NVI).open('not-json')).rejects.toThrow(PseudonymError);
    await expect(recipient(NVI).open(packIdentifier('a.b.c.d.e', 'A'.repeat(43)))).rejects.toThrow(
      PseudonymError,
    );
  });
});
