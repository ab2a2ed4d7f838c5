import { stopContainers, type StartedEngine } from './docker-engines';
import { STARTED_CONTAINERS } from './global-setup';

/** Stops the containers the global setup started; engines from `npm run engines:up` stay up. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as typeof globalThis & { [STARTED_CONTAINERS]?: StartedEngine[] };
  const started = holder[STARTED_CONTAINERS];
  if (!started || started.length === 0) return;
  delete holder[STARTED_CONTAINERS];
  await stopContainers(started);
}
