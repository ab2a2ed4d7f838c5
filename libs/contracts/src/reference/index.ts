export * from './regions';
export * from './barriers';
export * from './care-pathway';
export * from './organisation-types';
export * from './trl';
export * from './procurement-routes';
export * from './free-text';
