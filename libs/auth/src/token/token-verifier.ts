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

/**
 * Verifies bearer tokens: HS256 with the shared secret, RS256/ES256 with the keys of a
 * JWKS endpoint, or both (the token's `alg` picks the key). Every failure is an
 * InvalidTokenError with a message that says what is wrong, never which key was tried.
 */
export class TokenVerifier {
  private readonly getKey: JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly options: AuthOptions) {
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
    try {
      const { payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec ?? 30,
        requiredClaims: ['exp'],
      });
      return userFromClaims(payload);
    } catch (error) {
      throw toInvalidToken(error);
    }
  }
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
