export * from './audit.module';
export * from './audit-query.dto';
export * from './audit-responses';
export * from './audit-sources';
export * from './sealed-bids';
export * from './store-audit';
