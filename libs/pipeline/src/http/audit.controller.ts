import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@pcp/auth';
import { AuditTrail } from '../application/audit';
import { AuditEventsQueryDto, VerifyQueryDto } from './pipeline.dto';
import { AnchorList, AuditEventPage, VerifyResponse } from './responses';
import { ApiErrors } from '@pcp/http';

const SCOPE =
  'Embedded, every context shares one log and this covers them all; a distributed pipeline ' +
  "service holds only its own store, so there it covers the pipeline's store only.";

@ApiTags('audit')
@Controller('audit')
@Roles('auditor')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get('events')
  @ApiOperation({
    summary: 'Stored events across contexts, in log order',
    description:
      `Filters actor (user id), org, type, streamId, from, to; cursor = log position. ${SCOPE} ` +
      "A sealed bid's events show neither data nor actor before its tender opens bids, and " +
      'the actor and org filters never match them.',
  })
  @ApiOkResponse({ type: AuditEventPage })
  @ApiErrors(400, 401, 403)
  events(@Query() query: AuditEventsQueryDto) {
    return this.audit.events(query);
  }

  @Get('verify')
  @ApiOperation({
    summary: 'Verify the hash chains and the latest anchor',
    description: `ok, or the first broken stream and revision. ${SCOPE}`,
  })
  @ApiOkResponse({ type: VerifyResponse })
  @ApiErrors(400, 401, 403, 404)
  verify(@Query() query: VerifyQueryDto) {
    return this.audit.verify(query.streamId);
  }

  @Get('anchors')
  @ApiOperation({ summary: 'The latest integrity anchor (Merkle root over every stream head)' })
  @ApiOkResponse({ type: AnchorList })
  @ApiErrors(401, 403)
  anchors() {
    return this.audit.anchors();
  }
}
