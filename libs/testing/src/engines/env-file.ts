import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');
/** The file `scripts/engines.sh up` writes. */
export const ENGINES_ENV_FILE = resolve(REPO_ROOT, '.engines/engines.env');

/** Where the global setup looks first: PCP_ENGINES_ENV_FILE, else the file engines.sh writes. */
export function enginesEnvFile(): string {
  const chosen = process.env.PCP_ENGINES_ENV_FILE;
  return chosen ? resolve(chosen) : ENGINES_ENV_FILE;
}

/** KEY=VALUE lines of the file written by `npm run engines:up` (comments and blanks ignored). */
export function readEnginesEnv(file = enginesEnvFile()): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    values[line.slice(0, eq).trim()] = line
      .slice(eq + 1)
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}
