import { BARRIERS, type Barrier } from '../schema-fragments';

/**
 * The 17 barriers to personalised medicine in six categories, from the cross-regional
 * report's overview of main barriers. The codes are the published language's `BARRIERS`.
 */
export const BARRIER_TAXONOMY = [
  {
    category: 'health_data',
    label: 'Health data accessibility',
    barriers: [
      { code: 'data_fragmentation', label: 'Health data fragmentation' },
      { code: 'data_governance', label: 'Health data governance' },
      {
        code: 'data_legal_interpretation',
        label: 'Legal interpretation regarding health data use',
      },
      { code: 'data_consent', label: 'Consent management of health data' },
    ],
  },
  {
    category: 'financial',
    label: 'Financial barriers',
    barriers: [
      { code: 'reimbursement_misalignment', label: 'Reimbursement misalignment' },
      { code: 'development_costs', label: 'High development costs and limited investment' },
    ],
  },
  {
    category: 'regulatory',
    label: 'Regulatory barriers',
    barriers: [
      { code: 'ai_uncertainty', label: 'Regulatory uncertainty of AI in healthcare' },
      { code: 'atmp_complexity', label: 'Regulatory complexity within the field of ATMPs' },
      { code: 'hospital_exemption', label: 'Unclear rules for hospital exemption' },
    ],
  },
  {
    category: 'competence_and_awareness',
    label: 'Competence and awareness',
    barriers: [
      {
        code: 'competence_gaps',
        label: 'Competence gaps across healthcare and innovation ecosystems',
      },
      { code: 'patient_awareness', label: 'Patient awareness' },
      {
        code: 'policymaker_awareness',
        label: 'Understanding, knowledge and support from policy makers and decision makers',
      },
    ],
  },
  {
    category: 'healthcare_readiness',
    label: 'Healthcare readiness',
    barriers: [
      { code: 'infrastructure', label: 'Infrastructure-related barriers in healthcare' },
      { code: 'regional_inequities', label: 'Regional inequities and centralisation of services' },
    ],
  },
  {
    category: 'innovation_ecosystem',
    label: 'Innovation ecosystem capacity',
    barriers: [
      {
        code: 'atmp_scalability',
        label: 'Barriers to scalability in ATMP innovation and manufacturing',
      },
      {
        code: 'coordination',
        label: 'Innovation ecosystem and coordination challenges across precision medicine',
      },
      {
        code: 'trials_and_testbeds_access',
        label: 'Access and integration of clinical trials and testbeds',
      },
    ],
  },
] as const satisfies readonly {
  category: string;
  label: string;
  barriers: readonly { code: Barrier; label: string }[];
}[];

export type BarrierCategory = (typeof BARRIER_TAXONOMY)[number]['category'];

const categoryOf = new Map<string, BarrierCategory>(
  BARRIER_TAXONOMY.flatMap(({ category, barriers }) =>
    barriers.map(({ code }) => [code, category] as const),
  ),
);

export function isBarrier(code: unknown): code is Barrier {
  return typeof code === 'string' && (BARRIERS as readonly string[]).includes(code);
}

/** The category of a barrier code, or undefined for an unknown code. */
export function barrierCategory(code: string): BarrierCategory | undefined {
  return categoryOf.get(code);
}
