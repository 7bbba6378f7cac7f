import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import type { ApiResult } from '../api/http.ts';
import type { Principal } from '../api/auth.ts';
import { DELEGABLE_KINDS, delegationApi, type Delegation, type Invite } from '../api/delegations.ts';
import { signDrafts } from '../carelog/passkey-signing.ts';
import { Notice, ResultState, type Message } from './State.tsx';
import { formatDate } from '../format.ts';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const shown = (ms: number): string => formatDate(new Date(ms));
const kindsText = (t: Translate, kinds: readonly string[]): string =>
  kinds.map((k) => t(`kind-${k}` as MessageKey)).join(', ');

/** Vertegenwoordiger: the client invites and authorises; the representative accepts and acts. */
export function RepresentativePage({
  t,
  principal,
  actingForName,
  onSession,
}: {
  t: Translate;
  principal: Principal | undefined;
  /** The name of the client a representative acts for, when her mandate lets her know it. */
  actingForName?: string | undefined;
  onSession: () => void;
}): ReactNode {
  return (
    <>
      <h1>{t('repTitle')}</h1>
      <p>{t(principal?.kind === 'representative' ? 'repIntroRepresentative' : 'repIntro')}</p>
      {principal?.kind === 'client' ? (
        <ClientSide t={t} />
      ) : principal?.kind === 'representative' ? (
        <RepresentativeSide t={t} principal={principal} actingForName={actingForName} onSession={onSession} />
      ) : (
        <LoginFirst t={t} />
      )}
    </>
  );
}

/** Where an invite code waits while its representative logs in (this tab only). */
const INVITE_KEY = 'ketenlog-invite';

function LoginFirst({ t }: { t: Translate }): ReactNode {
  const code = new URLSearchParams(location.search).get('invite');
  useEffect(() => {
    if (code) sessionStorage.setItem(INVITE_KEY, code);
  }, [code]);
  return (
    <p className="notice">
      {t('repLoginAs')} <a href="/portal/login">{t('navLogin')}</a>
    </p>
  );
}

interface ClientData {
  invites: Invite[];
  granted: Delegation[];
}
async function loadClient(): Promise<ApiResult<ClientData>> {
  const [invites, list] = await Promise.all([delegationApi.invites(), delegationApi.list()]);
  if (invites.kind !== 'ok') return invites;
  if (list.kind !== 'ok') return list;
  return { kind: 'ok', value: { invites: invites.value.invites, granted: list.value.granted ?? [] } };
}

