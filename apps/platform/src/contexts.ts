import { consultationsContext } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import type { BoundedContext } from '@pcp/platform';

/** Every bounded context of the product, in pipeline order. */
export const CONTEXTS: BoundedContext[] = [needsContext, consultationsContext, pilotsContext];
