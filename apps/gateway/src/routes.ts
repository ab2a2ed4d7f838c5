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
