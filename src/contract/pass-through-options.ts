/**
 * Request fields the gateway forwards to the provider without interpreting them. Only these may
 * travel as pass-through options: anything else (a base URL, headers) could steer the gateway.
 */
export const PASS_THROUGH_OPTION_KEYS = [
  'max_completion_tokens',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'response_format',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning_effort',
  'metadata',
  'models',
  'provider',
  'transforms',
  'reasoning',
  'top_k',
  'min_p',
  'repetition_penalty',
] as const;

export type PassThroughOptionKey = (typeof PASS_THROUGH_OPTION_KEYS)[number];
