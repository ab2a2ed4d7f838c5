import { NUTS_2021_ROWS, UK_NUTS_2016_ROWS, type NutsRow } from './nuts-2021.data';

export { NUTS_2021_SOURCE } from './nuts-2021.data';

export type NutsLevel = 0 | 1 | 2 | 3;

export interface NutsRegion {
  code: string;
  /** The name in the classification (national language), or the English country name at level 0. */
  name: string;
  level: NutsLevel;
  /** The two-letter NUTS country code (`EL` for Greece, `UK` for the United Kingdom). */
  country: string;
  /** `..Z`, `..ZZ`, `..ZZZ`: territory outside any region (extra-territorial, not a place to procure for). */
  extraRegio: boolean;
  /** True for the United Kingdom's NUTS 2016 codes, which NUTS 2021 no longer lists. */
  ukNuts2016: boolean;
}

const toRegion = ([code, name, level]: NutsRow, ukNuts2016: boolean): NutsRegion => ({
  code,
  name,
  level,
  country: code.slice(0, 2),
  extraRegio: level > 0 && /^Z+$/.test(code.slice(2)),
  ukNuts2016,
});

const byCode = new Map<string, NutsRegion>([
  ...NUTS_2021_ROWS.map((row) => [row[0], toRegion(row, false)] as const),
  ...UK_NUTS_2016_ROWS.map((row) => [row[0], toRegion(row, true)] as const),
]);

/** The region a code names, or undefined when the code is not in the list. Codes are case-sensitive. */
export function nutsRegion(code: string): NutsRegion | undefined {
  return byCode.get(code);
}

/**
 * Whether `code` is a NUTS 2021 code at any level (0-3), or one of the United Kingdom's
 * NUTS 2016 codes (Scotland `UKM` is a region of the reports this product starts from).
 */
export function isNutsCode(code: unknown): code is string {
  return typeof code === 'string' && byCode.has(code);
}

/** The name of a NUTS code, or undefined when the code is unknown. */
export function nutsName(code: string): string | undefined {
  return byCode.get(code)?.name;
}

/** Every code of the list, in the classification's order (EU 2021 first, then the UK). */
export function nutsCodes(): string[] {
  return [...byCode.keys()];
}

/**
 * The regions named in the policy reports, with the NUTS codes API.md uses for them:
 * the ten regions of the cross-regional report and six more from the procurement report.
 */
export const REFERENCE_REGIONS = [
  { code: 'BE2', name: 'Flanders' },
  { code: 'BG411', name: 'Sofia' },
  { code: 'ES51', name: 'Catalonia' },
  { code: 'DE1', name: 'Baden-Wuerttemberg' },
  { code: 'EL43', name: 'Crete' },
  { code: 'ITH5', name: 'Emilia-Romagna' },
  { code: 'LT0', name: 'Lithuania' },
  { code: 'NL', name: 'Netherlands' },
  { code: 'RO21', name: 'North-East Romania' },
  { code: 'SE232', name: 'Vaestra Goetaland' },
  { code: 'ES11', name: 'Galicia' },
  { code: 'ES22', name: 'Navarra' },
  { code: 'ES43', name: 'Extremadura' },
  { code: 'ITC4', name: 'Lombardy' },
  { code: 'DED', name: 'Saxony' },
  { code: 'UKM', name: 'Scotland' },
] as const;
