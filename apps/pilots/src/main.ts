import { pilotsContext } from '@pcp/pilots';
import { runPlatformService } from '@pcp/platform';

// The pilots and deployment context as its own service (distributed setup).
runPlatformService({
  service: 'pilots',
  contexts: [pilotsContext],
  title: 'Pilots service',
  description:
    'Testbeds, pilots of contracted innovations with KPIs, measurements and incidents, TRL assessments, deployment decisions and roll-outs.',
});
