import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
  type FlattenedJWSInput,
} from 'jose';
import { MIN_SECRET_LENGTH, type AuthOptions } from './auth-options';
import { InvalidTokenError, userFromClaims, type AuthenticatedUser } from './claims';

const ASYMMETRIC = ['RS256', 'ES256'];

/** How long a verified token is taken on trust before its signature is checked again. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Verified tokens remembered at most; the oldest make way. */
export const VERIFIED_TOKENS_MAX = 10_000;

interface VerifiedToken {
  user: AuthenticatedUser;
  /** Epoch milliseconds after which the token is verified again (or refused as expired). */
  until: number;
}

/**
 * Verifies bearer tokens: HS256 with the shared secret, RS256/ES256 with the keys of a
 * JWKS endpoint, or both (the token's `alg` picks the key). Every failure is an
 * InvalidTokenError with a message that says what is wrong, never which key was tried.
 */
export class TokenVerifier {
  private readonly getKey: JWTVerifyGetKey;
  private readonly algorithms: string[];
  /**
   * Tokens verified lately, by their text: a client sends the same token with every request,
   * and checking its signature (asynchronous WebCrypto) costs more than the rest of the
   * authorisation. An entry holds until the token expires, and at most
   * VERIFIED_TOKEN_TTL_MS, so that a key withdrawn from the JWKS soon stops its tokens.
   * Refused tokens are never remembered.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly options: AuthOptions,
    /** Epoch milliseconds; tests move it. */
    private readonly now: () => number = Date.now,
  ) {
    const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined;
    if (options.jwtSecret !== undefined && options.jwtSecret.length < MIN_SECRET_LENGTH) {
      throw new Error(`The JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
    if (!secret && !jwks) throw new Error('Authentication needs a JWT secret or a JWKS URL');

    this.algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC : [])];
    this.getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
      if (header.alg === 'HS256' && secret) return secret;
      if (jwks && ASYMMETRIC.includes(header.alg)) return jwks(header, token);
      throw new InvalidTokenError(`Tokens signed with ${header.alg} are not accepted`);
    };
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const at = this.now();
    const known = this.verified.get(token);
    if (known && at < known.until) return copyOf(known.user);
    this.verified.delete(token);
    const tolerance = this.options.clockToleranceSec ?? 30;
    let user: AuthenticatedUser;
    let exp: number;
    try {
      const { payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
        currentDate: new Date(at),
      });
      user = userFromClaims(payload);
      exp = payload.exp as number;
    } catch (error) {
      throw toInvalidToken(error);
    }
    this.remember(token, {
      user: copyOf(user),
      until: Math.min(at + VERIFIED_TOKEN_TTL_MS, (exp + tolerance) * 1000),
    });
    return user;
  }

  private remember(token: string, entry: VerifiedToken): void {
    if (this.verified.size >= VERIFIED_TOKENS_MAX) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, entry);
  }
}

/** Each request gets its own user: nothing a handler does to it reaches the next request. */
function copyOf(user: AuthenticatedUser): AuthenticatedUser {
  return { ...user, roles: [...user.roles] };
}

function toInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('Token expired');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new InvalidTokenError('Invalid token signature');
  if (error instanceof errors.JWKSNoMatchingKey)
    return new InvalidTokenError('No key matches the token');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(`Token claim "${error.claim}" is invalid: ${error.reason}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new InvalidTokenError('Token algorithm not accepted');
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return new InvalidTokenError('Malformed token');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) {
    return new InvalidTokenError('Token could not be verified');
  }
  return new InvalidTokenError('Token could not be verified');
}
