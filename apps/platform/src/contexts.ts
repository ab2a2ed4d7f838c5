import { consultationsContext } from '@pcp/consultations';
import { needsContext } from '@pcp/needs';
import { pilotsContext } from '@pcp/pilots';
import { pipelineContext } from '@pcp/pipeline';
import type { BoundedContext } from '@pcp/platform';
import { tendersContext } from '@pcp/tenders';

/** Every bounded context of the product, in pipeline order. */
export const CONTEXTS: BoundedContext[] = [
  needsContext,
  consultationsContext,
  tendersContext,
  pilotsContext,
  pipelineContext,
];
