/** The holders an export names as missing: its OperationOutcome's "incomplete" issues, in Dutch. */
export function incompleteOf(bundle: unknown): string[] {
  const entries = (bundle as { entry?: { resource?: { resourceType?: string; issue?: unknown[] } }[] })
    ?.entry;
  return (entries ?? []).flatMap((e) =>
    e.resource?.resourceType === 'OperationOutcome'
      ? (e.resource.issue ?? []).flatMap((issue) => {
          const i = issue as { code?: string; diagnostics?: string };
          return i.code === 'incomplete' && i.diagnostics ? [i.diagnostics] : [];
        })
      : [],
  );
}
