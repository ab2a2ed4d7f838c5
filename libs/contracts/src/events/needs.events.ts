import { defineIntegrationEvent } from '../published-language';
import {
  BARRIERS,
  type Barrier,
  DISEASE_FIELDS,
  type DiseaseField,
  NEED_SCOPES,
  type NeedScope,
  arrayOf,
  eur,
  id,
  nullable,
  object,
  oneOfValues,
  positiveInt,
  reason,
  region,
  text,
} from '../schema-fragments';

const context = 'needs' as const;

export interface NeedRecorded {
  needId: string;
  org: string;
  title: string;
  region: string;
  diseaseField: DiseaseField;
  scope: NeedScope[];
  patientPopulation: number;
  budgetEstimateEur: number;
  barriers: Barrier[];
}

export const NeedRecordedEvent = defineIntegrationEvent<NeedRecorded>({
  context,
  type: 'NeedRecorded',
  version: 1,
  aggregate: 'need',
  key: 'needId',
  description:
    'A procurer recorded an unmet need. The description and evidence stay in the needs context; ' +
    'this carries what other contexts filter and link on.',
  schema: object(
    {
      needId: id('Need id.'),
      org: id('Owning organisation.'),
      title: text('Short title of the need.', 300),
      region: region(),
      diseaseField: oneOfValues(DISEASE_FIELDS, 'Disease field.'),
      scope: arrayOf(oneOfValues(NEED_SCOPES, 'Scope.'), 'Care pathway scope.', {
        minItems: 1,
        uniqueItems: true,
      }),
      patientPopulation: positiveInt('Patients concerned.', 0),
      budgetEstimateEur: eur('Budget estimate in EUR.'),
      barriers: arrayOf(oneOfValues(BARRIERS, 'Barrier code.'), 'Barriers the need relates to.', {
        uniqueItems: true,
      }),
    },
    [
      'needId',
      'org',
      'title',
      'region',
      'diseaseField',
      'scope',
      'patientPopulation',
      'budgetEstimateEur',
      'barriers',
    ],
  ),
  example: {
    needId: 'need-7f3a9c',
    org: 'org-sergas',
    title: 'Early detection of sepsis in emergency departments',
    region: 'ES11',
    diseaseField: 'infectious',
    scope: ['early_detection', 'decision_support'],
    patientPopulation: 12000,
    budgetEstimateEur: 2500000,
    barriers: ['data_fragmentation', 'ai_uncertainty'],
  },
});

export interface NeedValidated {
  needId: string;
  org: string;
  region: string;
  rationale: string | null;
}

export const NeedValidatedEvent = defineIntegrationEvent<NeedValidated>({
  context,
  type: 'NeedValidated',
  version: 1,
  aggregate: 'need',
  key: 'needId',
  description: 'The owning organisation verified the need; it may now be consulted on or grouped.',
  schema: object(
    {
      needId: id('Need id.'),
      org: id('Owning organisation.'),
      region: region(),
      rationale: nullable(text('Why the need was validated.')),
    },
    ['needId', 'org', 'region', 'rationale'],
  ),
  example: {
    needId: 'need-7f3a9c',
    org: 'org-sergas',
    region: 'ES11',
    rationale: 'Confirmed by clinical board',
  },
});

export interface NeedRejected {
  needId: string;
  org: string;
  reason: string;
}

export const NeedRejectedEvent = defineIntegrationEvent<NeedRejected>({
  context,
  type: 'NeedRejected',
  version: 1,
  aggregate: 'need',
  key: 'needId',
  description: 'The owning organisation rejected the need, with a reason.',
  schema: object({ needId: id('Need id.'), org: id('Owning organisation.'), reason: reason() }, [
    'needId',
    'org',
    'reason',
  ]),
  example: {
    needId: 'need-7f3a9c',
    org: 'org-sergas',
    reason: 'Already covered by a regional programme',
  },
});

export interface NeedPrioritised {
  needId: string;
  org: string;
  score: number;
  criteria: Record<string, number> | null;
}

