import type { BoundedContext } from '@pcp/platform';

/** Every bounded context of the product, in pipeline order. */
export const CONTEXTS: BoundedContext[] = [];
