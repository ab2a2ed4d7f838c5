import { ApiProperty } from '@nestjs/swagger';
import { KPI_DIRECTIONS, PILOT_OUTCOMES, PROCEDURES, TESTBED_TYPES } from '@pcp/contracts';
import { INCIDENT_SEVERITIES } from '../domain';
import { PILOT_STATUSES } from './pilot.dto';

export class TestbedResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ description: 'Registering (operating) organisation.', example: 'org-sergas' })
  org!: string;
  @ApiProperty({ example: 'Hospital Clínico Universitario de Santiago' })
  name!: string;
  @ApiProperty({ enum: TESTBED_TYPES })
  type!: string;
  @ApiProperty({ example: 'ES11' })
  region!: string;
  @ApiProperty({ example: false })
  enollLabelled!: boolean;
  @ApiProperty({ type: [String], example: ['ehr_integration'] })
  capabilities!: string[];
  @ApiProperty({ nullable: true, type: Number, description: 'Null: no limit.', example: 3 })
  capacity!: number | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ example: 0 })
  revision!: number;
}

export class TestbedPage {
  @ApiProperty({ type: [TestbedResponse] })
  items!: TestbedResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class KpiResponse {
  @ApiProperty({ example: 'time_to_antibiotics' })
  name!: string;
  @ApiProperty({ example: 'minutes' })
  unit!: string;
  @ApiProperty({ example: 60 })
  target!: number;
  @ApiProperty({ enum: KPI_DIRECTIONS })
  direction!: string;
}

export class KpiResultResponse {
  @ApiProperty({ example: 'time_to_antibiotics' })
  name!: string;
  @ApiProperty({ example: 60 })
  target!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Latest measurement; null if none.' })
  actual!: number | null;
  @ApiProperty()
  met!: boolean;
}

export class MeasurementResponse {
  @ApiProperty({ example: 'meas-5f0c2a4e-8d0b-4b8e-9a43-0f6d1f4b2c11' })
  id!: string;
  @ApiProperty({ example: 'time_to_antibiotics' })
  kpi!: string;
  @ApiProperty({ example: 48 })
  value!: number;
  @ApiProperty({ example: 'minutes' })
  unit!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ example: 'org-sergas' })
  recordedByOrg!: string;
}

export class IncidentResponse {
  @ApiProperty({ example: 'inc-1c2d…' })
  id!: string;
  @ApiProperty({ enum: INCIDENT_SEVERITIES })
  severity!: string;
  @ApiProperty()
  description!: string;
  @ApiProperty({ format: 'date-time' })
  reportedAt!: string;
  @ApiProperty()
  reportedByOrg!: string;
}

export class TrlAssessmentResponse {
  @ApiProperty({ example: 'trl-9a0b…' })
  id!: string;
  @ApiProperty({ minimum: 1, maximum: 9, example: 8 })
  trl!: number;
  @ApiProperty({ type: [String] })
  evidence!: string[];
  @ApiProperty()
  reason!: string;
  @ApiProperty({ description: 'Evaluator user id.', example: 'u-eva' })
  assessedBy!: string;
  @ApiProperty({ format: 'date-time' })
  assessedAt!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The current TRL before this one.' })
  previousTrl!: number | null;
  @ApiProperty({ description: 'Lower than the previous TRL (the reason explains why).' })
  downgrade!: boolean;
}

export class RolloutSiteResponse {
  @ApiProperty({ example: 'ES22' })
  site!: string;
  @ApiProperty({ enum: ['REGION', 'TESTBED'] })
  kind!: string;
  @ApiProperty({ example: 'ES22' })
  region!: string;
}

export class DeploymentResponse {
  @ApiProperty()
  deploy!: boolean;
  @ApiProperty({ nullable: true, type: Number, example: 8 })
  assessedTrl!: number | null;
  @ApiProperty({ type: [RolloutSiteResponse] })
  sites!: RolloutSiteResponse[];
  @ApiProperty()
  reason!: string;
  @ApiProperty({ format: 'date-time' })
  decidedAt!: string;
}

export class RolloutResponse extends RolloutSiteResponse {
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ nullable: true, type: String })
  reason!: string | null;
}

