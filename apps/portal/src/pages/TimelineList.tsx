import type { ReactNode } from 'react';
import { isMessageKey, type Translate } from '../i18n.ts';
import type { TimelineItem } from '../timeline.ts';
import { formatDateTime } from '../format.ts';

let here: string | undefined;
/** The organisation of this node: the source of records that name none (they were made here). */
export function setHere(name: string | undefined): void {
  here = name;
}

/** The Dutch (or English) name of a FHIR resource type; never the English code. */
export function typeLabel(t: Translate, type: string): string {
  const key = `type${type}`;
  return isMessageKey(key) ? t(key) : t('typeOther');
}

/**
 * Timeline items as a list: type and date, title, value with its reference range, and where each
 * came from — the organisation, and whether a professional recorded it or the client measured it.
 */
export function TimelineList({
  t,
  items,
  Heading,
}: {
  t: Translate;
  items: readonly TimelineItem[];
  /** The items' heading level under the page's own headings. */
  Heading: 'h2' | 'h3' | 'h5';
}): ReactNode {
  return (
    <ol className="timeline">
      {items.map((item) => (
        <li key={item.key}>
          <p className="meta">
            <span className="tag">{typeLabel(t, item.type)}</span>{' '}
            {item.date && <time dateTime={item.date}>{formatDateTime(item.date)}</time>}
          </p>
          <Heading>{item.title ?? typeLabel(t, item.type)}</Heading>
          {item.value && (
            <p className={item.outOfRange ? 'value out-of-range' : 'value'}>
              <strong>{item.value}</strong>
              {item.range && ` (${t('referenceRange')}: ${item.range})`}
              {item.outOfRange && ` · ${t('outOfRange')}`}
            </p>
          )}
          <p className="meta">
            {item.selfReported ? (
              <>
                {t('source')}: {t('youYourself')} · {t('selfReported')}
              </>
            ) : (
              <>
                {t('source')}: {item.source ?? here ?? t('unknownSource')} · {t('byProfessional')}
              </>
            )}
          </p>
        </li>
      ))}
    </ol>
  );
}
