/** The pilots bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'pilots' as const;
export * from './domain';
