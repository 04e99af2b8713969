/**
 * A signal that aborts when the client goes away before its response is complete. `res` 'close'
 * is the reliable event: `req` 'close' fires as soon as the body has been read.
 */
import type { ServerResponse } from 'node:http';

export function abortWhenClientLeaves(res: ServerResponse): AbortController {
  const controller = new AbortController();
  // A response closes once: `on` spares the once-wrapper.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller;
}
