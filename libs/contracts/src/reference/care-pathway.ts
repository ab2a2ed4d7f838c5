import {
  DISEASE_FIELDS,
  NEED_SCOPES,
  type DiseaseField,
  type NeedScope,
} from '../schema-fragments';

/** Disease fields of the personalised-medicine application form, plus `other`. */
export const DISEASE_FIELD_LABELS: Readonly<Record<DiseaseField, string>> = {
  cancer: 'Cancer',
  neuroscience: 'Neuroscience',
  infectious: 'Infectious diseases',
  cardiovascular: 'Cardiovascular diseases',
  genetic: 'Genetic disorders',
  rare: 'Rare diseases',
  other: 'Other',
};

/** Where on the care pathway a need sits, after the same form's "indications" list. */
export const NEED_SCOPE_LABELS: Readonly<Record<NeedScope, string>> = {
  prevention: 'Prevention',
  early_detection: 'Early detection / disease risk',
  diagnosis: 'Diagnosis',
  decision_support: 'Decision support',
  treatment: 'Treatment',
  monitoring: 'Monitoring and management of follow-up',
  rehabilitation: 'Recovery and rehabilitation',
  infrastructure: 'Infrastructure (e.g. biobanks)',
};

export function isDiseaseField(value: unknown): value is DiseaseField {
  return typeof value === 'string' && (DISEASE_FIELDS as readonly string[]).includes(value);
}

export function isNeedScope(value: unknown): value is NeedScope {
  return typeof value === 'string' && (NEED_SCOPES as readonly string[]).includes(value);
}
