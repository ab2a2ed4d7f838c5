/** Technology readiness levels, EU Horizon 2020 General Annexes, Annex G. */
export const TRL_SCALE = [
  { level: 1, description: 'Basic principles observed' },
  { level: 2, description: 'Technology concept formulated' },
  { level: 3, description: 'Experimental proof of concept' },
  { level: 4, description: 'Technology validated in lab' },
  { level: 5, description: 'Technology validated in relevant environment' },
  { level: 6, description: 'Technology demonstrated in relevant environment' },
  { level: 7, description: 'System prototype demonstration in operational environment' },
  { level: 8, description: 'System complete and qualified' },
  { level: 9, description: 'Actual system proven in operational environment' },
] as const;

export type TrlLevel = (typeof TRL_SCALE)[number]['level'];

export const MIN_TRL = 1;
export const MAX_TRL = 9;

export function isTrlLevel(value: unknown): value is TrlLevel {
  return Number.isInteger(value) && (value as number) >= MIN_TRL && (value as number) <= MAX_TRL;
}

/** Annex G's wording of a level, or undefined outside 1-9. */
export function trlDescription(level: number): string | undefined {
  return TRL_SCALE.find((t) => t.level === level)?.description;
}
