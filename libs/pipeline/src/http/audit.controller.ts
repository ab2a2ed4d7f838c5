import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '@pcp/auth';
import { ApiErrors, ListQueryDto } from '@pcp/http';
import { AuditEventsQueryDto, AuditVerifyQueryDto } from '@pcp/platform';
import { AuditTrail } from '../application/audit';
import { AuditAnchorsPage, AuditEventsPage, AuditVerification } from './audit-responses';

const SCOPE =
  'Every context: embedded they share one log; distributed, each service audits its own store ' +
  '(AUDIT_SERVICES tells the pipeline where) and a service that does not answer is a 503.';

@ApiTags('audit')
@Controller('audit')
@Roles('auditor')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get('events')
  @ApiOperation({
    summary: 'Stored events across contexts',
    description:
      `Filters actor (user id), org, type, streamId, from, to. ${SCOPE} One log is listed in ` +
      'its order (cursor = log position); several stores by time recorded. ' +
      "A sealed bid's events show neither data nor actor before its tender opens bids, and " +
      'the actor and org filters never match them.',
  })
  @ApiOkResponse({ type: AuditEventsPage })
  @ApiErrors(400, 401, 403)
  @ApiResponse({ status: 503, description: "A service's audit did not answer" })
  events(@Query() query: AuditEventsQueryDto, @Headers('authorization') authorization?: string) {
    return this.audit.events(query, authorization);
  }

  @Get('verify')
  @ApiOperation({
    summary: "Verify every context's hash chains against its store's latest anchor",
    description: `ok only when every store verifies; else the first broken context, stream and revision. ${SCOPE}`,
  })
  @ApiOkResponse({ type: AuditVerification })
  @ApiErrors(400, 401, 403, 404)
  @ApiResponse({ status: 503, description: "A service's audit did not answer" })
  verify(@Query() query: AuditVerifyQueryDto, @Headers('authorization') authorization?: string) {
    return this.audit.verify(query.streamId, authorization);
  }

  @Get('anchors')
  @ApiOperation({
    summary: 'Integrity anchors (Merkle roots over every stream head), newest first',
    description: `Each with the context whose store it covers. ${SCOPE}`,
  })
  @ApiOkResponse({ type: AuditAnchorsPage })
  @ApiErrors(400, 401, 403)
  @ApiResponse({ status: 503, description: "A service's audit did not answer" })
  anchors(@Query() query: ListQueryDto, @Headers('authorization') authorization?: string) {
    return this.audit.anchors(query, authorization);
  }
}
