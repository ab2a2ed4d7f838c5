import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles, type AuthenticatedUser } from '@pcp/auth';
import { InnovationQueries } from '../application/innovation-queries';
import { InnovationListQueryDto } from './pipeline.dto';
import { InnovationPage, InnovationResponse, TimelineResponse } from './responses';
import { ApiErrors } from '@pcp/http';

@ApiTags('pipeline')
@Controller('innovations')
export class InnovationsController {
  constructor(private readonly innovations: InnovationQueries) {}

  @Get()
  @AnyRole()
  @ApiOperation({
    summary: 'Innovations and where they are in the pipeline',
    description:
      'Scoped: auditors, evaluators and admins see every innovation; a supplier those of its ' +
      "organisation; a procurer those answering its organisation's needs, buyers groups, " +
      'consultations or tenders. `minTrl` compares the current (latest assessed) TRL.',
  })
  @ApiOkResponse({ type: InnovationPage })
  @ApiErrors(400, 401)
  list(@Query() query: InnovationListQueryDto, @CurrentUser() user: AuthenticatedUser) {
    return this.innovations.list(user, query);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({
    summary: "An innovation's journey: stage, phase, TRL history and links",
    description: 'Same scope as the list (403 outside it, 404 when unknown).',
  })
  @ApiOkResponse({ type: InnovationResponse })
  @ApiErrors(401, 403, 404)
  get(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser) {
    return this.innovations.get(user, id);
  }

  @Get(':id/timeline')
  @Roles('procurer', 'supplier', 'evaluator', 'auditor')
  @ApiOperation({
    summary: 'Every event across contexts that concerns the innovation, in order',
    description:
      "Includes its need's (or buyers group's) and consultation's events from before it existed. " +
      'Events naming only other innovations are left out, and a sealed bid appears only after ' +
      "its tender's opening. `reason` is the reason, justification or rationale the event " +
      'publishes, null when it publishes none.',
  })
  @ApiOkResponse({ type: TimelineResponse })
  @ApiErrors(401, 403, 404)
  async timeline(
    @Param('id') id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Res() res: Response,
  ): Promise<void> {
    // already JSON and digested: a long timeline is not serialised or hashed on every request
    const { json, digest } = await this.innovations.timelineJson(user, id);
    res.setHeader('ETag', `W/"${json.length.toString(16)}-${digest}"`);
    res.type('application/json').send(json);
  }
}
