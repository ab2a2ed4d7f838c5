export interface AuthOptions {
  /** HS256 secret (at least 32 characters). */
  jwtSecret?: string;
  /** JWKS endpoint for RS256/ES256 tokens from an identity provider. */
  jwksUrl?: string;
  /** Required `iss`, when set. */
  issuer?: string;
  /** Required `aud`, when set. */
  audience?: string;
  /** Allowed clock skew in seconds; default 30. */
  clockToleranceSec?: number;
}

export const MIN_SECRET_LENGTH = 32;
