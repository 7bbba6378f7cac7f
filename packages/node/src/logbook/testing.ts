// Test and benchmark helper: a signed `index` statement (organisation holds a category for a
// pseudonym), the simplest statement a node may log on its own.
import { signStatement, type SignedStatement, KIND_INDEX } from '@ketenlog/logbook';

export interface StatementKey {
  readonly keyId: string;
  readonly secretKey: Uint8Array;
}

export function signedIndexStatement(
  key: StatementKey,
  holderUra: string,
  subject: string,
  category = 'medication',
): SignedStatement {
  return signStatement(
    {
      kind: KIND_INDEX,
      v: 1,
      author: key.keyId,
      iat: Math.floor(Date.now() / 1000),
      subject,
      body: { holder: `ura:${holderUra}`, category },
    },
    key.secretKey,
  );
}
