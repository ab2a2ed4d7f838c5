export * from './release-package';
