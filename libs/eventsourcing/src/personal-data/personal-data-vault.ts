import type {
  DisclosedPersonalData,
  PersonalFields,
  SealedPersonalData,
} from './sealed-personal-data';

export const PERSONAL_DATA_VAULT = Symbol('PERSONAL_DATA_VAULT');

/**
 * Keeps one key per person and seals their data with it. Erasing a person destroys their
 * key: every envelope sealed for them, wherever it was copied, can no longer be opened.
 */
export interface PersonalDataVault {
  /** Encrypts `fields` with the person's key, creating the key on first use. */
  seal(personId: string, fields: PersonalFields): Promise<SealedPersonalData>;
  /** The fields, or the erased marker once the person's key is gone. */
  open(sealed: SealedPersonalData): Promise<DisclosedPersonalData>;
  /** A copy of `value` with every sealed envelope in it opened (one key lookup for all). */
  reveal<T>(value: T): Promise<T>;
  /** Destroys every key of the person; returns how many there were (0 when already erased). */
  erase(personId: string): Promise<number>;
  /** Whether the person has a key now, i.e. data of theirs can be opened. */
  holdsKeyOf(personId: string): Promise<boolean>;
}
