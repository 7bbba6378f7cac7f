/** A holder an export names as missing: its URA when the issue names it, and the issue's text. */
export interface MissingHolder {
  ura?: string;
  text: string;
}

/** The holders an export names as missing: its OperationOutcome's "incomplete" issues. */
export function incompleteOf(bundle: unknown): MissingHolder[] {
  const entries = (bundle as { entry?: { resource?: { resourceType?: string; issue?: unknown[] } }[] })
    ?.entry;
  return (entries ?? []).flatMap((e) =>
    e.resource?.resourceType === 'OperationOutcome'
      ? (e.resource.issue ?? []).flatMap((issue) => {
          const i = issue as {
            code?: string;
            diagnostics?: string;
            details?: { coding?: { system?: string; code?: string; display?: string }[] };
          };
          if (i.code !== 'incomplete' || !i.diagnostics) return [];
          const ura = i.details?.coding?.find((c) => c.system === URA_SYSTEM)?.code;
          return [{ ...(ura ? { ura } : {}), text: i.diagnostics }];
        })
      : [],
  );
}

const URA_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/ura';