function ClientSide({ t }: { t: Translate }): ReactNode {
  const [result, setResult] = useState<ApiResult<ClientData> | undefined>();
  const [message, setMessage] = useState<Message>();
  const [code, setCode] = useState<string | undefined>();
  /** What is under way (its progress shown at once), if anything. */
  const [busy, setBusy] = useState<MessageKey | undefined>();
  const load = useCallback(() => void loadClient().then(setResult), []);
  useEffect(load, [load]);
  const failed = (r: ApiResult<unknown>, key: MessageKey = 'error'): void =>
    setMessage({ text: `${t(key)} ${r.kind === 'error' ? r.message : ''}`.trim(), error: true });
  const step = async (doing: MessageKey, work: () => Promise<void>): Promise<void> => {
    setBusy(doing);
    setMessage(undefined);
    await work();
    setBusy(undefined);
    load();
  };

  const invite = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const kinds = data.getAll('kind').map(String);
    const until = Date.parse(`${String(data.get('until'))}T23:59:59Z`);
    void step('saving', async () => {
      const made = await delegationApi.invite(kinds, until);
      if (made.kind === 'ok') setCode(made.value.code);
      else failed(made);
    });
  };
  const confirm = (i: Invite): Promise<void> =>
    step('signingPasskey', async () => {
      const granted = await delegationApi.grant(i);
      if (granted.kind !== 'ok') return failed(granted);
      const signed = await signDrafts(granted.value.drafts);
      if (signed.kind !== 'ok') return failed(signed, 'signFailed');
      await delegationApi.removeInvite(i.id);
      setCode(undefined);
      setMessage({ text: t('repConfirmed'), error: false });
    });
  const revoke = (d: Delegation): Promise<void> =>
    step('signingPasskey', async () => {
      const revoked = await delegationApi.revoke(d.id);
      if (revoked.kind !== 'ok') return failed(revoked);
      const signed = await signDrafts(revoked.value.drafts);
      if (signed.kind !== 'ok') return failed(signed, 'signFailed');
      setMessage({ text: t('repRevokedDone'), error: false });
    });
  const nextYear = day(Date.now() + 365 * 86_400_000);

  return (
    <>
      <Notice message={message} />
      {busy && (
        <p role="status" className="progress">
          {t(busy)}
        </p>
      )}
      <section aria-labelledby="rep-invite">
        <h2 id="rep-invite">{t('repInviteTitle')}</h2>
        <form onSubmit={invite}>
          <fieldset>
            <legend>{t('repKinds')}</legend>
            {DELEGABLE_KINDS.map((k) => (
              <label key={k} className="check">
                <input type="checkbox" name="kind" value={k} defaultChecked /> {t(`kind-${k}` as MessageKey)}
              </label>
            ))}
          </fieldset>
          <label>
            {t('repUntil')}
            <input type="date" name="until" defaultValue={nextYear} min={day(Date.now())} required />
          </label>
          <button type="submit" disabled={busy !== undefined}>
            {t('repInvite')}
          </button>
        </form>
        {code && (
          <div className="notice" aria-live="polite">
            <p>{t('repCodeIntro')}</p>
            <p>
              {t('repCode')}: <strong className="code">{code}</strong>
            </p>
            <p className="code">
              {t('repLink')}: {`${location.origin}/portal/representative?invite=${code}`}
            </p>
          </div>
        )}
      </section>
      <ResultState t={t} result={result} retry={load}>
        {({ invites, granted }) => (
          <>
            <section aria-labelledby="rep-invites">
              <h2 id="rep-invites">{t('repInvites')}</h2>
              {invites.length === 0 ? (
                <p className="notice">{t('repNoInvites')}</p>
              ) : (
                <ul className="timeline invites short">
                  {invites.map((i) => (
                    <li key={i.id}>
                      <p>
                        <span className="tag">{t(`invite-${i.status}` as MessageKey)}</span>{' '}
                        {kindsText(t, i.kinds)}
                      </p>
                      <p className="meta">
                        {t('repUntil')} <time dateTime={day(i.validUntil)}>{shown(i.validUntil)}</time>
                      </p>
                      {i.status === 'accepted' && (
                        <button type="button" disabled={busy !== undefined} onClick={() => void confirm(i)}>
                          {t('repConfirm')}
                        </button>
                      )}{' '}
                      <button
                        type="button"
                        disabled={busy !== undefined}
                        onClick={() =>
                          void step('saving', async () => void (await delegationApi.removeInvite(i.id)))
                        }
                      >
                        {t('repRemoveInvite')}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="rep-granted">
              <h2 id="rep-granted">{t('repGranted')}</h2>
              {granted.length === 0 ? (
                <p className="notice">{t('repNoneGranted')}</p>
              ) : (
                <ul className="timeline delegations short">
                  {granted.map((d) => (
                    <li key={d.id}>
                      <p>
                        <strong>{t('repPerson')}</strong> · {kindsText(t, d.kinds)}
                      </p>
                      <p className="meta">
                        {t('repUntil')} <time dateTime={day(d.validUntil)}>{shown(d.validUntil)}</time>
                        {d.revokedAt !== undefined && ` · ${t('repRevoked')}`}
                      </p>
                      {d.revokedAt === undefined && (
                        <button type="button" disabled={busy !== undefined} onClick={() => void revoke(d)}>
                          {t('repRevoke')}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </ResultState>
    </>
  );
}

function RepresentativeSide({
  t,
  principal,
  actingForName,
  onSession,
}: {
  t: Translate;
  principal: Extract<Principal, { kind: 'representative' }>;
  actingForName: string | undefined;
  onSession: () => void;
}): ReactNode {
  const [result, setResult] = useState<ApiResult<Delegation[]> | undefined>();
  const [message, setMessage] = useState<Message>();
  const load = useCallback(
    () =>
      void delegationApi
        .list()
        .then((r) => setResult(r.kind === 'ok' ? { kind: 'ok', value: r.value.held ?? [] } : r)),
    [],
  );
  useEffect(load, [load]);
  // The code she came with, read once: the field keeps what is in it after the code is used.
  const [invited] = useState(
    () => new URLSearchParams(location.search).get('invite') ?? sessionStorage.getItem(INVITE_KEY) ?? '',
  );

  const accept = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    const accepted = await delegationApi.accept(code);
    setMessage(
      accepted.kind === 'ok'
        ? { text: t('repAccepted'), error: false }
        : { text: t('repAcceptFailed'), error: true },
    );
    // The code has done its work: it leaves the address bar and this tab's storage.
    if (accepted.kind === 'ok') {
      sessionStorage.removeItem(INVITE_KEY);
      if (location.search) history.replaceState(null, '', '/portal/representative');
    }
  };
  const actFor = async (d: Delegation): Promise<void> => {
    const acting = await delegationApi.actFor(d.id);
    setMessage(
      acting.kind === 'ok'
        ? { text: t('repActingFor'), error: false }
        : { text: `${t('error')} ${acting.kind === 'error' ? acting.message : ''}`, error: true },
    );
    onSession();
  };
  const now = Date.now();

  return (
    <>
      <Notice message={message} />
      <section aria-labelledby="rep-accept">
        <h2 id="rep-accept">{t('repAcceptTitle')}</h2>
        <p>{t('repAcceptIntro')}</p>
        <form onSubmit={(e) => void accept(e)}>
          <label>
            {t('repCode')}
            <input name="code" defaultValue={invited} autoComplete="off" required maxLength={64} />
          </label>
          <button type="submit">{t('repAccept')}</button>
        </form>
      </section>
      <section aria-labelledby="rep-held">
        <h2 id="rep-held">{t('repHeld')}</h2>
        <button type="button" onClick={load}>
          {t('refresh')}
        </button>
        <ResultState t={t} result={result} retry={load}>
          {(held) => {
            const inForce = held.filter(
              (d) => d.revokedAt === undefined && d.validFrom <= now && now < d.validUntil,
            );
            return inForce.length === 0 ? (
              <p className="notice">{t('repNoneHeld')}</p>
            ) : (
              <ul className="timeline delegations short">
                {inForce.map((d) => (
                  <li key={d.id}>
                    <p>
                      <strong>
                        {(principal.actingFor?.client === d.client && actingForName) || t('repClient')}
                      </strong>{' '}
                      · {kindsText(t, d.kinds)}
                    </p>
                    <p className="meta">
                      {t('repUntil')} <time dateTime={day(d.validUntil)}>{shown(d.validUntil)}</time>
                    </p>
                    {principal.actingFor?.client === d.client ? (
                      <p className="tag">{t('actingForClient')}</p>
                    ) : (
                      <button type="button" onClick={() => void actFor(d)}>
                        {t('repActFor')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            );
          }}
        </ResultState>
      </section>
    </>
  );
}
