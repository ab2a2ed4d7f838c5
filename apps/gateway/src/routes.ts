/** Which service answers which path, by the first path segment (API.md's resources). */
export const SERVICE_OF_RESOURCE: Record<string, string> = {
  needs: 'needs',
  'buyers-groups': 'needs',
  consultations: 'consultations',
  tenders: 'tenders',
  me: 'tenders',
  testbeds: 'pilots',
  pilots: 'pilots',
  innovations: 'pipeline',
  audit: 'pipeline',
  analytics: 'pipeline',
  // Every service shares the key table; the audit service records the erasure.
  people: 'pipeline',
};

export const SERVICES = ['needs', 'consultations', 'tenders', 'pilots', 'pipeline'] as const;

/** Upstream base URLs from `<SERVICE>_URL` variables; services without one are not routed. */
export function upstreamsFrom(env: NodeJS.ProcessEnv): Map<string, URL> {
  const upstreams = new Map<string, URL>();
  for (const service of SERVICES) {
    const value = env[`${service.toUpperCase()}_URL`];
    if (!value) continue;
    try {
      upstreams.set(service, new URL(value));
    } catch {
      throw new Error(`${service.toUpperCase()}_URL is not a URL: ${value}`);
    }
  }
  return upstreams;
}

/** The service for a request path, or null when no service owns it. */
export function serviceFor(path: string): string | null {
  const segment = path.split('?')[0].split('/')[1] ?? '';
  return SERVICE_OF_RESOURCE[segment] ?? null;
}

/** `PORT` (default 3000): a whole number from 0 to 65535, or the gateway does not start. */
export function portFrom(env: NodeJS.ProcessEnv): number {
  const raw = env['PORT'];
  if (raw === undefined || raw.trim() === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(raw)}`);
  }
  return port;
}
