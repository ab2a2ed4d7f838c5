import { ApiProperty } from '@nestjs/swagger';
import { ROUTES } from '@pcp/contracts';
import { ContactPersonResponse } from '@pcp/http';
import { CONSULTATION_STATUSES } from './consultation.dto';

export class SupplierResponse {
  @ApiProperty({ format: 'uuid', description: 'Response id.' })
  id!: string;
  @ApiProperty({
    format: 'uuid',
    description:
      "The innovation's id, born with the organisation's first response and kept on replacement.",
  })
  innovationId!: string;
  @ApiProperty({ example: 'org-medtech-sme' })
  supplierOrg!: string;
  @ApiProperty({ example: 'SepsisWatch' })
  solutionName!: string;
  @ApiProperty({ example: 'Continuous sepsis risk score from vital signs and lab values.' })
  summary!: string;
  @ApiProperty({ minimum: 1, maximum: 9, example: 6 })
  declaredTrl!: number;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    description: 'From the token (sme claim).',
    example: true,
  })
  supplierSme!: boolean | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'From the token (country claim).',
    example: 'ES',
  })
  supplierCountry!: string | null;
  @ApiProperty({
    type: ContactPersonResponse,
    nullable: true,
    description:
      'Who to contact about this response: the user who sent it, if they gave contact details.',
  })
  contact!: ContactPersonResponse | null;
  @ApiProperty({ enum: ['LIVE', 'REPLACED'] })
  status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  replacesResponseId!: string | null;
  @ApiProperty({ format: 'date-time' })
  submittedAt!: string;
}

export class SubmittedSupplierResponse extends SupplierResponse {
  @ApiProperty({ format: 'uuid' })
  consultationId!: string;
  @ApiProperty({ description: "The consultation's revision after this response.", example: 2 })
  revision!: number;
}

export class ClarificationResponse {
  @ApiProperty({ format: 'uuid', description: 'Question id.' })
  id!: string;
  @ApiProperty({ example: 'Is integration with the regional EHR mandatory?' })
  question!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Withheld (null) from other respondents: answers go to all, without naming the asker.',
  })
  askedByOrg!: string | null;
  @ApiProperty({ format: 'date-time' })
  askedAt!: string;
  @ApiProperty({ nullable: true, type: String, example: 'Yes, through the HL7 FHIR gateway.' })
  answer!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  answeredAt!: string | null;
}

export class AskedQuestionResponse extends ClarificationResponse {
  @ApiProperty({ format: 'uuid' })
  consultationId!: string;
  @ApiProperty({ example: 3 })
  revision!: number;
}

export class ClarificationList {
  @ApiProperty({ type: [ClarificationResponse] })
  items!: ClarificationResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class SupplierResponseList {
  @ApiProperty({ type: [SupplierResponse] })
  items!: SupplierResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}

export class RouteDecisionResponse {
  @ApiProperty({ enum: ROUTES, example: 'PCP' })
  route!: string;
  @ApiProperty({ example: 'Best declared solutions are at TRL 5-6; R&D is still needed.' })
  rationale!: string;
  @ApiProperty({ nullable: true, type: String })
  justification!: string | null;
  @ApiProperty({ example: false })
  againstTrlRule!: boolean;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Best declared or assessed TRL.',
    example: 6,
  })
  bestTrl!: number | null;
  @ApiProperty({ nullable: true, enum: ['PCP', 'PPI'], example: 'PCP' })
  expectedRoute!: string | null;
  @ApiProperty({ format: 'date-time' })
  decidedAt!: string;
}

export class ConsultationResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ description: 'Organising organisation.', example: 'org-sergas' })
  org!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  needId!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  buyersGroupId!: string | null;
  @ApiProperty({ type: [String], example: ['ES11'] })
  regions!: string[];
  @ApiProperty({ example: 'Market consultation: sepsis early warning' })
  title!: string;
  @ApiProperty()
  description!: string;
  @ApiProperty({ example: '2025-03-01T09:00:00+01:00' })
  opensAt!: string;
  @ApiProperty({ example: '2025-04-15T17:00:00+02:00' })
  closesAt!: string;
  @ApiProperty({ type: [String], example: ['Which data sources does your solution need?'] })
  questions!: string[];
  @ApiProperty({ nullable: true, type: Number, example: 6 })
  stateOfTheArtTrl!: number | null;
  @ApiProperty({ enum: CONSULTATION_STATUSES })
  status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  publishedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 39 })
  leadTimeDays!: number | null;
  @ApiProperty({
    type: [String],
    example: [],
    description: 'SHORT_LEAD_TIME: notice under 30 days before opening.',
  })
  warnings!: string[];
  @ApiProperty({
    type: [SupplierResponse],
    description: 'All responses for the organisers and auditors; a supplier sees its own only.',
  })
  responses!: SupplierResponse[];
  @ApiProperty({ description: 'Live responses, one per supplier organisation.', example: 14 })
  responseCount!: number;
  @ApiProperty({ type: [ClarificationResponse] })
  clarifications!: ClarificationResponse[];
  @ApiProperty({ nullable: true, type: String })
  report!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  closedAt!: string | null;
  @ApiProperty({ nullable: true, type: RouteDecisionResponse })
  routeDecision!: RouteDecisionResponse | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ description: 'Send it as If-Match.', example: 1 })
  revision!: number;
}

export class ConsultationPage {
  @ApiProperty({ type: [ConsultationResponse] })
  items!: ConsultationResponse[];
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}
