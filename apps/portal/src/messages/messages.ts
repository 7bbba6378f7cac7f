// One module's text in both languages: the compiler checks that English has exactly Dutch's keys.
export function messages<const K extends string>(m: {
  readonly nl: Readonly<Record<K, string>>;
  readonly en: Readonly<Record<NoInfer<K>, string>>;
}): typeof m {
  return m;
}
