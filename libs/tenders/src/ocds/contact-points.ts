import type { OcdsContactPoint, OcdsReleasePackage } from './release-package';

/**
 * The package with each supplier party's contact point, by organisation id. Contacts are
 * personal data opened at export time, so they are added to a built package rather than
 * derived from the events: an erased contact is simply absent.
 */
export function withContactPoints(
  pack: OcdsReleasePackage,
  contacts: ReadonlyMap<string, OcdsContactPoint>,
): OcdsReleasePackage {
  if (contacts.size === 0) return pack;
  return {
    ...pack,
    releases: pack.releases.map((release) => ({
      ...release,
      parties: release.parties.map((party) => {
        const contact = party.roles.includes('supplier') ? contacts.get(party.id) : undefined;
        return contact ? { ...party, contactPoint: { ...contact } } : party;
      }),
    })),
  };
}
