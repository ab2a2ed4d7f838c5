/**
 * Realistic needs and consultations, drawn from the seed reports (regions, barriers, real
 * call figures), as procurers and suppliers would enter them.
 */
export interface DemoNeed {
  key: string;
  org: string;
  title: string;
  description: string;
  region: string;
  diseaseField: string;
  scope: string[];
  patientPopulation: number;
  budgetEstimateEur: number;
  barriers: string[];
  evidence: { title: string; url?: string }[];
  /** What happens to it after it is recorded. */
  outcome: 'validate' | 'reject' | 'keep';
  priority?: { score: number; criteria: Record<string, number> };
}

/**
 * Budget estimates taken from figures of the seed reports (seed 003, "Key Area 4"
 * conference), so that the demo states no invented amount.
 */
export const SEED_BUDGETS_EUR = {
  /** PCP call HORIZON-HLTH-2022-CARE-08-02: indicative proposal size (seed 003 L613-614). */
  pcpProposal: 5_000_000,
  /** PPI call HORIZON-HLTH-2022-CARE-08-03: indicative proposal size (seed 003 L629-630). */
  ppiProposal: 5_000_000,
  /** MedeA, Extremadura's PPI for genomics-based prescription support (seed 003 L1551). */
  medeaPpi: 5_300_000,
  /** Initial investment in Galicia's public CAR-T manufacturing centre (seed 003 L1257-1258). */
  carTCentre: 3_000_000,
} as const;

export const PROCURERS: Record<
  string,
  { sub: string; name: string; orgType: string; country: string }
> = {
  'org-sergas': {
    sub: 'u-sergas-procurement',
    name: 'Galician Health Service procurement',
    orgType: 'public_authority',
    country: 'ES',
  },
  'org-catsalut': {
    sub: 'u-catsalut-innovation',
    name: 'Catalan Health Service innovation unit',
    orgType: 'public_authority',
    country: 'ES',
  },
  'org-navarrabiomed': {
    sub: 'u-navarra-oncology',
    name: 'Navarra oncology department',
    orgType: 'hospital',
    country: 'ES',
  },
  'org-aou-bologna': {
    sub: 'u-bologna-haematology',
    name: 'Bologna university hospital haematology',
    orgType: 'hospital',
    country: 'IT',
  },
  'org-uz-leuven': {
    sub: 'u-leuven-cardiology',
    name: 'Leuven university hospital cardiology',
    orgType: 'hospital',
    country: 'BE',
  },
  'org-aria-lombardia': {
    sub: 'u-aria-procurement',
    name: 'Lombardy regional purchasing agency',
    orgType: 'public_authority',
    country: 'IT',
  },
  'org-vgregion': {
    sub: 'u-vgr-innovation',
    name: 'Vaestra Goetaland region innovation',
    orgType: 'public_authority',
    country: 'SE',
  },
  'org-crete-health': {
    sub: 'u-crete-health',
    name: 'Health region of Crete',
    orgType: 'public_authority',
    country: 'GR',
  },
};

export const SUPPLIERS = [
  { sub: 'u-sepsiscan', org: 'org-sepsiscan', name: 'SepsiScan SL', sme: true, country: 'ES' },
  { sub: 'u-vitalsai', org: 'org-vitalsai', name: 'VitalsAI srl', sme: true, country: 'IT' },
  { sub: 'u-genomeflow', org: 'org-genomeflow', name: 'GenomeFlow NV', sme: true, country: 'BE' },
  {
    sub: 'u-nordicdx',
    org: 'org-nordicdx',
    name: 'Nordic Diagnostics AB',
    sme: false,
    country: 'SE',
  },
  {
    sub: 'u-fraunhofer',
    org: 'org-rto-applied-health',
    name: 'Applied Health RTO',
    sme: false,
    country: 'DE',
  },
];

