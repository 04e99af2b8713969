/**
 * A provider's text chunks usually differ only in their text: the same id, model, created and
 * fields around it, token after token. Once one such chunk has been parsed and found to carry only
 * text, the next one that reads the same around its text is recognised without parsing it whole:
 * its text is the one JSON string between the same prefix and suffix. Parsing each chunk in full
 * was the largest single cost of a streamed token (bench/README.md, "Performance work").
 *
 * Sound because JSON is read left to right: when the text between the template's prefix and
 * suffix is one whole string literal, the chunk lexes as the template with only that string
 * changed, so everything the template was checked for holds for it too. Anything else (another
 * field changed, an unescaped quote, a raw control character) does not match and is parsed in full.
 */
import type { DeltaExtras } from '../types.js';

/** A delta's role, as providers that repeat it on every text chunk (OpenRouter) write it before the text. */
export const ROLE_FIELD = '"role":"assistant",';

export class TextChunkTemplate {
  private constructor(
    private readonly prefix: string,
    private readonly suffix: string,
    /** The delta extras of the chunk the template was made from, which every chunk it matches carries too. */
    readonly extras: DeltaExtras | undefined,
    /** Where the prefix has the delta's role, which the chunk goes on without; -1 when it has none. */
    private readonly roleAt: number,
  ) {}

  /**
   * The template of a parsed chunk known to carry only `text` in its delta (and maybe the role, at
   * `roleAt`, before the text), or undefined when its text cannot be told apart (the provider
   * escapes it otherwise than JSON.stringify does, or the same `"content":` text appears twice).
   */
  static of(data: string, text: string, extras: DeltaExtras | undefined, roleAt = -1): TextChunkTemplate | undefined {
    const marker = `"content":${JSON.stringify(text)}`;
    const at = data.indexOf(marker);
    if (at === -1 || data.lastIndexOf(marker) !== at) return undefined;
    const open = at + '"content":"'.length;
    const close = at + marker.length - 1;
    if (roleAt !== -1 && roleAt + ROLE_FIELD.length > at) return undefined;
    return new TextChunkTemplate(data.slice(0, open), data.slice(close), extras, roleAt);
  }

  /** A matched chunk as it goes on: as it came, less the role a gateway's text chunk does not repeat. */
  verbatim(data: string): string {
    const { roleAt } = this;
    return roleAt === -1 ? data : data.slice(0, roleAt) + data.slice(roleAt + ROLE_FIELD.length);
  }

  /** The chunk's text, when it reads as the template with only its text changed. */
  match(data: string): string | undefined {
    const { prefix, suffix } = this;
    const end = data.length - suffix.length;
    // Compared as slices, not with startsWith/endsWith: optimized, those compare a character at a
    // time on sliced strings (what an event's data is), about 500 ns for a 140-character prefix
    // against 65 for slice-and-equals; they were two thirds of decoding a token (bench/README.md,
    // "Eleventh pass").
    if (end <= prefix.length || data.slice(0, prefix.length) !== prefix || data.slice(end) !== suffix) return undefined;
    const literal = data.slice(prefix.length, end);
    if (isPlainStringContent(literal)) return literal;
    let text: unknown;
    try {
      text = JSON.parse(`"${literal}"`);
    } catch {
      return undefined;
    }
    return typeof text === 'string' && text !== '' ? text : undefined;
  }
}

/**
 * Whether a JSON string literal's content is its own value: no escape, quote or raw control
 * character. Most tokens are; parsing them as JSON made V8 look each one up in its string table.
 */
function isPlainStringContent(content: string): boolean {
  for (let at = 0; at < content.length; at++) {
    const code = content.charCodeAt(at);
    if (code < 0x20 || code === 0x22 /* " */ || code === 0x5c /* \\ */) return false;
  }
  return true;
}
