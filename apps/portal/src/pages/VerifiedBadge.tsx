import { useEffect, useState, type ReactNode } from 'react';
import type { Translate } from '../i18n.ts';
import type { ToCheck } from '../carelog/receipts.ts';
import { receiptsHold } from '../carelog/verify-client.ts';

/** A logged statement to check: its base64 hash and how to get its receipt. */
export interface Logged {
  hash: string;
  receipt: () => Promise<string | undefined>;
}

/**
 * "Geverifieerd" once every statement's receipt verifies in this browser against the region's
 * keys (checkpoint signed by the log, co-signed by a witness quorum, inclusion proof). The checks
 * run in a worker (verify.worker.ts): a page of many badges stays responsive while they run.
 */
export function VerifiedBadge({ t, logged }: { t: Translate; logged: readonly Logged[] }): ReactNode {
  const [state, setState] = useState<'checking' | 'verified' | 'unverified'>('checking');
  const key = logged.map((l) => l.hash).join(' ');
  useEffect(() => {
    let live = true;
    void (async () => {
      const items: ToCheck[] = [];
      for (const l of logged) {
        const receipt = await l.receipt();
        if (!live) return;
        items.push({ hash: l.hash, receipt });
        // Not final (no receipt): not verified, whatever the others say.
        if (receipt === undefined) break;
      }
      const holds = await receiptsHold(items);
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
