/**
 * Requests Node rejects before Express sees them (a header with CR/LF, headers over the size
 * limit, garbage on the socket) still get an answer in the documented error shape, not a bare
 * socket reset.
 */
import type { Duplex } from 'node:stream';
import { GatewayError } from '../errors.js';

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && !socket.writable)) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const gatewayError = tooLarge
    ? new GatewayError('payload_too_large', 'The request headers are too large.')
    : new GatewayError('invalid_request', 'The request is not valid HTTP (a header may contain a forbidden character).');
  const body = JSON.stringify(gatewayError.toBody());
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
