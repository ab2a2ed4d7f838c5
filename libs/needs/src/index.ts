/** The needs bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'needs' as const;
