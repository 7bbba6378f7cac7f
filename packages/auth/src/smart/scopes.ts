// SMART App Launch 2.0 scopes: `patient/<Type|*>.<cruds>` (v1 `.read`/`.write` accepted too).
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  readonly context: 'patient' | 'user' | 'system';
  readonly resourceType: string;
  readonly interactions: ReadonlySet<Interaction>;
}

const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$/;

export function parseResourceScope(scope: string): ResourceScope | undefined {
  const match = SCOPE.exec(scope);
  if (!match || match[3] === '') return undefined;
  const [, context, resourceType, perms] = match as unknown as [
    string,
    ResourceScope['context'],
    string,
    string,
  ];
  const letters = perms === 'read' ? 'rs' : perms === 'write' ? 'cud' : perms === '*' ? 'cruds' : perms;
  return { context, resourceType, interactions: new Set(letters.split('') as Interaction[]) };
}

/** Whether a space-separated scope string grants `interaction` on `resourceType` in patient context. */
export function patientScopePermits(scopes: string, resourceType: string, interaction: Interaction): boolean {
  return scopes
    .split(' ')
    .map(parseResourceScope)
    .some(
      (scope) =>
        scope !== undefined &&
        scope.context === 'patient' &&
        (scope.resourceType === '*' || scope.resourceType === resourceType) &&
        scope.interactions.has(interaction),
    );
}

export const SMART_SCOPES = [
  'launch/patient',
  'fhirUser',
  'patient/*.rs',
  'patient/*.read',
  'patient/Observation.c',
  'patient/Observation.cruds',
] as const;
