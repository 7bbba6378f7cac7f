import type { ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import { ORGANISATION_TYPES, PURPOSES, type ConsentActor } from '../api/exchange.ts';
import { typeKey } from './vocabulary.ts';

/**
 * Whom a choice is about: a kind of organisation (select `who`) or one organisation by its URA
 * (input `ura`, which wins). `first` is the select's first option: everyone, or a prompt.
 */
export function PartyFields({
  t,
  whoLabel,
  first,
}: {
  t: Translate;
  whoLabel: MessageKey;
  first: { value: string; label: MessageKey } | undefined;
}): ReactNode {
  return (
    <>
      <label>
        {t(whoLabel)}
        <select name="who" defaultValue={first?.value ?? ORGANISATION_TYPES[0]}>
          {first && <option value={first.value}>{t(first.label)}</option>}
          {ORGANISATION_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(typeKey(type))}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('consentUra')}
        <input name="ura" inputMode="numeric" pattern="[0-9]{8}" />
      </label>
    </>
  );
}

/** The party a form with PartyFields names, or undefined for "everyone" / nothing chosen. */
export function partyOf(data: FormData): ConsentActor | undefined {
  const ura = String(data.get('ura') ?? '').trim();
  const who = String(data.get('who') ?? '');
  return ura ? { kind: 'organisation', ura } : who ? { kind: 'type', type: who } : undefined;
}

/** For what purpose (select `purpose`); `any` adds a first option for every purpose. */
export function PurposeSelect({
  t,
  label,
  any,
}: {
  t: Translate;
  label: MessageKey;
  any: boolean;
}): ReactNode {
  return (
    <label>
      {t(label)}
      <select name="purpose" defaultValue={any ? '' : 'treatment'}>
        {any && <option value="">{t('allPurposes')}</option>}
        {PURPOSES.map((p) => (
          <option key={p} value={p}>
            {t(`purpose-${p}` as MessageKey)}
          </option>
        ))}
      </select>
    </label>
  );
}
