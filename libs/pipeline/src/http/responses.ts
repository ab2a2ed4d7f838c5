import { ApiProperty } from '@nestjs/swagger';
import { STAGES } from '../domain';

/* OpenAPI shapes of the pipeline's responses (documentation only). */

class ActorResponse {
  @ApiProperty() userId!: string;
  @ApiProperty({ type: String, nullable: true }) org!: string | null;
  @ApiProperty({ type: [String] }) roles!: string[];
}

class TrlRecordResponse {
  @ApiProperty({ minimum: 1, maximum: 9 }) trl!: number;
  @ApiProperty({ enum: ['DECLARED', 'ASSESSED'] }) kind!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ type: String, nullable: true, description: 'User id or organisation' })
  by!: string | null;
  @ApiProperty({ description: 'The consultation, tender phase or pilot' }) source!: string;
}

class StageChangeResponse {
  @ApiProperty({ enum: STAGES }) stage!: string;
  @ApiProperty({ type: Number, nullable: true }) phase!: number | null;
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'The event that moved it' }) eventType!: string;
}

class ContractLinkResponse {
  @ApiProperty() contractId!: string;
  @ApiProperty() tenderId!: string;
  @ApiProperty() phase!: number;
  @ApiProperty({ enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] }) status!: string;
}

class PilotLinkResponse {
  @ApiProperty() pilotId!: string;
  @ApiProperty({ enum: ['PLANNED', 'RUNNING', 'COMPLETED'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) outcome!: string | null;
}

class DeploymentResponse {
  @ApiProperty() deploy!: boolean;
  @ApiProperty({ type: [String] }) sites!: string[];
  @ApiProperty() at!: string;
}

class JourneyWarningResponse {
  @ApiProperty({
    enum: ['SHORT_LEAD_TIME'],
    description:
      "SHORT_LEAD_TIME: the consultation's prior information notice came less than 30 days before it opened (allowed, and shown).",
  })
  code!: string;
  @ApiProperty() consultationId!: string;
  @ApiProperty() leadTimeDays!: number;
  @ApiProperty() message!: string;
}

export class InnovationResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: STAGES, nullable: true }) stage!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'PCP phase' }) phase!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The latest assessed TRL' })
  currentTrl!: number | null;
  @ApiProperty({ type: Number, nullable: true }) declaredTrl!: number | null;
  @ApiProperty({ type: [TrlRecordResponse] }) trlHistory!: TrlRecordResponse[];
  @ApiProperty({ type: [StageChangeResponse] }) stageHistory!: StageChangeResponse[];
  @ApiProperty({ type: String, nullable: true }) supplierOrg!: string | null;
  @ApiProperty({ type: String, nullable: true }) solutionName!: string | null;
  @ApiProperty({ type: String, nullable: true }) needId!: string | null;
  @ApiProperty({ type: [String], description: 'The need and the grouped needs it answers' })
  needIds!: string[];
  @ApiProperty({ type: String, nullable: true }) buyersGroupId!: string | null;
  @ApiProperty({ type: String, nullable: true }) consultationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) tenderId!: string | null;
  @ApiProperty({ type: [String], description: 'Known once the bids are opened' })
  bidIds!: string[];
  @ApiProperty({ type: String, nullable: true, enum: ['PCP', 'PPI'] }) procedure!: string | null;
  @ApiProperty({ type: [String] }) regions!: string[];
  @ApiProperty({ type: [String] }) procurerOrgs!: string[];
  @ApiProperty({ type: [ContractLinkResponse] }) contracts!: ContractLinkResponse[];
  @ApiProperty({ type: [PilotLinkResponse] }) pilots!: PilotLinkResponse[];
  @ApiProperty({ type: DeploymentResponse, nullable: true }) deployment!: DeploymentResponse | null;
  @ApiProperty({ type: [JourneyWarningResponse] }) warnings!: JourneyWarningResponse[];
}

export class InnovationPage {
  @ApiProperty({ type: [InnovationResponse] }) items!: InnovationResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class TimelineItemResponse {
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() context!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: ActorResponse, nullable: true, description: 'Null when withheld' })
  actor!: ActorResponse | null;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) hash!: string | null;
}

export class TimelineResponse {
  @ApiProperty({ type: [TimelineItemResponse] }) items!: TimelineItemResponse[];
}

const stageCounts = {
  type: 'object' as const,
  additionalProperties: { type: 'number' },
  description: `Per stage (${STAGES.join(', ')})`,
};

class SmeCountResponse {
  @ApiProperty({ description: 'Innovations counted' }) total!: number;
  @ApiProperty({ description: 'Of those, by SMEs' }) sme!: number;
  @ApiProperty({ description: 'By suppliers that said they are not SMEs' }) notSme!: number;
  @ApiProperty({ description: 'By suppliers that did not say' }) unknown!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'sme / (sme + notSme), from 0 to 1; null when no status is known',
  })
  share!: number | null;
}

class SmeShareGroupResponse {
  @ApiProperty({ type: SmeCountResponse, description: 'Innovations whose bid was opened' })
  bids!: SmeCountResponse;
  @ApiProperty({ type: SmeCountResponse, description: 'Innovations awarded a contract' })
  awards!: SmeCountResponse;
}

export class SmeShareResponse extends SmeShareGroupResponse {
  @ApiProperty({ type: [SmeShareGroupResponse], description: 'Each with its `region`' })
  byRegion!: SmeShareGroupResponse[];
  @ApiProperty({ type: [SmeShareGroupResponse], description: 'Each with its `procedure`' })
  byProcedure!: SmeShareGroupResponse[];
}

class FunnelGroupResponse {
  @ApiProperty() total!: number;
  @ApiProperty({ ...stageCounts, title: 'Innovations in each stage now' })
  current!: Record<string, number>;
  @ApiProperty({ ...stageCounts, title: 'Innovations that ever reached each stage' })
  reached!: Record<string, number>;
  @ApiProperty({ type: SmeShareGroupResponse }) smeShare!: SmeShareGroupResponse;
}

export class FunnelResponse extends FunnelGroupResponse {
  @ApiProperty({ description: 'Innovations whose bid was opened' }) bids!: number;
  @ApiProperty({ description: 'Innovations awarded a contract' }) awards!: number;
  @ApiProperty({ type: [FunnelGroupResponse], description: 'Each with its `region`' })
  byRegion!: FunnelGroupResponse[];
  @ApiProperty({ type: [FunnelGroupResponse], description: 'Each with its `procedure`' })
  byProcedure!: FunnelGroupResponse[];
}

class StageDurationResponse {
  @ApiProperty({ enum: STAGES }) stage!: string;
  @ApiProperty({ description: 'Innovations that left the stage' }) count!: number;
  @ApiProperty({ type: Number, nullable: true }) medianDays!: number | null;
  @ApiProperty({ type: Number, nullable: true }) p90Days!: number | null;
}

class DurationGroupResponse {
  @ApiProperty({ type: [StageDurationResponse] }) stages!: StageDurationResponse[];
}

export class StageDurationsResponse extends DurationGroupResponse {
  @ApiProperty({ enum: ['days'] }) unit!: string;
  @ApiProperty({ type: [DurationGroupResponse], description: 'Each with its `region`' })
  byRegion!: DurationGroupResponse[];
  @ApiProperty({ type: [DurationGroupResponse], description: 'Each with its `procedure`' })
  byProcedure!: DurationGroupResponse[];
}
