/** Query parameters of a usage request -> a checked filter; bad dates are a 400 naming the field. */
import { GatewayError } from '../errors.js';
import type { Principal } from '../vocabulary/principal.js';
import type { UsageFilter } from '../usage/usage-types.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

export interface UsageQuery {
  from?: string | null;
  to?: string | null;
  provider?: string | null;
  model?: string | null;
  /** Admin only: another client, or `*` for all. */
  client?: string | null;
}

function day(value: string | null | undefined, name: string, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new GatewayError('invalid_request', `Invalid value for '${name}': expected a date as YYYY-MM-DD.`, { param: name });
  }
  return value;
}

export function toUsageFilter(query: UsageQuery, principal: Principal | undefined, ownClient: string, now: number = Date.now()): UsageFilter {
  const today = new Date(now).toISOString().slice(0, 10);
  const to = day(query.to, 'to', today);
  const from = day(query.from, 'from', to);
  if (from > to) throw new GatewayError('invalid_request', "Invalid value for 'from': it is after 'to'.", { param: 'from' });
  if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_DAYS) {
    throw new GatewayError('invalid_request', `Invalid range: at most ${MAX_DAYS} days.`, { param: 'from' });
  }
  const filter: UsageFilter = { from, to };
  const asked = query.client ?? undefined;
  if (asked !== undefined && asked !== '' && asked !== ownClient && principal?.kind !== 'admin' && principal?.kind !== 'open') {
    throw new GatewayError('forbidden', "Only the admin key can read another client's usage.", { param: 'client' });
  }
  const client = asked === undefined || asked === '' ? ownClient : asked;
  if (client !== '*') filter.client = client;
  if (query.provider) filter.provider = query.provider;
  if (query.model) filter.model = query.model;
  return filter;
}