const score = { type: 'integer', minimum: 1, maximum: 100 };

export const NeedPrioritisedEvent = defineIntegrationEvent<NeedPrioritised>({
  context,
  type: 'NeedPrioritised',
  version: 1,
  aggregate: 'need',
  key: 'needId',
  description: 'The owning organisation scored the need (1-100), optionally per criterion.',
  schema: object(
    {
      needId: id('Need id.'),
      org: id('Owning organisation.'),
      score: { ...score, description: 'Priority score.' },
      criteria: nullable({
        type: 'object',
        description: 'Criterion name to a score 1-100.',
        additionalProperties: score,
      }),
    },
    ['needId', 'org', 'score', 'criteria'],
  ),
  example: {
    needId: 'need-7f3a9c',
    org: 'org-sergas',
    score: 87,
    criteria: { impact: 90, feasibility: 80 },
  },
});

export interface NeedWithdrawn {
  needId: string;
  org: string;
  reason: string;
}

export const NeedWithdrawnEvent = defineIntegrationEvent<NeedWithdrawn>({
  context,
  type: 'NeedWithdrawn',
  version: 1,
  aggregate: 'need',
  key: 'needId',
  description: 'The owning organisation withdrew the need, with a reason.',
  schema: object({ needId: id('Need id.'), org: id('Owning organisation.'), reason: reason() }, [
    'needId',
    'org',
    'reason',
  ]),
  example: { needId: 'need-7f3a9c', org: 'org-sergas', reason: 'Merged into a buyers group need' },
});

export interface BuyersGroupFormed {
  buyersGroupId: string;
  name: string;
  leadOrg: string;
  needIds: string[];
  regions: string[];
}

export const BuyersGroupFormedEvent = defineIntegrationEvent<BuyersGroupFormed>({
  context,
  type: 'BuyersGroupFormed',
  version: 1,
  aggregate: 'buyersGroup',
  key: 'buyersGroupId',
  description:
    "Validated needs were aggregated into a buyers group for joint procurement; the caller's org leads.",
  schema: object(
    {
      buyersGroupId: id('Buyers group id.'),
      name: text('Name of the group.', 300),
      leadOrg: id('Leading organisation.'),
      needIds: arrayOf(id('Need id.'), 'Validated needs in the group.', {
        minItems: 1,
        uniqueItems: true,
      }),
      regions: arrayOf(region(), 'Regions of the grouped needs.', {
        minItems: 1,
        uniqueItems: true,
      }),
    },
    ['buyersGroupId', 'name', 'leadOrg', 'needIds', 'regions'],
  ),
  example: {
    buyersGroupId: 'bg-51c2',
    name: 'Atlantic sepsis buyers group',
    leadOrg: 'org-sergas',
    needIds: ['need-7f3a9c', 'need-0b11de'],
    regions: ['ES11', 'ES22'],
  },
});

export interface BuyersGroupJoined {
  buyersGroupId: string;
  needId: string;
  org: string;
  region: string;
}

export const BuyersGroupJoinedEvent = defineIntegrationEvent<BuyersGroupJoined>({
  context,
  type: 'BuyersGroupJoined',
  version: 1,
  aggregate: 'buyersGroup',
  key: 'buyersGroupId',
  description: 'An organisation joined a buyers group with one of its validated needs.',
  schema: object(
    {
      buyersGroupId: id('Buyers group id.'),
      needId: id('The joining need.'),
      org: id('Joining organisation.'),
      region: region(),
    },
    ['buyersGroupId', 'needId', 'org', 'region'],
  ),
  example: {
    buyersGroupId: 'bg-51c2',
    needId: 'need-93aa01',
    org: 'org-navarrabiomed',
    region: 'ES22',
  },
});

export const needsEvents = [
  NeedRecordedEvent,
  NeedValidatedEvent,
  NeedRejectedEvent,
  NeedPrioritisedEvent,
  NeedWithdrawnEvent,
  BuyersGroupFormedEvent,
  BuyersGroupJoinedEvent,
] as const;
