/**
 * A GraphQL client typed by codegen's client preset: a query and a mutation over HTTP, and the
 * streaming subscription over graphql-ws. Every variable and result below is type-checked.
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CompleteDocument, ProvidersDocument, StreamDocument, type ChatCompletionInput } from '../generated/graphql.js';

const baseUrl = process.env.GATEWAY_URL ?? 'http://localhost:8080';
const key = process.env.GATEWAY_KEY ?? '';

async function request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors !== undefined) throw new Error(`${body.errors[0]?.extensions?.code}: ${body.errors[0]?.message}`);
  return body.data as Result;
}

const input: ChatCompletionInput = { model: 'deepseek/deepseek-chat', messages: [{ role: 'USER', content: 'Say hello' }], maxTokens: 50 };

const { providers, health } = await request(ProvidersDocument, {});
console.log(`health: ${health.status}; providers: ${providers.map((provider) => `${provider.id}=${provider.status}`).join(', ')}`);

const { createChatCompletion } = await request(CompleteDocument, { input });
console.log(`completion from ${createChatCompletion.provider}: ${createChatCompletion.choices[0]?.message.content} (${createChatCompletion.usage?.totalTokens} tokens)`);

const client = createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key}` } });
let streamed = '';
for await (const event of client.iterate({ query: print(StreamDocument), variables: { input } })) {
  if (event.errors !== undefined) throw new Error(`stream failed: ${String(event.errors[0]?.extensions?.code)}`);
  const chunk = (event.data as { chatCompletionStream: { choices: { delta: { content?: string | null } }[] } } | null | undefined)?.chatCompletionStream;
  streamed += chunk?.choices[0]?.delta.content ?? '';
}
await client.dispose();
console.log(`streamed: ${streamed}`);
