/**
 * The process logger: pino JSON lines. Redaction is a safety net; code must not log secrets anyway.
 */
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config.js';

export type Logger = PinoLogger;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.apiKey',
  'apiKey',
  'config.headers.Authorization',
];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'llm-gateway' } });
}
