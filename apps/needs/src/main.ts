import { needsContext } from '@pcp/needs';
import { runPlatformService } from '@pcp/platform';

// The needs context as its own service (distributed setup).
runPlatformService({
  service: 'needs',
  contexts: [needsContext],
  title: 'Needs service',
  description:
    'Unmet needs of health authorities and hospitals, their verification, priorities and buyers groups.',
});
