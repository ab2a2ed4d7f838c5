export * from './release-package';
export * from './contact-points';
