/** Query parameters whose values are credentials, whatever their case. */
const SECRET_PARAMETERS =
  /^(access_?token|id_?token|refresh_?token|token|jwt|api_?key|key|secret|password|passwd|authorization|auth|signature|sig|code)$/i;
/** A JSON Web Token anywhere: three base64url parts, the first two JSON objects (`eyJ`). */
const JWT = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;
export const REDACTED = '[redacted]';

/**
 * A request address fit for the logs: credential-named query values and anything shaped
 * like a token replaced. Tokens belong in the Authorization header, but a client that puts
 * one in the address must not have it written to every log line of the request.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const withoutTokens = url.replace(JWT, REDACTED);
  const queryAt = withoutTokens.indexOf('?');
  if (queryAt < 0) return withoutTokens;
  const query = withoutTokens
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed escape is kept as sent.
      }
      return eq >= 0 && SECRET_PARAMETERS.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${withoutTokens.slice(0, queryAt)}?${query}`;
}
