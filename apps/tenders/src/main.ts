import { runPlatformService } from '@pcp/platform';
import { tendersContext } from '@pcp/tenders';

// The tenders context as its own service (distributed setup).
runPlatformService({
  service: 'tenders',
  contexts: [tendersContext],
  title: 'Tenders service',
  description:
    'PCP and PPI calls: sealed bids, evaluation, award, contracts per phase, down-selection and the OCDS export.',
});
