// The carer's own signing key, kept on her phone: an Ed25519 key made with WebCrypto (the private
// half cannot be exported) and stored in IndexedDB; the care organisation binds its public half on
// the logbook for her (POST /carelog/carers/:carer/keys). Each visit is signed with it over the
// statement's JCS bytes, exactly as signStatement does on a node.
import type { Json } from '@ketenlog/logbook/core';
import { carelogApi } from '../api/carelog.ts';
import type { ApiResult } from '../api/http.ts';

const DB = 'ketenlog-carer';
const STORE = 'keys';

interface StoredKey {
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

async function stored(carer: string): Promise<StoredKey | undefined> {
  const db = await open();
  try {
    return (await request(db.transaction(STORE).objectStore(STORE).get(carer))) as StoredKey | undefined;
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

export interface CarerKey {
  keyId: string;
  /** The signed envelope ({ statement, signatures }) of a statement authored by this key. */
  sign(statement: Record<string, unknown>): Promise<unknown>;
}

/** This device's key for the carer, made and bound on first use. */
export async function carerKey(carer: string): Promise<ApiResult<CarerKey>> {
  let key = await stored(carer);
  if (!key) {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const publicKey = base64(await crypto.subtle.exportKey('raw', pair.publicKey));
    const bound = await carelogApi.bindCarerKey(carer, publicKey);
    if (bound.kind !== 'ok') return bound;
    key = { carer, keyId: bound.value.keyId, privateKey: pair.privateKey };
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