export class IncidentCountsResponse {
  @ApiProperty() LOW!: number;
  @ApiProperty() MEDIUM!: number;
  @ApiProperty() HIGH!: number;
  @ApiProperty() CRITICAL!: number;
}

export class PilotResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ description: 'Organisation running the pilot.', example: 'org-sergas' })
  org!: string;
  @ApiProperty({ example: 'ctr-3a' })
  contractId!: string;
  @ApiProperty({ example: 'inno-4c6e' })
  innovationId!: string;
  @ApiProperty()
  tenderId!: string;
  @ApiProperty({ enum: PROCEDURES })
  procedure!: string;
  @ApiProperty({ example: 3 })
  phase!: number;
  @ApiProperty({ description: 'Contract holder.', example: 'org-medtech-sme' })
  supplierOrg!: string;
  @ApiProperty()
  testbedId!: string;
  @ApiProperty({ enum: TESTBED_TYPES })
  testbedType!: string;
  @ApiProperty({ example: 'ES11' })
  testbedRegion!: string;
  @ApiProperty()
  title!: string;
  @ApiProperty({ format: 'date-time' })
  startsAt!: string;
  @ApiProperty({ format: 'date-time' })
  endsAt!: string;
  @ApiProperty({ type: [KpiResponse] })
  kpis!: KpiResponse[];
  @ApiProperty({ nullable: true, type: Number, description: 'Assessed TRL the plan relied on.' })
  trlAtPlanning!: number | null;
  @ApiProperty({ enum: PILOT_STATUSES })
  status!: string;
  @ApiProperty({ type: [String], description: 'Assigned evaluator user ids.' })
  evaluators!: string[];
  @ApiProperty({ type: [MeasurementResponse] })
  measurements!: MeasurementResponse[];
  @ApiProperty({ type: [IncidentResponse] })
  incidents!: IncidentResponse[];
  @ApiProperty({ type: [TrlAssessmentResponse] })
  trlAssessments!: TrlAssessmentResponse[];
  @ApiProperty({ nullable: true, type: Number, description: 'Latest TRL assessed in this pilot.' })
  assessedTrl!: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt!: string | null;
  @ApiProperty({
    nullable: true,
    enum: PILOT_OUTCOMES,
    description:
      'From the KPI targets, each on its latest measurement: all met SUCCESS, some PARTIAL, none (or any unmeasured) FAILED.',
  })
  outcome!: string | null;
  @ApiProperty({ type: [KpiResultResponse] })
  kpiResults!: KpiResultResponse[];
  @ApiProperty({ nullable: true, type: String })
  completionReason!: string | null;
  @ApiProperty({ nullable: true, type: IncidentCountsResponse })
  incidentCounts!: IncidentCountsResponse | null;
  @ApiProperty({ nullable: true, type: DeploymentResponse })
  deployment!: DeploymentResponse | null;
  @ApiProperty({
    type: [RolloutResponse],
    description: 'Scale-up: sites and regions rolled out to.',
  })
  rollouts!: RolloutResponse[];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: 'Send it as If-Match.', example: 1 })
  revision!: number;
}

export class PilotPage {
  @ApiProperty({ type: [PilotResponse] })
  items!: PilotResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class MeasurementList {
  @ApiProperty({ type: [MeasurementResponse] })
  items!: MeasurementResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class IncidentList {
  @ApiProperty({ type: [IncidentResponse] })
  items!: IncidentResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class TrlAssessmentList {
  @ApiProperty({ type: [TrlAssessmentResponse] })
  items!: TrlAssessmentResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class RolloutList {
  @ApiProperty({ type: [RolloutResponse] })
  items!: RolloutResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class RecordedMeasurementResponse extends MeasurementResponse {
  @ApiProperty({ format: 'uuid' })
  pilotId!: string;
  @ApiProperty({ description: "The pilot's revision after this.", example: 3 })
  revision!: number;
}

export class ReportedIncidentResponse extends IncidentResponse {
  @ApiProperty({ format: 'uuid' })
  pilotId!: string;
  @ApiProperty({ example: 4 })
  revision!: number;
}

export class RecordedAssessmentResponse extends TrlAssessmentResponse {
  @ApiProperty({ format: 'uuid' })
  pilotId!: string;
  @ApiProperty({ example: 5 })
  revision!: number;
}
