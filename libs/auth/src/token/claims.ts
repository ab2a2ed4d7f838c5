import { ORGANISATION_TYPES, type OrganisationType } from '@pcp/contracts';

/** The platform's roles (API.md "Common rules"). */
export const ROLES = ['procurer', 'supplier', 'evaluator', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Organisation types (DOMAIN.md "Users"): the published language's list, so that a token's
 * `orgType` and the reference data never disagree.
 */
export const ORG_TYPES = ORGANISATION_TYPES;
export type OrgType = OrganisationType;

/** The person behind a request, as the token describes them. */
export interface AuthenticatedUser {
  userId: string;
  org: string;
  roles: Role[];
  name: string;
  orgType?: OrgType;
  sme?: boolean;
  /** ISO 3166-1 alpha-2. */
  country?: string;
}

/** The claims a platform token carries, as minted and as read back. */
export interface TokenClaims {
  sub: string;
  org: string;
  roles: Role[];
  name: string;
  orgType?: OrgType;
  sme?: boolean;
  country?: string;
}

/** A token that cannot be trusted or does not describe a user; always a 401. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const COUNTRY = /^[A-Z]{2}$/;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Reads and checks the user claims of a verified token payload. */
export function userFromClaims(payload: Record<string, unknown>): AuthenticatedUser {
  const text = (claim: string): string => {
    const value = payload[claim];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidTokenError(`Token claim "${claim}" is missing or not a non-empty string`);
    }
    return value;
  };
  const user: AuthenticatedUser = {
    userId: text('sub'),
    org: text('org'),
    roles: [],
    name: text('name'),
  };

  const roles = payload['roles'];
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw new InvalidTokenError(
      `Token claim "roles" must be a non-empty array of ${ROLES.join(', ')}`,
    );
  }
  user.roles = [...new Set(roles)];

  const { orgType, sme, country } = payload;
  if (orgType !== undefined) {
    if (typeof orgType !== 'string' || !(ORG_TYPES as readonly string[]).includes(orgType)) {
      throw new InvalidTokenError(`Token claim "orgType" must be one of ${ORG_TYPES.join(', ')}`);
    }
    user.orgType = orgType as OrgType;
  }
  if (sme !== undefined) {
    if (typeof sme !== 'boolean')
      throw new InvalidTokenError('Token claim "sme" must be a boolean');
    user.sme = sme;
  }
  if (country !== undefined) {
    if (typeof country !== 'string' || !COUNTRY.test(country)) {
      throw new InvalidTokenError(
        'Token claim "country" must be an ISO 3166 alpha-2 code such as ES',
      );
    }
    user.country = country;
  }
  return user;
}

export function hasRole(user: Pick<AuthenticatedUser, 'roles'>, ...roles: Role[]): boolean {
  return user.roles.some((role) => roles.includes(role));
}
