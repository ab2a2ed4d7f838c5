/** The tenders bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'tenders' as const;
