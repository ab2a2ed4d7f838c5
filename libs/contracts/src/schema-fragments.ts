/**
 * Building blocks shared by the payload schemas. Each schema stays self-contained (no
 * $ref between documents) so a consumer in any language can take one message's schema alone.
 */
import type { JsonSchema } from './published-language';

export const id = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
  description,
});

export const nullable = (schema: JsonSchema): JsonSchema => {
  const type = schema['type'];
  if (typeof type !== 'string') return { anyOf: [schema, { type: 'null' }] };
  const enumerated = schema['enum'];
  return Array.isArray(enumerated)
    ? { ...schema, type: [type, 'null'], enum: [...enumerated, null] }
    : { ...schema, type: [type, 'null'] };
};

export const text = (description: string, maxLength = 10_000): JsonSchema => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});

export const reason = (description = 'Written reason for the decision.'): JsonSchema =>
  text(description, 10_000);

export const isoTime = (description: string): JsonSchema => ({
  type: 'string',
  format: 'date-time',
  description,
});

/** Name of the format that checks a code against the full NUTS 2021 list (see reference/regions). */
export const NUTS_FORMAT = 'nuts-2021';

/**
 * NUTS 2021 code. The pattern is for any JSON Schema reader; the registry also checks the
 * code against the full list through the `nuts-2021` format.
 */
export const region = (description = 'NUTS 2021 region code, e.g. ES51.'): JsonSchema => ({
  type: 'string',
  pattern: '^[A-Z]{2}[A-Z0-9]{0,3}$',
  format: NUTS_FORMAT,
  description,
});

export const trl = (description: string): JsonSchema => ({
  type: 'integer',
  minimum: 1,
  maximum: 9,
  description,
});

export const eur = (description: string): JsonSchema => ({
  type: 'number',
  minimum: 0,
  description,
});

export const positiveInt = (description: string, minimum = 1): JsonSchema => ({
  type: 'integer',
  minimum,
  description,
});

export const oneOfValues = (values: readonly string[], description: string): JsonSchema => ({
  type: 'string',
  enum: [...values],
  description,
});

export const arrayOf = (
  items: JsonSchema,
  description: string,
  extra: JsonSchema = {},
): JsonSchema => ({
  type: 'array',
  items,
  description,
  ...extra,
});

/** A closed object: every property listed; unknown properties are refused. */
export const object = (
  properties: Record<string, JsonSchema>,
  required: string[],
  extra: JsonSchema = {},
): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
  ...extra,
});

export const DISEASE_FIELDS = [
  'cancer',
  'neuroscience',
  'infectious',
  'cardiovascular',
  'genetic',
  'rare',
  'other',
] as const;
export type DiseaseField = (typeof DISEASE_FIELDS)[number];

export const NEED_SCOPES = [
  'prevention',
  'early_detection',
  'diagnosis',
  'decision_support',
  'treatment',
  'monitoring',
  'rehabilitation',
  'infrastructure',
] as const;
export type NeedScope = (typeof NEED_SCOPES)[number];

export const BARRIERS = [
  'data_fragmentation',
  'data_governance',
  'data_legal_interpretation',
  'data_consent',
  'reimbursement_misalignment',
  'development_costs',
  'ai_uncertainty',
  'atmp_complexity',
  'hospital_exemption',
  'competence_gaps',
  'patient_awareness',
  'policymaker_awareness',
  'infrastructure',
  'regional_inequities',
  'atmp_scalability',
  'coordination',
  'trials_and_testbeds_access',
] as const;
export type Barrier = (typeof BARRIERS)[number];

export const ROUTES = ['PCP', 'PPI', 'INNOVATION_PARTNERSHIP', 'COMMERCIAL', 'NONE'] as const;
export type ProcurementRoute = (typeof ROUTES)[number];

export const PROCEDURES = ['PCP', 'PPI'] as const;
export type Procedure = (typeof PROCEDURES)[number];

export const PPI_PROCEDURES = [
  'OPEN',
  'RESTRICTED',
  'COMPETITIVE_DIALOGUE',
  'NEGOTIATED',
  'INNOVATION_PARTNERSHIP',
] as const;
export type PpiProcedure = (typeof PPI_PROCEDURES)[number];

export const TESTBED_TYPES = [
  'HOSPITAL',
  'LIVING_LAB',
  'SANDBOX',
  'CLINICAL_TRIAL_UNIT',
  'OTHER',
] as const;
export type TestbedType = (typeof TESTBED_TYPES)[number];

export const KPI_DIRECTIONS = ['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'] as const;
export type KpiDirection = (typeof KPI_DIRECTIONS)[number];

export const PILOT_OUTCOMES = ['SUCCESS', 'PARTIAL', 'FAILED'] as const;
export type PilotOutcome = (typeof PILOT_OUTCOMES)[number];
