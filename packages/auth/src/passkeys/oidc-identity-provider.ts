// The identity check through an upstream OpenID Connect provider — a DigiD broker in production —
// on OidcRelyingParty (code + PKCE, state, nonce, private_key_jwt, the ID token checked by
// openid-client). The BSN comes from the configured claim; the level of assurance from `acr`
// through the configured mapping, and a login below the minimum, or with an `acr` the mapping does
// not know, is refused.
import { isValidBsn } from '@ketenlog/fhir';
import type { EphemeralStore } from '@ketenlog/storage';
import { OidcRelyingParty, type RelyingPartyOptions } from '../oidc-rp/relying-party.ts';
import {
  IdentityCheckError,
  type IdentityCheckStart,
  type IdentityProvider,
  type VerifiedIdentity,
} from './identity-check.ts';

type Assurance = VerifiedIdentity['assurance'];
const ASSURANCE_ORDER: readonly Assurance[] = ['low', 'substantial', 'high'];

export interface OidcIdentityProviderOptions {
  readonly id: string;
  readonly label: string;
  readonly upstream: RelyingPartyOptions;
  /** Where logins under way are kept (the node's database). */
  readonly ephemeral: EphemeralStore;
  /** This node's public base URL; the redirect URI is this plus the callback path. */
  readonly publicBaseUrl: string;
  /** ID token claim holding the BSN; `sub` by default. */
  readonly bsnClaim?: string;
  /** `acr` value → the assurance it stands for; values not listed are not trusted at all. */
  readonly acr: Readonly<Record<string, Assurance>>;
  /** Lowest accepted assurance; `substantial` (DigiD Midden, eIDAS substantial) by default. */
  readonly minimumAssurance?: Assurance;
}

const UNREACHABLE = (label: string) =>
  `Inloggen met ${label} lukt nu niet: de inlogdienst is niet bereikbaar. Probeer het later opnieuw.`;

export class OidcIdentityProvider implements IdentityProvider {
  readonly id: string;
  readonly label: string;
  readonly #options: OidcIdentityProviderOptions;
  readonly #rp: OidcRelyingParty;

  constructor(options: OidcIdentityProviderOptions) {
    this.id = options.id;
    this.label = options.label;
    this.#options = options;
    // DigiD brokers take the wanted level as acr_values (OIDC Core §3.1.2.1) and may step down;
    // the ID token's acr is what counts.
    const wanted = Object.entries(options.acr)
      .filter(([, level]) => ASSURANCE_ORDER.indexOf(level) >= ASSURANCE_ORDER.indexOf(this.#minimum))
      .map(([value]) => value);
    this.#rp = new OidcRelyingParty(
      {
        ...options.upstream,
        authorizationParameters: {
          ...options.upstream.authorizationParameters,
          acr_values: wanted.join(' '),
        },
      },
      options.ephemeral,
    );
  }

  get #minimum(): Assurance {
    return this.#options.minimumAssurance ?? 'substantial';
  }

  async start(state: string, callbackUrl: string): Promise<IdentityCheckStart> {
    try {
      const url = await this.#rp.start(state, new URL(callbackUrl, this.#options.publicBaseUrl).href);
      return { redirectTo: url.href };
    } catch (error) {
      throw new IdentityCheckError(503, UNREACHABLE(this.label), { cause: error });
    }
  }

  async complete(query: Readonly<Record<string, string | undefined>>): Promise<VerifiedIdentity | undefined> {
    const result = await this.#rp.complete(query);
    if (!result.ok) {
      if (result.problem.code === 'unreachable') throw new IdentityCheckError(503, UNREACHABLE(this.label));
      return undefined;
    }
    const bsn = result.value[this.#options.bsnClaim ?? 'sub'];
    if (typeof bsn !== 'string' || !isValidBsn(bsn)) return undefined;
    const acr = result.value.acr;
    const assurance = typeof acr === 'string' ? this.#options.acr[acr] : undefined;
    if (!assurance || ASSURANCE_ORDER.indexOf(assurance) < ASSURANCE_ORDER.indexOf(this.#minimum))
      throw new IdentityCheckError(
        401,
        `Inloggen met ${this.label} is gelukt, maar niet op het vereiste betrouwbaarheidsniveau (${this.#minimum}).`,
      );
    return { bsn, assurance, provider: this.id };
  }
}
