/**
 * Upstream error text can echo the key we sent (some proxies do). Everything a provider says is
 * passed through this before it reaches a client or a log line.
 */
const MAX_UPSTREAM_MESSAGE_CHARS = 500;

export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  // Bearer tokens of keys we do not know about (a proxy's own) are no safer to echo.
  result = result.replace(/(bearer\s+)[\w\-.~+/=]{8,}/gi, '$1[redacted]');
  return result.length > MAX_UPSTREAM_MESSAGE_CHARS ? `${result.slice(0, MAX_UPSTREAM_MESSAGE_CHARS)}…` : result;
}
