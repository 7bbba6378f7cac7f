// The demo region's sample patient app (a PGO), served by each node so a client can try the SMART
// route without installing anything: it launches standalone with the official SMART JavaScript
// client (fhirclient), shows her own measurements and adds a weight, which the node stores as
// self-reported. DEMO ONLY: a real PGO is a separate application with its own origin.
import type { FastifyInstance } from 'fastify';

export interface DemoPgoOptions {
  /** Where the app lives, with a trailing slash (also its redirect URI). */
  readonly path: string;
  readonly clientId: string;
  /** The FHIR base URL the app launches against (the `iss`). */
  readonly fhirBase: string;
  /** The fhirclient browser build. */
  readonly fhirClientJs: string;
}

export const DEMO_PGO_SCOPES =
  'launch/patient openid fhirUser offline_access patient/*.rs patient/Observation.c';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
button{font:inherit;padding:.5rem 1rem}label{display:block;margin:.5rem 0}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export async function demoPgoPages(app: FastifyInstance, options: DemoPgoOptions): Promise<void> {
  const { path, clientId, fhirBase } = options;
  const config = JSON.stringify({ clientId, iss: fhirBase, redirectUri: path, scope: DEMO_PGO_SCOPES });
  const html = (body: string) => (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get(`${path}fhir-client.js`, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(options.fhirClientJs),
  );
  app.get(
    `${path}launch`,
    html(
      page(
        'Demo-PGO koppelen',
        `<h1>Demo-PGO</h1><p>Deze voorbeeld-app vraagt toegang tot uw eigen gegevens (SMART on FHIR).</p>
<script src="${path}fhir-client.js"></script><script>FHIR.oauth2.authorize(${config});</script>`,
      ),
    ),
  );
  app.get(
    path,
    html(
      page(
        'Demo-PGO',
        `<h1>Demo-PGO</h1><p id="status" role="status">Bezig met verbinden…</p>
<ul id="measurements"></ul>
<form id="add" hidden><label>Gewicht (kg) <input id="weight" type="number" step="0.1" min="20" max="300" required></label>
<button>Meting toevoegen</button></form>
<p><a href="${path}launch">Opnieuw koppelen</a></p>
<script src="${path}fhir-client.js"></script><script>
const status = document.getElementById('status');
const list = document.getElementById('measurements');
FHIR.oauth2.ready().then(async (client) => {
  const show = async () => {
    const bundle = await client.request('Observation?patient=' + client.patient.id + '&_sort=-date&_count=20');
    list.replaceChildren(...(bundle.entry || []).map((e) => {
      const o = e.resource, li = document.createElement('li');
      const self = (o.meta && o.meta.tag || []).some((t) => t.code === 'self-reported');
      li.textContent = (o.code && (o.code.text || (o.code.coding || [])[0]?.display || (o.code.coding || [])[0]?.code)) +
        ': ' + (o.valueQuantity ? o.valueQuantity.value + ' ' + (o.valueQuantity.unit || '') : '') + (self ? ' (zelf gemeten)' : '');
      return li;
    }));
  };
  const patient = await client.patient.read();
  const name = (patient.name || [])[0];
  status.textContent = 'Verbonden als ' + (name ? (name.given || []).join(' ') + ' ' + (name.family || '') : 'cliënt') + '.';
  await show();
  const form = document.getElementById('add');
  form.hidden = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await client.create({ resourceType: 'Observation', status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Lichaamsgewicht' }], text: 'Gewicht' },
      subject: { reference: 'Patient/' + client.patient.id }, effectiveDateTime: new Date().toISOString(),
      valueQuantity: { value: Number(document.getElementById('weight').value), unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } });
    status.textContent = 'Meting opgeslagen.';
    await show();
  });
}).catch((error) => { status.textContent = 'Niet verbonden: ' + error.message; });
</script>`,
      ),
    ),
  );
}
