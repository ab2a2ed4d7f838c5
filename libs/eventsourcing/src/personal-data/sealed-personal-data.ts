/**
 * Personal data sealed per person (crypto-shredding). A value is encrypted with its
 * person's key (AES-256-GCM) and the envelope is what events, read models and messages
 * carry; the hash chain covers the ciphertext, so destroying the key makes the value
 * unreadable everywhere while every stored event, hash and anchor stays as it was.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEALING_SCHEME = 'aes-256-gcm' as const;
const KEY_BYTES = 32;
const IV_BYTES = 12;

/** The fields of one person's data, e.g. `{ name, email }` of a contact person. */
export type PersonalFields = Record<string, string>;

/** What is stored in place of a person's data. */
export interface SealedPersonalData {
  personalData: typeof SEALING_SCHEME;
  /** The person the data is about; erasing them destroys `keyId`. */
  personId: string;
  keyId: string;
  /** Base64url: the GCM nonce, the authentication tag and the ciphertext of the fields' JSON. */
  iv: string;
  tag: string;
  ciphertext: string;
}

/** A sealed value as readers see it: the fields while the key exists, a marker afterwards. */
export type DisclosedPersonalData = OpenedPersonalData | ErasedPersonalData;

export interface OpenedPersonalData {
  personId: string;
  erased: false;
  /** The sealed fields, e.g. name and email. */
  [field: string]: string | false;
}

export interface ErasedPersonalData {
  personId: string;
  erased: true;
}

export interface PersonKey {
  keyId: string;
  key: Buffer;
}

export function isSealedPersonalData(value: unknown): value is SealedPersonalData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['personalData'] === SEALING_SCHEME &&
    typeof v['personId'] === 'string' &&
    typeof v['keyId'] === 'string' &&
    typeof v['iv'] === 'string' &&
    typeof v['tag'] === 'string' &&
    typeof v['ciphertext'] === 'string'
  );
}

export function newPersonKey(keyId: string): PersonKey {
  return { keyId, key: randomBytes(KEY_BYTES) };
}

/** The person and key are authenticated with the ciphertext: an envelope moved to another person does not open. */
function associatedData(personId: string, keyId: string): Buffer {
  return Buffer.from(JSON.stringify([SEALING_SCHEME, personId, keyId]), 'utf8');
}

export function sealWith(
  personId: string,
  personKey: PersonKey,
  fields: PersonalFields,
): SealedPersonalData {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(SEALING_SCHEME, personKey.key, iv);
  cipher.setAAD(associatedData(personId, personKey.keyId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return {
    personalData: SEALING_SCHEME,
    personId,
    keyId: personKey.keyId,
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
  };
}

/** Decrypts with the person's key; throws when the envelope was altered or the key is not its own. */
export function openWith(sealed: SealedPersonalData, key: Buffer): PersonalFields {
  const decipher = createDecipheriv(SEALING_SCHEME, key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAAD(associatedData(sealed.personId, sealed.keyId));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  const plain = Buffer.concat([
    decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(plain) as PersonalFields;
}

export function checkFields(fields: PersonalFields): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') throw new TypeError(`personal field ${name} must be a string`);
    if (name === 'personId' || name === 'erased') {
      throw new TypeError(`personal field ${name} would hide the disclosed form's own field`);
    }
  }
}

/**
 * Replaces every sealed envelope found anywhere in `value` (objects and arrays, any depth)
 * with what `disclose` returns for it; everything else is copied as it is.
 */
export function mapSealed(
  value: unknown,
  disclose: (sealed: SealedPersonalData) => DisclosedPersonalData,
): unknown {
  if (isSealedPersonalData(value)) return disclose(value);
  if (Array.isArray(value)) return value.map((v) => mapSealed(v, disclose));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapSealed(v, disclose);
    return out;
  }
  return value;
}

/** Every sealed envelope in `value`. */
export function sealedIn(value: unknown, found: SealedPersonalData[] = []): SealedPersonalData[] {
  if (isSealedPersonalData(value)) found.push(value);
  else if (Array.isArray(value)) for (const v of value) sealedIn(v, found);
  else if (isPlainObject(value)) for (const v of Object.values(value)) sealedIn(v, found);
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  // Any realm's Object.prototype: documents may be cloned by the runtime in another realm.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
