/**
 * The fields of an upstream body the gateway does not interpret, by where they sit, so they reach
 * the client unchanged: a field the provider returns and the gateway does not own is passed on.
 */
import type { PassThrough } from '../types.js';

/** Top-level fields the gateway reads or renders itself. */
const OWN_RESPONSE_FIELDS = new Set(['id', 'object', 'created', 'model', 'choices', 'usage', 'error']);
const OWN_CHOICE_FIELDS = new Set(['index', 'message', 'delta', 'finish_reason', 'error']);
/** Reasoning is renamed to `reasoning` by the gateway; `role` and `content` are its own. */
const OWN_MESSAGE_FIELDS = new Set(['role', 'content', 'reasoning', 'reasoning_content', 'tool_calls']);

function rest(value: unknown, own: ReadonlySet<string>): PassThrough | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  // Runs on every streamed token: for-in allocates nothing when there is nothing to pass on, unlike Object.entries.
  const record = value as Record<string, unknown>;
  let found: Record<string, unknown> | undefined;
  for (const key in record) {
    if (own.has(key) || !Object.hasOwn(record, key)) continue;
    const field = record[key];
    if (field !== undefined) (found ??= {})[key] = field;
  }
  return found;
}

export const responseExtras = (body: unknown): PassThrough | undefined => rest(body, OWN_RESPONSE_FIELDS);
export const choiceExtras = (choice: unknown): PassThrough | undefined => rest(choice, OWN_CHOICE_FIELDS);
export const messageExtras = (message: unknown): PassThrough | undefined => rest(message, OWN_MESSAGE_FIELDS);
