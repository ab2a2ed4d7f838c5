import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, type AuthenticatedUser } from '@pcp/auth';
import { ApiErrors } from '@pcp/http';
import type { Response } from 'express';
import { AuditBundles } from '../application/audit-bundle';
import { AuditBundleResponse } from './audit-responses';

@ApiTags('audit')
@Controller('innovations')
export class AuditBundleController {
  constructor(private readonly bundles: AuditBundles) {}

  @Get(':id/audit-bundle')
  @Roles('auditor')
  @ApiOperation({
    summary: "An innovation's complete audit record as one JSON document",
    description:
      'Every stream its timeline draws on (need or buyers group, consultation, tender, its bid ' +
      'once opened, pilots), whole from revision 0, with the latest anchor of each store and ' +
      "each stream's Merkle proof to it (format pcp-audit-bundle, version 2). Check it offline " +
      'with `node tools/verify-bundle/verify-bundle.js bundle.json`. Sealed bids stay out until ' +
      'their tender opens bids.',
  })
  @ApiOkResponse({ type: AuditBundleResponse })
  @ApiErrors(401, 403, 404)
  @ApiResponse({ status: 503, description: "A service's audit did not answer" })
  async bundle(
    @Param('id') id: string,
    @CurrentUser() user: AuthenticatedUser,
    @Res({ passthrough: true }) res: Response,
    @Headers('authorization') authorization?: string,
  ) {
    const bundle = await this.bundles.ofInnovation(user, id, authorization);
    // A download keeps its name; only an id made of safe characters goes into the header.
    const name = /^[A-Za-z0-9-]{1,100}$/.test(id) ? `innovation-${id}` : 'innovation';
    res.setHeader('Content-Disposition', `attachment; filename="${name}-audit-bundle.json"`);
    return bundle;
  }
}
