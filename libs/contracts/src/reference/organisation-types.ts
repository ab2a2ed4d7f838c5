/** Kinds of organisation that take part in innovation procurement (the `orgType` claim). */
export const ORGANISATION_TYPES = [
  'public_authority',
  'hospital',
  'rto',
  'university',
  'sme',
  'large_company',
  'cluster',
  'living_lab',
  'payer',
  'patient_organisation',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export const ORGANISATION_TYPE_LABELS: Readonly<Record<OrganisationType, string>> = {
  public_authority: 'Public authority',
  hospital: 'Hospital',
  rto: 'Research and technology organisation',
  university: 'University',
  sme: 'Small or medium-sized enterprise',
  large_company: 'Large company',
  cluster: 'Cluster',
  living_lab: 'Living lab',
  payer: 'Payer',
  patient_organisation: 'Patient organisation',
};

export function isOrganisationType(value: unknown): value is OrganisationType {
  return typeof value === 'string' && (ORGANISATION_TYPES as readonly string[]).includes(value);
}
