// The passkey page of a node (Dutch): enrol after the identity check, log in, and sign a statement
// the server drafts. It uses @simplewebauthn/browser, served by the routes as browser.js.
import { DEMO_DIGID_LABEL } from './demo-digid.ts';

export interface PasskeyPageOptions {
  /** The routes' prefix, e.g. `/auth`. */
  readonly prefix: string;
  readonly organisationName: string;
  /** The label of the identity check (the demo stand-in says it is not DigiD). */
  readonly identityLabel: string;
  /** Prefilled statement draft (JSON) for the signing form. */
  readonly draft: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function passkeyPage(options: PasskeyPageOptions): string {
  const base = JSON.stringify(`${options.prefix}/passkeys`);
  const demo = options.identityLabel === DEMO_DIGID_LABEL;
  return `<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Passkey — ${escapeHtml(options.organisationName)}</title>
<script src="${escapeHtml(options.prefix)}/passkeys/browser.js"></script></head>
<body>
<h1>Inloggen en ondertekenen met uw passkey</h1>
<p>Zorgorganisatie: ${escapeHtml(options.organisationName)}</p>
${demo ? `<p><strong>${escapeHtml(DEMO_DIGID_LABEL)}.</strong> Dit is een demonstratieomgeving.</p>` : ''}
<section>
  <h2>1. Passkey aanmaken</h2>
  <p>Eerst controleren we wie u bent met ${escapeHtml(options.identityLabel)}.</p>
  <p><a id="identiteit" href="${escapeHtml(options.prefix)}/passkeys/enrol">Inloggen met ${escapeHtml(options.identityLabel)}</a></p>
  <p><a id="vertegenwoordiger" href="${escapeHtml(options.prefix)}/passkeys/enrol?as=representative">Inloggen met ${escapeHtml(options.identityLabel)} als vertegenwoordiger</a> (u handelt voor iemand anders, met haar of zijn machtiging)</p>
  <button id="aanmaken" type="button">Passkey aanmaken</button>
</section>
<section>
  <h2>2. Inloggen</h2>
  <button id="inloggen" type="button">Inloggen met passkey</button>
</section>
<section>
  <h2>3. Ondertekenen</h2>
  <label for="concept">Verklaring (concept)</label><br>
  <textarea id="concept" rows="6" cols="80">${escapeHtml(options.draft)}</textarea><br>
  <button id="ondertekenen" type="button">Ondertekenen met passkey</button>
</section>
<p>Status: <output id="status">gereed</output></p>
<pre id="ondertekend"></pre>
<script>
const base = ${base};
const { startRegistration, startAuthentication } = SimpleWebAuthnBrowser;
const status = (text) => { document.getElementById('status').textContent = text; };
async function post(path, body) {
  const response = await fetch(base + path, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.issue?.[0]?.diagnostics ?? response.statusText);
  return json;
}
async function run(label, done, work) {
  status(label + '…');
  try { await work(); status(done); } catch (e) { status('fout: ' + e.message); }
}
// After enrolment, back to where it started (a path on this node only, e.g. the portal).
const returnTo = new URLSearchParams(location.search).get('returnTo');
const back = returnTo && /^\\/(?![/\\\\])/.test(returnTo) ? returnTo : undefined;
document.getElementById('aanmaken').onclick = () => run('passkey aanmaken', 'passkey aangemaakt', async () => {
  const optionsJSON = await post('/registration/options');
  await post('/registration/verify', await startRegistration({ optionsJSON }));
  if (back) location.assign(back);
});
document.getElementById('inloggen').onclick = () => run('inloggen', 'ingelogd', async () => {
  const optionsJSON = await post('/authentication/options');
  await post('/authentication/verify', await startAuthentication({ optionsJSON }));
});
document.getElementById('ondertekenen').onclick = () => run('ondertekenen', 'ondertekend', async () => {
  const draft = JSON.parse(document.getElementById('concept').value);
  const { statement, options } = await post('/statements/options', { draft });
  const response = await startAuthentication({ optionsJSON: options });
  const { envelope } = await post('/statements/sign', { statement, response });
  document.getElementById('ondertekend').textContent = JSON.stringify(envelope);
});
</script>
</body></html>`;
}
