/**
 * Application forms limit free texts to 2000 characters, and API.md counts a need's
 * description "without spaces": whitespace is free, so layout never costs a writer words.
 */
export const FREE_TEXT_LIMIT = 2000;

/** How many characters a text has once every whitespace character is left out. */
export function charactersWithoutSpaces(text: string): number {
  let count = 0;
  for (const character of text) if (!/\s/u.test(character)) count++;
  return count;
}
