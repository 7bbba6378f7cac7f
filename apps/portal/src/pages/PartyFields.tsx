import { useEffect, useId, useState, type ReactNode } from 'react';
import type { MessageKey, Translate } from '../i18n.ts';
import { ORGANISATION_TYPES, PURPOSES, type ConsentActor } from '../api/exchange.ts';
import { organisationNames, overviewApi } from '../api/overview.ts';
import { typeKey } from './vocabulary.ts';

/** The region's organisations by name (URA → name), once loaded. */
export function useOrganisations(): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void overviewApi.organisations().then((r) => live && setNames(organisationNames(r)));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

/**
 * Whom a choice is about (select `who`): one organisation of the region by its name, or a kind of
 * organisation. `first` is the select's first option: a prompt (the choice is then required) or
 * a party chosen beforehand; `everyone` adds "Iedereen" as the last, broadest option.
 */
export function PartyFields({
  t,
  whoLabel,
  first,
  everyone = false,
  defaultValue,
}: {
  t: Translate;
  whoLabel: MessageKey;
  first: { value: string; label: MessageKey } | undefined;
  everyone?: boolean;
  defaultValue?: string;
}): ReactNode {
  const names = useOrganisations();
  const id = useId();
  const organisations = [...names].sort((a, b) => a[1].localeCompare(b[1], 'nl'));
  // Controlled: a select's defaultValue is not applied by Preact, and the options arrive later.
  const [value, setValue] = useState(defaultValue ?? first?.value ?? `type:${ORGANISATION_TYPES[0]}`);
  return (
    <>
      <label htmlFor={id}>{t(whoLabel)}</label>
      <select
        id={id}
        name="who"
        required={first?.value === ''}
        value={value}
        onChange={(event) => setValue(event.currentTarget.value)}
      >
        {first && <option value={first.value}>{t(first.label)}</option>}
        {organisations.length > 0 && (
          <optgroup label={t('oneOrganisation')}>
            {organisations.map(([ura, name]) => (
              <option key={ura} value={`ura:${ura}`}>
                {name}
              </option>
            ))}
          </optgroup>
        )}
        <optgroup label={t('kindOfOrganisation')}>
          {ORGANISATION_TYPES.map((type) => (
            <option key={type} value={`type:${type}`}>
              {t('all')} {t(typeKey(type))}
            </option>
          ))}
        </optgroup>
        {everyone && <option value="everyone">{t('everyone')}</option>}
      </select>
    </>
  );
}

/** The party a form with PartyFields names, or undefined for "everyone" / nothing chosen. */
export function partyOf(data: FormData): ConsentActor | undefined {
  const who = String(data.get('who') ?? '');
  if (who.startsWith('ura:')) return { kind: 'organisation', ura: who.slice(4) };
  if (who.startsWith('type:')) return { kind: 'type', type: who.slice(5) };
  return undefined;
}

/** For what purpose (select `purpose`); `any` adds a last option for every purpose. */
export function PurposeSelect({
  t,
  label,
  any,
  defaultValue = 'treatment',
}: {
  t: Translate;
  label: MessageKey;
  any: boolean;
  defaultValue?: string;
}): ReactNode {
  const id = useId();
  const [value, setValue] = useState(defaultValue);
  return (
    <>
      <label htmlFor={id}>{t(label)}</label>
      <select id={id} name="purpose" value={value} onChange={(event) => setValue(event.currentTarget.value)}>
        {PURPOSES.map((p) => (
          <option key={p} value={p}>
            {t(`purpose-${p}` as MessageKey)}
          </option>
        ))}
        {any && <option value="">{t('allPurposes')}</option>}
      </select>
    </>
  );
}
