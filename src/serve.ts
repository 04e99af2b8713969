/** Starting the service: read config, build the app, listen. Termination signals belong to terminus. Loaded by main.ts. */
import { existsSync } from 'node:fs';
import { createApp } from './app/create-app.js';
import { ConfigError, loadConfig, type GatewayConfig } from './config/load-config.js';
import { giveBackStartUpMemory } from './lifecycle/give-back-start-up-memory.js';

function readConfig(): GatewayConfig {
  try {
    // Tests start the service as a child process: a developer's .env must never change what they test.
    if (existsSync('.env') && process.env.NODE_ENV !== 'test') process.loadEnvFile('.env');
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
// terminus owns SIGTERM and SIGINT: readiness off, drain, close, exit 0.
const gatewayApp = await createApp(config, {}, { handleSignals: true });
const { logger } = gatewayApp;

if (!config.security.authEnabled) {
  logger.warn(
    '*** AUTHENTICATION IS OFF: anyone who can reach this port can spend your provider credits and manage keys and providers. ' +
      `Set API_KEYS (and ADMIN_API_KEY) before exposing it. It listens on ${config.host}${config.host === '127.0.0.1' ? ' only; set HOST=0.0.0.0 to open it to the network on purpose' : ''}. ***`,
  );
}

const unpriced = gatewayApp.gateway.unpricedProviders();
if (unpriced.length > 0) {
  logger.warn({ providers: unpriced }, `budgets cannot count spend on ${unpriced.join(', ')}: no cost is reported and no prices are configured (set pricing in the providers file)`);
}

for (const provider of gatewayApp.gateway.listProviders()) {
  if (!provider.configured) {
    logger.warn({ provider: provider.id }, `provider ${provider.id} is not configured: set ${provider.missingConfiguration}`);
  }
}

// Last before the port opens, so that no request waits on the collection.
const youngGenerationGivenBack = giveBackStartUpMemory();
logger.debug({ bytes: youngGenerationGivenBack }, 'start-up memory given back');

gatewayApp.httpServer.listen(config.port, config.host, () => {
  const address = gatewayApp.httpServer.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = config.security.tls === undefined ? 'http' : 'https';
  logger.info({ host: config.host, port }, `llm-gateway listening on ${scheme}://${config.host}:${port} (REST /v1, GraphQL /graphql)`);
});

if (gatewayApp.metricsServer !== undefined) {
  gatewayApp.metricsServer.listen(config.observability.metricsPort, config.host, () => {
    logger.info({ port: config.observability.metricsPort }, 'metrics served on their own port');
  });
}
