import { integrationTranslator } from '@pcp/messaging';

/**
 * Needs publishes its declared events under their own names, with only the declared fields:
 * a need's description and evidence, and the claims of needs by groups (NeedGrouped,
 * NeedReleased), stay inside the context.
 */
export const needsTranslator = integrationTranslator('needs');
