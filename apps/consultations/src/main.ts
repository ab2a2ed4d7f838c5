import { consultationsContext } from '@pcp/consultations';
import { runPlatformService } from '@pcp/platform';

// The market consultation context as its own service (distributed setup).
runPlatformService({
  service: 'consultations',
  contexts: [consultationsContext],
  title: 'Market consultations service',
  description:
    'Open market consultations: prior information notices, supplier responses, clarifications and the route decision.',
});
