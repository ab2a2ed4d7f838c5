import { integrationTranslator } from '@pcp/messaging';
import type { ResponseData } from '../domain';

/**
 * Consultations publishes its declared events with only their declared fields. A replaced
 * response is published as a new ConsultationResponseSubmitted (same innovation id): for
 * other contexts it is the supplier's current answer. Who asked a clarification question
 * is never published; only the answer, to everyone.
 */
export const consultationsTranslator = integrationTranslator('consultations', {
  mappings: {
    ConsultationResponseReplaced: (envelope) => {
      const d = envelope.data as ResponseData;
      return {
        type: 'ConsultationResponseSubmitted',
        data: {
          consultationId: d.consultationId,
          responseId: d.responseId,
          innovationId: d.innovationId,
          supplierOrg: d.supplierOrg,
          needId: d.needId,
          buyersGroupId: d.buyersGroupId,
          solutionName: d.solutionName,
          declaredTrl: d.declaredTrl,
        },
      };
    },
  },
});
