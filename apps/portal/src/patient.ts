// A patient as a Dutch EHR shows her: name, birth date, BSN, age (the patient banner), and the
// search a professional uses to find her — by name or BSN, in the browser, so a BSN never goes
// into a URL.
import type { FhirResource } from './api/fhir.ts';
import { BSN_SYSTEM } from '@ketenlog/fhir/bsn';

type Name = { use?: string; given?: string[]; family?: string; text?: string };

export interface PatientView {
  id: string;
  name: string;
  birthDate?: string;
  bsn?: string;
  gender?: string;
}

export function patientView(p: FhirResource): PatientView {
  const names = (p.name as Name[] | undefined) ?? [];
  const n = names.find((x) => x.use === 'official') ?? names[0];
  const name = n?.text ?? [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
  const bsn = (p.identifier as { system?: string; value?: string }[] | undefined)?.find(
    (i) => i.system === BSN_SYSTEM,
  )?.value;
  return {
    id: p.id ?? '',
    name: name || '—',
    ...(typeof p.birthDate === 'string' ? { birthDate: p.birthDate } : {}),
    ...(bsn ? { bsn } : {}),
    ...(typeof p.gender === 'string' ? { gender: p.gender } : {}),
  };
}

/** Patients matching a search: all of it in the name (any order), or the BSN (digits only). */
export function matches(p: PatientView, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const digits = q.replace(/[\s.]/g, '');
  if (/^\d+$/.test(digits)) return p.bsn?.startsWith(digits) === true;
  const name = p.name.toLowerCase();
  return q.split(/\s+/).every((part) => name.includes(part));
}

/** "1234.56.789": a BSN grouped as Dutch systems show it. */
export const formatBsn = (bsn: string): string =>
  bsn.length === 9 ? `${bsn.slice(0, 4)}.${bsn.slice(4, 6)}.${bsn.slice(6)}` : bsn;
