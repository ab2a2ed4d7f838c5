#!/usr/bin/env node
// Writes libs/contracts/asyncapi.yaml from the integration event registry.
// `--check` exits 1 when the committed file differs from a fresh generation.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

// The library is TypeScript; compile it on load with the workspace's swc settings.
const root = path.resolve(__dirname, '../../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.exclude;
delete swcrc.$schema;
swcrc.jsc.baseUrl = root;
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcrc,
    filename,
    swcrc: false,
  });
  module._compile(code, filename);
};

const {
  integrationEvents,
  renderAsyncApiYaml,
  PUBLISHED_LANGUAGE_VERSION,
} = require('../src/index.ts');
const target = path.join(__dirname, '..', 'asyncapi.yaml');
const fresh = renderAsyncApiYaml(integrationEvents, { version: PUBLISHED_LANGUAGE_VERSION });

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== fresh) {
    console.error(
      `${path.relative(root, target)} is stale: run node libs/contracts/scripts/generate-asyncapi.js`,
    );
    process.exit(1);
  }
  console.log(`${path.relative(root, target)} is up to date`);
} else {
  fs.writeFileSync(target, fresh);
  console.log(`wrote ${path.relative(root, target)} (${integrationEvents.all().length} events)`);
}
