/** Small real clients for the GraphQL endpoint: HTTP POST and graphql-ws over `ws`. */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphqlResponse<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export async function graphqlHttp<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphqlResponse<T>, 'status'>) };
}

export function wsClient(url: string): Client {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Collects every `next` payload of one subscription until it completes or errors. */
export function collectSubscription<T>(client: Client, query: string, variables: Record<string, unknown>): Promise<FormattedExecutionResult<T, unknown>[]> {
  return new Promise((resolve, reject) => {
    const results: FormattedExecutionResult<T, unknown>[] = [];
    client.subscribe<T>(
      { query, variables },
      { next: (result) => results.push(result), error: reject, complete: () => resolve(results) },
    );
  });
}
