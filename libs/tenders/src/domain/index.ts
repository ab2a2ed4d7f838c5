export * from './errors';
export * from './values';
export * from './call-terms';
export * from './evaluation';
export * from './sealed-bid';
export * from './tender';
