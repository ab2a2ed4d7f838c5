import { integrationTranslator } from '@pcp/messaging';
import type { TenderAmendedData } from '../domain/tender';

/**
 * Tenders publishes its declared events with only their declared fields. An amendment of a
 * PCP call also carries the number of phases in force, read from the stored terms, so that
 * contexts following the call (pilots: which phase is the last) keep up with a changed plan.
 * Sealed bids are never in a published event: they live in their own streams.
 */
export const tendersTranslator = integrationTranslator('tenders', {
  mappings: {
    TenderAmended: (envelope) => {
      const d = envelope.data as TenderAmendedData;
      return {
        type: 'TenderAmended',
        data: {
          tenderId: d.tenderId,
          org: d.org,
          changedFields: d.changedFields,
          submissionDeadline: d.submissionDeadline,
          reason: d.reason,
          ...(d.terms.procedure === 'PCP' ? { phaseCount: d.terms.phases.length } : {}),
        },
      };
    },
  },
});
