/** All UI text, Dutch first, one module per page in messages/ (nl and en side by side); keys are English identifiers. */
import * as pages from './messages/index.ts';

export type Lang = 'nl' | 'en';

type Page = (typeof pages)[keyof typeof pages];
const modules: readonly Page[] = Object.values(pages);
const nl = Object.assign({}, ...modules.map((m) => m.nl)) as UnionToIntersection<Page['nl']>;

export type MessageKey = keyof typeof nl;

const en = Object.assign({}, ...modules.map((m) => m.en)) as Record<MessageKey, string>;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { nl, en };

export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  const dict = dictionaries[lang];
  return (key) => dict[key];
}

export function isMessageKey(key: string): key is MessageKey {
  return key in nl;
}
