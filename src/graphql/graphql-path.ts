/** Where GraphQL is served, over HTTP and WebSocket alike. */
export const GRAPHQL_PATH = '/graphql';
