// Secrets a production node reads at start (private keys, professionals' password hashes and TOTP
// secrets): from a file only the node's own user may read, or from an environment variable.
// A file readable by group or others is refused, as ssh refuses a private key with loose modes.
import { readFileSync, statSync } from 'node:fs';

export class SecretFileError extends Error {
  override name = 'SecretFileError';
}

/**
 * The text of a secret file. Refuses a file whose mode lets group or others read or write it
 * (chmod 600 or 400), and one that cannot be read, naming the file and the fix.
 */
export function readSecretFile(path: string, what = 'secret file'): string {
  assertPrivateFile(path, what);
  return readFileSync(path, 'utf8');
}

/** Throws SecretFileError unless only the owner may read and write the file. */
export function assertPrivateFile(path: string, what = 'secret file'): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw new SecretFileError(
      `${what} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if ((mode & 0o077) !== 0)
    throw new SecretFileError(
      `${what} ${path}: readable or writable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
}

/**
 * A secret named in configuration as `file:<path>` or `env:<NAME>`. The value itself never sits
 * in the configuration file, which is often shared or checked in.
 */
export function readSecret(reference: string, what = 'secret'): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = process.env[name];
    if (!value) throw new SecretFileError(`${what}: environment variable ${name} is not set`);
    return value;
  }
  if (reference.startsWith('file:')) return readSecretFile(reference.slice(5), what).trim();
  throw new SecretFileError(`${what}: name it as file:<path> or env:<NAME>, not inline`);
}
