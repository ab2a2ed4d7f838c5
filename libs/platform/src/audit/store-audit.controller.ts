import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@pcp/auth';
import { ApiErrors, ListQueryDto } from '@pcp/http';
import { AuditEventsQueryDto, AuditStreamsQueryDto, AuditVerifyQueryDto } from './audit-query.dto';
import {
  StoreAnchorPageResponse,
  StoreBundlePartResponse,
  StoreEventPageResponse,
  StoreVerificationResponse,
} from './audit-responses';
import { StoreAudit } from './store-audit';

/**
 * The audit of this service's own event store, for the pipeline to put together with the
 * other services' (the gateway does not route `/internal`). Auditors only: the pipeline
 * passes on the auditor's own token.
 */
@ApiTags('audit (this service’s store)')
@Controller('internal/audit')
@Roles('auditor')
export class StoreAuditController {
  constructor(private readonly audit: StoreAudit) {}

  @Get('events')
  @ApiOperation({
    summary: "This store's events, in its log order",
    description:
      "Filters as GET /audit/events; cursor = this store's log position. A sealed bid's events " +
      'show neither data nor actor before its tender opens bids, and no actor or org filter finds them.',
  })
  @ApiOkResponse({ type: StoreEventPageResponse })
  @ApiErrors(400, 401, 403)
  events(@Query() query: AuditEventsQueryDto) {
    const { limit, cursor, ...filters } = query;
    return this.audit.events(filters, { limit, cursor });
  }

  @Get('verify')
  @ApiOperation({ summary: "This store's hash chains against its latest anchor" })
  @ApiOkResponse({ type: StoreVerificationResponse })
  @ApiErrors(400, 401, 403, 404)
  verify(@Query() query: AuditVerifyQueryDto) {
    return this.audit.verify(query.streamId);
  }

  @Get('anchors')
  @ApiOperation({ summary: "This store's anchors, newest first; cursor = the last anchor's id" })
  @ApiOkResponse({ type: StoreAnchorPageResponse })
  @ApiErrors(400, 401, 403)
  anchors(@Query() query: ListQueryDto) {
    return this.audit.anchors(query);
  }

  @Get('streams')
  @ApiOperation({
    summary: "Whole streams of this store with its latest anchor and each stream's Merkle proof",
    description:
      "One store's part of an audit bundle. Sealed bids whose tender has not opened bids are " +
      'withheld (listed by stream id), streams this store does not hold are listed as missing.',
  })
  @ApiOkResponse({ type: StoreBundlePartResponse })
  @ApiErrors(400, 401, 403)
  streams(@Query() query: AuditStreamsQueryDto) {
    return this.audit.bundlePart(query.streamId);
  }
}
