/**
 * A provider's API keys: one variable may hold several, comma-separated, and the providers file may
 * name several variables with weights. Keys are labelled for logs and listings and never shown.
 */
import { createHash } from 'node:crypto';
import { readString, type Env } from './env-readers.js';
import type { ProviderKeyConfig } from './types.js';

function label(variable: string, key: string, several: boolean): string {
  return several ? `${variable}#${createHash('sha256').update(key).digest('hex').slice(0, 8)}` : variable;
}

/** The keys in one variable, each with `weight`; one unset key when the variable is empty. */
export function keysInVariable(env: Env, variable: string, weight = 1): ProviderKeyConfig[] {
  const keys = (readString(env, variable) ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
  if (keys.length === 0) return [{ label: variable, key: undefined, variable, weight }];
  return keys.map((key) => ({ label: label(variable, key, keys.length > 1), key, variable, weight }));
}

/** `apiKey`, `apiKeyVariable` and `keys` for a provider whose keys all come from one variable. */
export function keysFromVariable(env: Env, variable: string): Pick<ProviderConfigKeys, 'apiKey' | 'apiKeyVariable' | 'keys'> {
  return withFirstKey(keysInVariable(env, variable), variable);
}

interface ProviderConfigKeys {
  apiKey: string | undefined;
  apiKeyVariable: string | undefined;
  keys: ProviderKeyConfig[];
}

export function withFirstKey(keys: ProviderKeyConfig[], variable: string | undefined): ProviderConfigKeys {
  return { apiKey: keys[0]?.key, apiKeyVariable: variable ?? keys[0]?.variable, keys };
}
