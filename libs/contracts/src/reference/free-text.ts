/**
 * Application forms limit free texts to 2000 characters, and API.md counts a need's
 * description "without spaces": whitespace is free, so layout never costs a writer words.
 */
export const FREE_TEXT_LIMIT = 2000;

/** JavaScript's `\s` (white space and line terminators), by UTF-16 code unit. */
function isSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Characters (code points) of `text`, leaving out whitespace when `withoutSpaces`. Walks the
 * code units instead of iterating the string: it runs on every command's free texts, and
 * iterating made a string and a regex match per character.
 */
function countCharacters(text: string, withoutSpaces: boolean): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (withoutSpaces && isSpace(code)) continue;
    // a surrogate pair is one character; a lone surrogate counts as one too
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** How many characters a text has once every whitespace character is left out. */
export function charactersWithoutSpaces(text: string): number {
  return countCharacters(text, true);
}

/** How many characters (code points, not UTF-16 units) a text has. */
export function characterCount(text: string): number {
  return countCharacters(text, false);
}
