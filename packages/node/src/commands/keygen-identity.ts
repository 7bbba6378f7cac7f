// Keys and accounts for a production node's identity: the OpenID Connect client key a node uses
// towards its DigiD broker or an organisation's IdP (private_key_jwt), and a professional's
// password + TOTP account for the documented fallback. Secrets go to files of mode 600, or once
// to the terminal for an authenticator app; only public parts are printed for others.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertPrivateFile, hashPassword, newTotpSecret, totpUri } from '@ketenlog/auth';
import { UsageError, type Command } from './command.ts';

export const keygenOidcCommand = {
  name: 'keygen-oidc',
  summary: "generate the node's OpenID Connect client key (private_key_jwt) for a DigiD broker or an IdP",
  help: `Usage: ketenlog keygen-oidc --out <file> [--alg ES256|PS256]

Generates the key pair a node signs its client assertions with (private_key_jwt, RFC 7523) at its
DigiD broker, Dezi or an organisation's identity provider. Writes the private JWK to --out (mode 600;
it refuses to overwrite a file) for identity.*.privateKey: file:<out> in the node configuration, and
prints the public JWK Set to register with the broker or IdP.
  --out <file>   where to write the private key (keep it on the node only)
  --alg <alg>    ES256 (EC P-256, the default) or PS256 (RSA 3072)`,
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, alg: { type: 'string' } } });
    if (!values.out) throw new UsageError('ketenlog keygen-oidc: --out <file> is required');
    const alg = values.alg ?? 'ES256';
    if (alg !== 'ES256' && alg !== 'PS256')
      throw new UsageError('ketenlog keygen-oidc: --alg must be ES256 or PS256');
    if (existsSync(values.out))
      throw new UsageError(`ketenlog keygen-oidc: ${values.out} exists; not overwriting a key`);
    const { privateKey, publicKey } =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 3072 });
    const kid = randomBytes(8).toString('hex');
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg };
    writeFileSync(values.out, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    console.log(`# Private key written to ${values.out} (mode 600). Public JWK Set for the broker or IdP:`);
    console.log(JSON.stringify({ keys: [publicJwk] }, null, 2));
    return 0;
  },
} satisfies Command & { run(args: string[]): Promise<number> };

export const keygenProfessionalCommand = {
  name: 'keygen-professional',
  summary: "make a professional's password + TOTP account (the fallback beside her organisation's IdP)",
  help: `Usage: ketenlog keygen-professional --id <pro:id> --name <name> --organisation <URA> --role <role>
                                    [--password-file <file>]

Hashes her password with scrypt and makes a fresh TOTP secret; prints the account as JSON to add to
the node's professional accounts file (identity.professionalAccounts, mode 600), and on stderr the
otpauth:// URI for her authenticator app (show it to her once, e.g. as a QR code). The password is
read from --password-file (mode 600) or from the first line of standard input; it must be at least
12 characters.`,
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        id: { type: 'string' },
        name: { type: 'string' },
        organisation: { type: 'string' },
        role: { type: 'string' },
        'password-file': { type: 'string' },
      },
    });
    const { id, name, organisation, role } = values;
    if (!id || !name || !organisation || !role)
      throw new UsageError(
        'ketenlog keygen-professional: --id, --name, --organisation and --role are required',
      );
    if (!/^pro:[a-z0-9][a-z0-9._-]{0,62}$/.test(id))
      throw new UsageError('ketenlog keygen-professional: --id must look like pro:anna-jansen');
    if (!/^\d{8}$/.test(organisation))
      throw new UsageError('ketenlog keygen-professional: --organisation is a URA (8 digits)');
    const file = values['password-file'];
    if (file) {
      try {
        assertPrivateFile(file, '--password-file');
      } catch (error) {
        throw new UsageError(`ketenlog keygen-professional: ${(error as Error).message}`);
      }
    }
    // Standard input is file descriptor 0.
    const password = readFileSync(file ?? 0, 'utf8').split('\n')[0]!;
    if ([...password].length < 12)
      throw new UsageError('ketenlog keygen-professional: the password must be at least 12 characters');
    const totpSecret = newTotpSecret();
    const account = {
      id,
      name,
      memberships: [{ organisation: `ura:${organisation}`, role }],
      passwordHash: await hashPassword(password),
      totpSecret,
    };
    console.log(JSON.stringify(account, null, 2));
    console.error(`TOTP for her authenticator app (show once): ${totpUri(totpSecret, id)}`);
    return 0;
  },
} satisfies Command & { run(args: string[]): Promise<number> };
