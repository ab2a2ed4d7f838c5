import type { BoundedContext } from '@pcp/platform';
import { needsTranslator } from './integration/needs-translator';
import { NeedsModule } from './needs.module';
import { needsProjection } from './read-models/needs.projection';

/** Needs identification: needs, their verification and priority, and buyers groups. */
export const needsContext: BoundedContext = {
  name: 'needs',
  module: NeedsModule,
  projections: [needsProjection],
  translator: needsTranslator,
};
