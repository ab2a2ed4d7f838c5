/** The tenders bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'tenders' as const;
export * from './domain';
export * from './ocds';
