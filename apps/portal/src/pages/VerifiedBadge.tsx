import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';

/** A logged statement to check: its base64 hash and how to get its receipt. */
export interface Logged {
  hash: string;
  receipt: () => Promise<string | undefined>;
}

/**
 * "Geverifieerd" once every statement's receipt verifies in this browser against the region's
 * keys (checkpoint signed by the log, co-signed by a witness quorum, inclusion proof).
 */
export function VerifiedBadge({ t, logged }: { t: Translate; logged: readonly Logged[] }): ReactNode {
  const [state, setState] = useState<'checking' | 'verified' | 'unverified'>('checking');
  const key = logged.map((l) => l.hash).join(' ');
  useEffect(() => {
    let live = true;
    void (async () => {
      // Receipt verification (Merkle proofs, Ed25519 notes) loads only where a badge is shown.
      const { receiptHolds, regionReceiptPolicies } = await import('../carelog/receipts.ts');
      const policies = await regionReceiptPolicies();
      // One receipt per task (each is a few signature checks): a page with many badges stays
      // responsive while they verify, instead of one long task (Lighthouse's blocking time).
      let holds = true;
      for (const l of logged) {
        await new Promise((r) => setTimeout(r, 0));
        if (!live) return;
        const receipt = await l.receipt();
        holds = receipt !== undefined && receiptHolds(receipt, l.hash, policies);
        if (!holds) break;
      }
      if (live) setState(holds ? 'verified' : 'unverified');
    })();
    return () => {
      live = false;
    };
    // The hashes identify what is checked; the receipt functions are recreated on every render.
  }, [key]);
  if (state === 'checking') return <span className="badge">{t('verifying')}</span>;
  if (state === 'unverified') return <span className="badge">{t('notVerified')}</span>;
  return (
    <span className="badge verified" title={t('verifiedHint')}>
      ✓ {t('verified')}
    </span>
  );
}
