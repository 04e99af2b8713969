/** Upstream finish reasons -> the gateway's closed set. Unknown values become `other`, never a crash. */
import type { FinishReason } from '../types.js';

const KNOWN: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  tool_use: 'tool_calls',
  content_filter: 'content_filter',
  insufficient_system_resource: 'error',
  error: 'error',
};

export function mapFinishReason(reason: string | null | undefined): FinishReason | undefined {
  if (reason === null || reason === undefined || reason === '') return undefined;
  return KNOWN[reason] ?? 'other';
}
