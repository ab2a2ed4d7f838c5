/** The pipeline bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'pipeline' as const;
