import { GatewayError } from '../../../errors.js';
import type { MutationResolvers } from '../../../generated/graphql.js';
import { toKeyLimits } from '../../key-limits-input.js';

export const createApiKey: MutationResolvers['createApiKey'] = (_parent, { name, limits }, context) => {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 100 || /[\u0000-\u001f]/.test(name)) {
    throw new GatewayError('invalid_request', "Invalid value for 'name': 1 to 100 printable characters.", { param: 'name' });
  }
  return context.gateway.createApiKey(name, toKeyLimits(limits, context.validator));
};
