import { SignJWT } from 'jose';
import { MIN_SECRET_LENGTH } from './auth-options';
import type { TokenClaims } from './claims';

export interface MintOptions {
  secret: string;
  /** jose time span, e.g. `8h`, `30m`, `7d`; default 8h. */
  ttl?: string;
  issuer?: string;
  audience?: string;
  /** Issue time; tests use a past one to mint expired tokens. */
  issuedAt?: Date;
}

/** Signs an HS256 platform token for local use (the token CLI, tests). */
export async function mintToken(claims: TokenClaims, options: MintOptions): Promise<string> {
  if (options.secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`The JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const { sub, ...rest } = claims;
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  let jwt = new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt(issuedAt, options.ttl ?? '8h'));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `8h` -> issuedAt + 8 hours, counted from the (possibly past) issue time. */
export function expiresAt(issuedAt: number, ttl: string): number {
  const match = /^(\d+)\s*([smhd])$/.exec(ttl.trim());
  if (!match) throw new Error(`Invalid ttl "${ttl}"; use a number and s, m, h or d, e.g. 8h`);
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  if (seconds <= 0) throw new Error('The ttl must be positive');
  return issuedAt + seconds;
}
