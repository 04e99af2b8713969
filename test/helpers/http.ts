/** The requests tests send over and over: JSON posts to the gateway. */

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** POST /v1/chat/completions with one user message unless the body says otherwise. */
export function postChat(gatewayUrl: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return postJson(`${gatewayUrl}/v1/chat/completions`, { messages: [{ role: 'user', content: 'Hi' }], ...body }, headers);
}
