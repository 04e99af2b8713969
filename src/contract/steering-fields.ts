/**
 * Request fields that would steer the gateway itself, never the model: where the upstream is, which
 * key and headers it gets. They are client-side options of the SDKs; sent in a body, they are
 * refused, because upstream host, path, headers and keys come from configuration only. Every other
 * field the gateway does not interpret passes through to the provider.
 */
import { GatewayError } from '../errors.js';
import type { ParamNamer } from './request-validator.js';

export const STEERING_FIELDS: ReadonlySet<string> = new Set([
  'api_key',
  'api_base',
  'base_url',
  'headers',
  'extra_headers',
  'extra_query',
  'extra_body',
  'default_headers',
  'default_query',
  'organization',
  'timeout',
  'max_retries',
]);

export function refuseSteeringFields(body: Readonly<Record<string, unknown>>, nameParam: ParamNamer): void {
  for (const field of Object.keys(body)) {
    if (!STEERING_FIELDS.has(field)) continue;
    const param = nameParam(field);
    throw new GatewayError(
      'invalid_request',
      `'${param}' would steer the gateway itself and is not accepted: the upstream's host, path, headers and keys come from the gateway's configuration. Send model options as body fields.`,
      { param },
    );
  }
}
