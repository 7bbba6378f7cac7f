// Names, not pseudonyms: the node says who its clients behind Mijn Zorg Log's pseudonyms are
// (POST /exchange/people, for a professional of this organisation; packages/exchange/src/member/people.ts).
import { useEffect, useState } from 'react';
import { requestJson } from './http.ts';
import { formatDate } from '../format.ts';

export interface Person {
  subject: string;
  name: string;
  birthDate?: string;
}

/** The people behind these subjects, by subject (empty when the node does not say). */
export async function peopleOf(subjects: readonly string[]): Promise<ReadonlyMap<string, Person>> {
  const unique = [...new Set(subjects)].sort();
  if (unique.length === 0) return new Map();
  const r = await requestJson<{ people: Person[] }>('/exchange/people', {
    method: 'POST',
    body: JSON.stringify({ subjects: unique }),
  });
  return new Map(r.kind === 'ok' ? r.value.people.map((p) => [p.subject, p]) : []);
}

/** The people behind these subjects (empty until known, and when the node does not say). */
export function usePeople(subjects: readonly string[]): ReadonlyMap<string, Person> {
  const [people, setPeople] = useState<ReadonlyMap<string, Person>>(new Map());
  const key = [...new Set(subjects)].sort().join(' ');
  useEffect(() => {
    if (!key) return;
    let live = true;
    void peopleOf(key.split(' ')).then((found) => {
      if (live) setPeople(found);
    });
    return () => {
      live = false;
    };
  }, [key]);
  return people;
}

/** "Maria de Vries (12-03-1992)", or the fallback while the name is not known. */
export function personLabel(person: Person | undefined, fallback: string): string {
  if (!person) return fallback;
  return person.birthDate ? `${person.name} (${formatDate(person.birthDate, 'short')})` : person.name;
}
