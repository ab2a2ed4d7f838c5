import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The READMEs are how a new user finds their way: what they name must exist.
const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const documents = [
  'README.md',
  'bench/README.md',
  'deploy/README.md',
  'scripts/engines/README.md',
  ...readdirSync(join(root, 'libs')).map((lib) => `libs/${lib}/README.md`),
].filter((file) => existsSync(join(root, file)));

const REPO_PATH =
  /^(apps|libs|tools|bench|scripts|deploy|docs)\/|^(docker-compose\.yml|Dockerfile|\.env\.example|\.ci\/run)$/;

/** Paths in `code spans` that name a file or folder of the repository (no placeholders). */
function pathsIn(text: string): string[] {
  return [...text.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1].replace(/[:,.)]+$/, '').replace(/:\d+(-\d+)?$/, ''))
    .filter((path) => REPO_PATH.test(path) && !/[<>*{}$]/.test(path));
}

describe('documentation that matches the code', () => {
  it('reads some documents', () => {
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'bench/README.md']));
  });

  it.each(documents)('%s names only npm scripts that package.json has', (file) => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts,
    );
    const named = [...read(file).matchAll(/npm run (?:--silent )?([a-z][a-z:-]*)/g)].map(
      (m) => m[1],
    );
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it.each(documents)('%s names only paths that exist', (file) => {
    const missing = pathsIn(read(file)).filter(
      (path) => !existsSync(join(root, path)) && !existsSync(join(root, dirname(file), path)),
    );
    expect(missing).toEqual([]);
  });

  it('lists every setting of the services in the README and in .env.example', () => {
    const config = read('libs/http/src/config/platform-config.ts');
    const settings = [...config.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?!]?\s*[:=]/gm)].map((m) => m[1]);
    expect(settings).toEqual(expect.arrayContaining(['EVENT_STORE', 'EVENT_STORE_SCHEMA', 'PORT']));
    const readme = read('README.md');
    const example = read('.env.example');
    expect(settings.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
    expect(settings.filter((name) => !new RegExp(`^(# ?)?${name}=`, 'm').test(example))).toEqual(
      [],
    );
  });
});
