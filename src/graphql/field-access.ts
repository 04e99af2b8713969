/**
 * Who may use each root field. Every field of Query, Mutation and Subscription must be listed: a
 * field without an entry fails the schema build, and a test enumerates the schema against this.
 */
import type { Access } from '../auth/access.js';

export const FIELD_ACCESS: Readonly<Record<string, Access>> = {
  'Query.health': 'public',
  'Query.providers': 'client',
  'Query.providerHealth': 'client',
  'Query.models': 'client',
  'Query.usage': 'client',
  'Query.apiKeys': 'admin',
  'Mutation.createChatCompletion': 'client',
  'Mutation.createEmbeddings': 'client',
  'Mutation.setProviderEnabled': 'admin',
  'Mutation.createApiKey': 'admin',
  'Mutation.updateApiKey': 'admin',
  'Mutation.revokeApiKey': 'admin',
  'Subscription.chatCompletionStream': 'client',
};
