// Shared Jest settings; every project's jest.config.js is `project(__dirname, name)`.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.exclude; // tests compile spec files too
delete swcrc.$schema;
swcrc.jsc.baseUrl = __dirname;

const esmDependency = {
  swcrc: false,
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2023' },
  module: { type: 'commonjs' },
};

// ESM-only dependencies: Jest's CommonJS runtime cannot require() them without
// --experimental-vm-modules, so they are compiled to CommonJS like our own code.
const ESM_ONLY = ['jose', '@apidevtools/json-schema-ref-parser'];
const esmPattern = ESM_ONLY.map((p) => p.replace(/[/.]/g, '\\$&')).join('|');
// PGlite's CommonJS build loads Node built-ins with import(), which Jest's CommonJS runtime
// also refuses without --experimental-vm-modules; compiling it turns them into require().
const DYNAMIC_IMPORT_CJS = ['@electric-sql/pglite'];
const cjsPattern = DYNAMIC_IMPORT_CJS.map((p) => p.replace(/[/.]/g, '\\$&')).join('|');

function project(dir, name) {
  return {
    displayName: name,
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.spec.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
      [`^.+/node_modules/(${esmPattern})/.+\\.js$`]: ['@swc/jest', esmDependency],
      [`^.+/node_modules/(${cjsPattern})/dist/.+\\.cjs$`]: ['@swc/jest', esmDependency],
    },
    transformIgnorePatterns: [`/node_modules/(?!(${esmPattern}|${cjsPattern})/)`],
    resolver: '@nx/jest/plugins/resolver',
    // Engines (PostgreSQL, Kafka, FerretDB, EventStoreDB) are found or started once per run.
    globalSetup: path.join(__dirname, 'libs/testing/src/engines/global-setup.ts'),
    globalTeardown: path.join(__dirname, 'libs/testing/src/engines/global-teardown.ts'),
    reporters: ['default', path.join(__dirname, 'tools/jest/summary-reporter.js')],
    testTimeout: 60_000,
    // Engine-backed suites share one broker and one database server: keep workers modest.
    maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
  };
}

module.exports = { project };
