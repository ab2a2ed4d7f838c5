/** The consultations bounded context: domain, application, HTTP and its Nest module. */
export const CONTEXT = 'consultations' as const;
