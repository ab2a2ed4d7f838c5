export * from './sealed-personal-data';
export * from './personal-data-vault';
export * from './postgres-personal-data-vault';
export * from './personal-data-erasure';
export * from './personal-data.module';
