import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { InvalidTokenError, type AuthenticatedUser } from '../token/claims';
import { TokenVerifier } from '../token/token-verifier';
import { accessRuleOf } from './access-rules';
import { assertSameOrg, organisationInRequest, sameOrgRuleOf } from './same-org';

/** Where the guard leaves the verified user on the request. */
export const USER_KEY = 'user';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  [USER_KEY]?: AuthenticatedUser;
}
interface HttpResponse {
  setHeader(name: string, value: string): void;
}

/**
 * Global guard: authenticates every HTTP request (401) and applies the route's declared
 * rule (403), then its organisation rule (`@SameOrg`: 400 without the field, 403 for
 * another organisation). Fails closed: an authenticated route that declares no rule is
 * refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(@Inject(TokenVerifier) private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Message and event handlers are internal; only HTTP carries user tokens.
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const rule = accessRuleOf(context.getHandler(), context.getClass());
    const token = bearerToken(request);

    if (rule.kind === 'public') {
      if (token) request[USER_KEY] = await this.verifier.verify(token).catch(() => undefined);
      return true;
    }

    if (!token) throw this.unauthorized(http.getResponse<HttpResponse>(), 'Missing bearer token');
    try {
      request[USER_KEY] = await this.verifier.verify(token);
    } catch (error) {
      const message =
        error instanceof InvalidTokenError ? error.message : 'Token could not be verified';
      throw this.unauthorized(http.getResponse<HttpResponse>(), message);
    }
    const user = request[USER_KEY];

    switch (rule.kind) {
      case 'any-role':
        break;
      case 'roles':
        if (user.roles.some((role) => rule.roles.includes(role))) break;
        throw new ForbiddenException(`This action requires the role ${rule.roles.join(' or ')}`);
      case 'undeclared':
        throw new ForbiddenException('This route declares no access rule');
    }

    const sameOrg = sameOrgRuleOf(context.getHandler(), context.getClass());
    if (sameOrg) assertSameOrg(user, organisationInRequest(request, sameOrg.source), sameOrg.what);
    return true;
  }

  private unauthorized(response: HttpResponse, message: string): UnauthorizedException {
    response.setHeader(
      'WWW-Authenticate',
      `Bearer error="invalid_token", error_description="${message}"`,
    );
    return new UnauthorizedException(message);
  }
}

function bearerToken(request: HttpRequest): string | undefined {
  const header = request.headers['authorization'];
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1] : undefined;
}
