/**
 * Bids sealed at rest: each bid's events are encrypted with a key of its own, derived from
 * the context's master key, so that a copy of the database (or of its backups) reads no
 * bid and no bidder before opening. The tender and bid ids are bound in as associated data:
 * a sealed box moved to another bid or tender does not open.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const KEY_BYTES = 32;

/** Base64: the GCM nonce, the ciphertext and its authentication tag. */
export interface SealedBox {
  iv: string;
  ciphertext: string;
  tag: string;
}

export class BrokenSealError extends Error {
  constructor(
    readonly tenderId: string,
    readonly bidId: string,
  ) {
    super(`The sealed bid ${bidId} of tender ${tenderId} does not open with this sealing key`);
    this.name = 'BrokenSealError';
  }
}

/** HKDF-SHA256(master, salt = tender id, info = "pcp bid " + bid id). */
export function bidKey(master: Buffer, tenderId: string, bidId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, tenderId, `pcp bid ${bidId}`, KEY_BYTES));
}

const associatedData = (tenderId: string, bidId: string) =>
  Buffer.from(JSON.stringify([tenderId, bidId]), 'utf8');

export function sealBid(
  master: Buffer,
  tenderId: string,
  bidId: string,
  value: unknown,
): SealedBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', bidKey(master, tenderId, bidId), iv);
  cipher.setAAD(associatedData(tenderId, bidId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/** The sealed value; BrokenSealError when the key, the ids or a byte of the box differ. */
export function openBid<T = unknown>(
  master: Buffer,
  tenderId: string,
  bidId: string,
  box: SealedBox,
): T {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      bidKey(master, tenderId, bidId),
      Buffer.from(box.iv, 'base64'),
    );
    decipher.setAAD(associatedData(tenderId, bidId));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(box.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    throw new BrokenSealError(tenderId, bidId);
  }
}

/**
 * HMAC-SHA256(master, org): what the bids-by-organisation read model is keyed by, so that an
 * organisation finds its own participations while the stored documents name no bidder.
 */
export function bidderKey(master: Buffer, org: string): string {
  return createHmac('sha256', master).update(`pcp bidder ${org}`, 'utf8').digest('hex');
}
