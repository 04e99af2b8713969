/**
 * Redact and block rules for completion text. Streams hold text back while a match may still grow:
 * the last `holdbackChars` characters, and any match that reaches the end of what has arrived (the
 * rest of a key, an email's domain, a card's last digits may be in the next chunk), so a match is
 * always redacted whole however the stream is chunked. Without rules nothing is held back.
 */
import type { SecurityConfig } from '../config/security.js';
import { GatewayError } from '../errors.js';

const PRESETS: Record<string, { pattern: RegExp; replacement: string }> = {
  email: { pattern: /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}/g, replacement: '[redacted email]' },
  card: { pattern: /\b\d(?:[ -]?\d){12,18}\b/g, replacement: '[redacted card]' },
  secret: {
    pattern: /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
    replacement: '[redacted secret]',
  },
};

export interface TextStreamFilter {
  /** Text that may go out now. Throws `output_blocked` when a block rule matches. */
  push(delta: string): string;
  /** Everything still held back, at the end of the stream. */
  flush(): string;
}

export class OutputFilter {
  private readonly redactions: { pattern: RegExp; replacement: string }[];
  private readonly block: RegExp | undefined;

  constructor(private readonly config: SecurityConfig['output']) {
    this.redactions = config.redactPresets.map((preset) => PRESETS[preset]!);
    if (config.redactPattern !== undefined) this.redactions.push({ pattern: new RegExp(config.redactPattern, 'g'), replacement: '[redacted]' });
    this.block = config.blockPattern === undefined ? undefined : new RegExp(config.blockPattern);
  }

  get active(): boolean {
    return this.redactions.length > 0 || this.block !== undefined;
  }

  filterText(text: string): string {
    this.checkBlock(text);
    return this.redact(text);
  }

  stream(): TextStreamFilter {
    let held = '';
    return {
      push: (delta) => {
        const pending = held + delta;
        this.checkBlock(pending);
        const cut = this.safeCut(pending);
        held = pending.slice(cut);
        return this.redact(pending.slice(0, cut));
      },
      flush: () => {
        const rest = this.redact(held);
        held = '';
        return rest;
      },
    };
  }

  /**
   * How much of `text` may go out now: everything before the holdback window, pulled back to the
   * start of any match that crosses it, since that match may still extend with the next chunk.
   */
  private safeCut(text: string): number {
    let cut = Math.max(0, text.length - this.config.holdbackChars);
    for (const { pattern } of this.redactions) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
        if (match[0] === '') pattern.lastIndex++;
        else if (match.index + match[0].length > cut) cut = Math.min(cut, match.index);
      }
    }
    return cut;
  }

  private redact(text: string): string {
    let result = text;
    for (const { pattern, replacement } of this.redactions) result = result.replace(pattern, replacement);
    return result;
  }

  private checkBlock(text: string): void {
    if (this.block?.test(text) === true) {
      throw new GatewayError('output_blocked', 'The answer was stopped by an output rule of this gateway.');
    }
  }
}
