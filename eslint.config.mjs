import nx from '@nx/eslint-plugin';

// Dependency rules: context libraries may use the platform libraries and the published
// language (contracts), never another context; platform libraries never use a context.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.data',
      '**/.engines',
      '**/tmp',
      'tools/lint-fixtures/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts'] },
            {
              sourceTag: 'scope:platform',
              onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts'],
            },
            {
              sourceTag: 'scope:context',
              onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts'],
            },
            // Operations tools and verifiers may use every library, as apps do.
            {
              sourceTag: 'type:tooling',
              onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts', 'scope:context'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['scope:platform', 'scope:contracts', 'scope:context'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The test harness stays out of what ships: only specs, their fixtures and test helpers use it.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*fixtures.ts',
      '**/__fixtures__/**',
      '**/src/testing/**',
      'libs/testing/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@pcp/testing',
              message: 'The test harness is for specs and fixtures, not for code that ships.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Jest configs load the workspace preset by path.
    files: ['**/jest.config.js'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
