/** Legacy text completions between OpenAI's wire shape and the gateway's pass-through command. */
import type { components } from '../generated/openapi.js';
import type { PassThroughCommand } from '../vocabulary/pass-through.js';
import type { ParamNamer } from './request-validator.js';
import { refuseSteeringFields } from './steering-fields.js';

export type CreateCompletionRequestBody = components['schemas']['CreateCompletionRequest'];

const WIRE_NAMES: ParamNamer = (path) => path;

export function fromWireCompletionRequest(body: CreateCompletionRequestBody, nameParam: ParamNamer = WIRE_NAMES): { command: PassThroughCommand; stream: boolean } {
  const fields = body as Record<string, unknown>;
  refuseSteeringFields(fields, nameParam);
  const { model: _model, stream: _stream, ...passed } = fields;
  const command: PassThroughCommand = {
    protocol: 'completions',
    ...(body.model === undefined ? {} : { model: body.model }),
    body: passed,
    prompt: body.prompt,
    ...(typeof body.max_tokens === 'number' ? { maxTokens: body.max_tokens } : {}),
    includeUsage: body.stream_options?.include_usage === true,
  };
  return { command, stream: body.stream === true };
}
