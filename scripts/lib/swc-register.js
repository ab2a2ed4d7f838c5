// Lets Node require the workspace's TypeScript directly: each .ts file is compiled in memory
// with the same .swcrc as the build (decorators, metadata, @pcp/* path aliases), so a
// script behaves like the built code without a build step. Used by scripts/run-ts.sh.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
delete swcrc.exclude;
swcrc.jsc.baseUrl = root;
swcrc.sourceMaps = 'inline';

process.setSourceMapsEnabled(true);

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) {
    throw new Error(`Refusing to compile TypeScript from node_modules: ${filename}`);
  }
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcrc, swcrc: false, filename });
  module._compile(code, filename);
};
