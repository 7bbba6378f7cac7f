// A professional's own signing key, kept on her device: an Ed25519 key made with WebCrypto (the
// private half cannot be exported) and stored in IndexedDB; her organisation binds its public half
// on the logbook for her (a carer's through /carelog, an assessor's of research agreements through
// /analytics). Each statement is signed with it over its JCS bytes, exactly as signStatement does
// on a node.
import type { Json } from '@ketenlog/logbook/core';
import type { ApiResult } from './api/http.ts';

// The store's first users were carers: its name and key path stay as their devices know them.
const DB = 'ketenlog-carer';
const STORE = 'keys';

interface StoredKey {
  /** the professional's id (the key path's name is the carers') */
  carer: string;
  keyId: string;
  privateKey: CryptoKey;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function open(): Promise<IDBDatabase> {
  const opening = indexedDB.open(DB, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: 'carer' });
  return request(opening);
}

async function stored(professional: string): Promise<StoredKey | undefined> {
  const db = await open();
  try {
    return (await request(db.transaction(STORE).objectStore(STORE).get(professional))) as
      StoredKey | undefined;
  } finally {
    db.close();
  }
}

async function store(key: StoredKey): Promise<void> {
  const db = await open();
  try {
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(key));
  } finally {
    db.close();
  }
}

const base64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

export interface ProfessionalKey {
  keyId: string;
  /** The signed envelope ({ statement, signatures }) of a statement authored by this key. */
  sign(statement: Record<string, unknown>): Promise<unknown>;
}

/** This device's key for the professional, made and bound (by `bind`) on first use. */
export async function professionalKey(
  professional: string,
  bind: (publicKey: string) => Promise<ApiResult<{ keyId: string }>>,
): Promise<ApiResult<ProfessionalKey>> {
  let key = await stored(professional);
  if (!key) {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const publicKey = base64(await crypto.subtle.exportKey('raw', pair.publicKey));
    const bound = await bind(publicKey);
    if (bound.kind !== 'ok') return bound;
    key = { carer: professional, keyId: bound.value.keyId, privateKey: pair.privateKey };
    await store(key);
  }
  const { keyId, privateKey } = key;
  return {
    kind: 'ok',
    value: {
      keyId,
      async sign(statement) {
        const { canonicalBytes } = await import('@ketenlog/logbook/core');
        const bytes = canonicalBytes(statement as Json);
        const sig = await crypto.subtle.sign(
          { name: 'Ed25519' },
          privateKey,
          bytes as Uint8Array<ArrayBuffer>,
        );
        return { statement, signatures: [{ alg: 'Ed25519', keyId, sig: base64(sig) }] };
      },
    },
  };
}
