export * from './history';
export * from './as-of';
export * from './list-query';
export * from './validators';
export * from './contact-person';
export * from './page-of';
