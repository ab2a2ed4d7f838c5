import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A secret of a local installation: the configured one, or one generated once and kept in
 * DATA_DIR (mode 0600), so that what it protects stays readable across restarts.
 */
export function resolveDataDirSecret(
  dataDir: string,
  file: string,
  configured: string | undefined,
  generate: () => string,
): string {
  if (configured) return configured;
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = generate();
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

/** The HS256 secret: tokens minted with `npm run token` keep working across restarts. */
export function resolveJwtSecret(dataDir: string, configured?: string): string {
  return resolveDataDirSecret(dataDir, 'jwt-secret', configured, () =>
    randomBytes(48).toString('base64url'),
  );
}

export const BID_SEALING_KEY_BYTES = 32;

/** Why a BID_SEALING_KEY is unusable, or null when it is 32 bytes in base64. */
export function bidSealingKeyProblem(value: string): string | null {
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : null;
  return bytes?.length === BID_SEALING_KEY_BYTES
    ? null
    : `BID_SEALING_KEY must be ${BID_SEALING_KEY_BYTES} random bytes in base64 (for example \`openssl rand -base64 32\`)`;
}

/**
 * The master key that seals bids at rest until their opening: BID_SEALING_KEY, or one
 * generated into DATA_DIR/bid-sealing-key. Losing it makes every sealed bid unopenable.
 */
export function resolveBidSealingKey(dataDir: string, configured?: string): Buffer {
  const key = resolveDataDirSecret(dataDir, 'bid-sealing-key', configured, () =>
    randomBytes(BID_SEALING_KEY_BYTES).toString('base64'),
  );
  const problem = bidSealingKeyProblem(key);
  if (problem)
    throw new Error(configured ? problem : `${problem}: ${join(dataDir, 'bid-sealing-key')}`);
  return Buffer.from(key, 'base64');
}
