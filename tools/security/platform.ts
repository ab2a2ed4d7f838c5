import { randomBytes } from 'node:crypto';
import { consultationsContextWith } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContextWith } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import { createTestApp, type TestApp } from '@pcp/platform';
import { tendersContextWith } from '@pcp/tenders';
import { mintToken, type Role } from '@pcp/auth';

/** Starting five contexts takes a while on a busy machine. */
export const STARTUP_MS = 120_000;

/** The embedded platform with all five contexts, as `npm start` runs it. */
export function startPlatform(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({
    contexts: [
      needsContext,
      consultationsContextWith({ consistencyWaitMs: 3000 }),
      tendersContextWith({ consistencyWaitMs: 3000 }),
      pilotsContextWith({ consistencyWaitMs: 3000 }),
      pipelineContext,
    ],
    env,
  });
}

/** A well-formed token the platform must refuse: signed with another secret. */
export function forgedToken(claims: { sub: string; org: string; roles: Role[] }): Promise<string> {
  return mintToken({ name: claims.sub, ...claims }, { secret: randomBytes(32).toString('hex') });
}

/** A token of the platform's own secret whose lifetime ended an hour ago. */
export function expiredToken(
  secret: string,
  claims: { sub: string; org: string; roles: Role[] },
): Promise<string> {
  return mintToken(
    { name: claims.sub, ...claims },
    { secret, ttl: '1h', issuedAt: new Date(Date.now() - 2 * 3_600_000) },
  );
}

/** Runs `work` over `items`, at most `limit` at a time, results in input order. */
export async function inBatches<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
