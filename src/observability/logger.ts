/**
 * The process logger: pino JSON lines. Redaction is a safety net; code must not log secrets anyway.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/load-config.js';
import { stdoutLines } from './stdout-lines.js';

export type Logger = PinoLogger;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.apiKey',
  'apiKey',
  'config.headers.Authorization',
];

/** `destination` lets tests read every line the service writes; without one, lines go to stdout once per turn (stdout-lines.ts). */
export function createLogger(level: LogLevel, destination?: DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'llm-gateway' } };
  if (destination !== undefined) return pino(options, destination);
  if (format === 'pretty') return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  return pino(options, stdoutLines());
}
