export * from './document-store';
export * from './memory/in-memory-document-store';
export * from './mongoose/mongoose-document-store';
export * from './projection/projection';
export * from './projection/projection-runner';
export * from './projection/staged-documents';
export * from './document-store-token';
