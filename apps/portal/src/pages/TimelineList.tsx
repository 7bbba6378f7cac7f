import type { ReactNode } from 'react';
import { isMessageKey, type Translate } from '../i18n.ts';
import type { TimelineItem } from '../timeline.ts';

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
      {items.map((item) => {
        const typeKey = `type${item.type}`;
        return (
          <li key={item.key}>
            <p className="meta">
              <span className="tag">{isMessageKey(typeKey) ? t(typeKey) : item.type}</span>{' '}
              <time dateTime={item.date}>{item.date.slice(0, 10)}</time>
            </p>
            <Heading>{item.title}</Heading>
            {item.value && (
              <p>
                {item.value}
                {item.range && ` (${t('referenceRange')}: ${item.range})`}
              </p>
            )}
            <p className="meta">
              {t('source')}: {item.source ?? t('unknownSource')} ·{' '}
              {item.selfReported ? t('selfReported') : t('byProfessional')}
            </p>
          </li>
        );
      })}
    </ol>
  );
}