export const NEEDS: DemoNeed[] = [
  {
    key: 'sepsis',
    org: 'org-sergas',
    title: 'Early detection of sepsis in emergency departments',
    description:
      'Sepsis is often recognised too late in emergency admissions. Clinicians need an early warning ' +
      'computed from routine vital signs and laboratory values, integrated in the emergency workflow.',
    region: 'ES11',
    diseaseField: 'infectious',
    scope: ['early_detection', 'decision_support'],
    patientPopulation: 12000,
    budgetEstimateEur: SEED_BUDGETS_EUR.pcpProposal,
    barriers: ['data_fragmentation', 'ai_uncertainty', 'competence_gaps'],
    evidence: [
      { title: 'Regional sepsis audit 2024' },
      { title: 'Emergency department mortality review' },
    ],
    outcome: 'validate',
    priority: { score: 88, criteria: { clinicalImpact: 92, feasibility: 80, budgetFit: 85 } },
  },
  {
    key: 'rare-catalonia',
    org: 'org-catsalut',
    title: 'Genomic diagnosis of paediatric rare diseases within four weeks',
    description:
      'Children with suspected rare genetic disease wait years for a diagnosis. The region needs whole-genome ' +
      'sequencing with interpretation support that returns a clinical report within four weeks.',
    region: 'ES51',
    diseaseField: 'rare',
    scope: ['diagnosis', 'decision_support'],
    patientPopulation: 3500,
    budgetEstimateEur: SEED_BUDGETS_EUR.ppiProposal,
    barriers: ['data_governance', 'data_consent', 'reimbursement_misalignment', 'coordination'],
    evidence: [{ title: 'Regional rare disease registry report' }],
    outcome: 'validate',
    priority: { score: 81, criteria: { clinicalImpact: 90, feasibility: 70 } },
  },
  {
    key: 'rare-lombardy',
    org: 'org-aria-lombardia',
    title: 'Rapid genome sequencing for critically ill newborns',
    description:
      'Neonatal intensive care units need a rapid genome sequencing service to guide treatment of critically ill ' +
      'newborns with suspected genetic conditions.',
    region: 'ITC4',
    diseaseField: 'rare',
    scope: ['diagnosis'],
    patientPopulation: 900,
    budgetEstimateEur: SEED_BUDGETS_EUR.ppiProposal,
    barriers: ['data_fragmentation', 'reimbursement_misalignment', 'infrastructure'],
    evidence: [{ title: 'Neonatal intensive care outcomes 2023' }],
    outcome: 'validate',
  },
  {
    key: 'rare-flanders',
    org: 'org-uz-leuven',
    title: 'Interpretation support for genomic variants of unknown significance',
    description:
      'Clinical geneticists spend most of their time on variants of unknown significance; they need decision ' +
      'support that ranks variants with evidence from shared European data.',
    region: 'BE2',
    diseaseField: 'genetic',
    scope: ['decision_support'],
    patientPopulation: 5000,
    budgetEstimateEur: SEED_BUDGETS_EUR.medeaPpi,
    barriers: ['data_legal_interpretation', 'coordination'],
    evidence: [{ title: 'Genetics centre workload survey' }],
    outcome: 'validate',
  },
  {
    key: 'car-t',
    org: 'org-aou-bologna',
    title: 'Point-of-care CAR-T manufacturing under hospital exemption',
    description:
      'Haematology wants to produce CAR-T cells at the point of care to cut waiting times and costs, within the ' +
      'hospital exemption and with automated closed manufacturing.',
    region: 'ITH5',
    diseaseField: 'cancer',
    scope: ['treatment'],
    patientPopulation: 250,
    budgetEstimateEur: SEED_BUDGETS_EUR.carTCentre,
    barriers: ['atmp_complexity', 'hospital_exemption', 'development_costs', 'atmp_scalability'],
    evidence: [{ title: 'Regional ATMP strategy' }],
    outcome: 'validate',
    priority: { score: 74, criteria: { clinicalImpact: 95, feasibility: 55 } },
  },
  {
    key: 'heart-failure',
    org: 'org-uz-leuven',
    title: 'Remote monitoring of heart failure patients after discharge',
    description:
      'Readmissions within 30 days of discharge remain high; cardiology needs remote monitoring that detects ' +
      'decompensation early and fits the nurses’ follow-up workflow.',
    region: 'BE2',
    diseaseField: 'cardiovascular',
    scope: ['monitoring', 'rehabilitation'],
    patientPopulation: 8000,
    budgetEstimateEur: SEED_BUDGETS_EUR.ppiProposal,
    barriers: ['reimbursement_misalignment', 'patient_awareness'],
    evidence: [{ title: 'Readmission statistics 2024' }],
    outcome: 'keep',
  },
  {
    key: 'lung-cdx',
    org: 'org-vgregion',
    title: 'Companion diagnostics for targeted lung cancer therapy',
    description:
      'Oncology needs molecular testing that identifies patients eligible for targeted therapies within days of ' +
      'biopsy, at every hospital of the region.',
    region: 'SE232',
    diseaseField: 'cancer',
    scope: ['diagnosis', 'decision_support'],
    patientPopulation: 1500,
    budgetEstimateEur: SEED_BUDGETS_EUR.pcpProposal,
    barriers: ['regional_inequities', 'reimbursement_misalignment'],
    evidence: [{ title: 'Regional cancer plan' }],
    outcome: 'validate',
  },
  {
    key: 'island-telemonitoring',
    org: 'org-crete-health',
    title: 'Telemonitoring of chronic patients on remote islands',
    description:
      'Patients on small islands travel hours for routine follow-up; the region needs telemonitoring that works ' +
      'on poor connectivity and links to the regional hospital.',
    region: 'EL43',
    diseaseField: 'other',
    scope: ['monitoring'],
    patientPopulation: 20000,
    budgetEstimateEur: SEED_BUDGETS_EUR.ppiProposal,
    barriers: ['infrastructure', 'regional_inequities'],
    evidence: [{ title: 'Island health access study' }],
    outcome: 'reject',
  },
];

export const DAY_MS = 86_400_000;
