import { runPlatformService } from '@pcp/platform';
import { CONTEXTS } from './contexts';

// The embedded default: every context in one process, the event log on disk (PGlite).
runPlatformService({
  service: 'platform',
  contexts: CONTEXTS,
  title: 'Innovation procurement platform',
  description:
    'Needs, market consultations, PCP/PPI tenders, testbed pilots and the innovation pipeline, ' +
    'with a verifiable audit trail.',
});
