import type { MessageKey } from '../i18n.ts';

/** The i18n keys of the consent vocabulary: categories and organisation types. */
export const categoryKey = (code: string): MessageKey => `category-${code}` as MessageKey;
export const typeKey = (code: string): MessageKey => `orgtype-${code}` as MessageKey;
