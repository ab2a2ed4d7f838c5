/** Nest injection token of the service's DocumentStore (read models). */
export const DOCUMENT_STORE = Symbol('DOCUMENT_STORE');
