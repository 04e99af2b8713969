/**
 * Redact and block rules for completion text. Streams pass through a holdback window so a pattern
 * split across chunks is still caught: the last `holdbackChars` characters wait for the next chunk
 * (or the end), which delays text by that much and no more. Without rules nothing is held back.
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
    const holdback = this.config.holdbackChars;
    return {
      push: (delta) => {
        const pending = held + delta;
        this.checkBlock(pending);
        const redacted = this.redact(pending);
        const cut = Math.max(0, redacted.length - holdback);
        held = redacted.slice(cut);
        return redacted.slice(0, cut);
      },
      flush: () => {
        const rest = this.redact(held);
        held = '';
        return rest;
      },
    };
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
