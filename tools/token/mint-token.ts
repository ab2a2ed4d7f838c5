/**
 * Mints a local HS256 token: `npm run token -- --sub u1 --org org-a --roles procurer,auditor
 * --name "Ana" [--org-type hospital] [--sme] [--country ES] [--ttl 8h] [--secret ...]`.
 * The secret: --secret, else AUTH_JWT_SECRET, else ${DATA_DIR:-./.data}/jwt-secret (the file
 * the platform generates on its first start). Prints the token alone on stdout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidTokenError, mintToken, userFromClaims, type TokenClaims } from '@pcp/auth';

const USAGE = `usage: npm run token -- --sub <user id> --org <org id> --roles <role,...> --name <name>
  [--org-type <type>] [--sme] [--country <ISO alpha-2>] [--ttl 8h] [--secret <secret>]
  [--issuer <iss>] [--audience <aud>]
roles: procurer, supplier, evaluator, auditor, admin`;

export function resolveSecret(
  given: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (given) return given;
  if (env['AUTH_JWT_SECRET']) return env['AUTH_JWT_SECRET'];
  const file = join(env['DATA_DIR'] || './.data', 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(
    `No secret: pass --secret, set AUTH_JWT_SECRET, or start the platform once so that it writes ${file}`,
  );
}

export async function main(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      sub: { type: 'string' },
      org: { type: 'string' },
      roles: { type: 'string' },
      name: { type: 'string' },
      'org-type': { type: 'string' },
      sme: { type: 'boolean' },
      country: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      secret: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return USAGE;

  const claims: Record<string, unknown> = {
    sub: values.sub,
    org: values.org,
    roles: (values.roles ?? '')
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean),
    name: values.name,
  };
  if (values['org-type'] !== undefined) claims['orgType'] = values['org-type'];
  if (values.sme) claims['sme'] = true;
  if (values.country !== undefined) claims['country'] = values.country.toUpperCase();
  // The same checks the server applies, so a minted token is always accepted.
  userFromClaims(claims);

  return mintToken(claims as unknown as TokenClaims, {
    secret: resolveSecret(values.secret),
    ttl: values.ttl,
    issuer: values.issuer,
    audience: values.audience,
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (output) => process.stdout.write(`${output}\n`),
    (error: unknown) => {
      const message =
        error instanceof InvalidTokenError
          ? error.message.replace('Token claim', 'Claim')
          : (error as Error).message;
      process.stderr.write(`${message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    },
  );
}
