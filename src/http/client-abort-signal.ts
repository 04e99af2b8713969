/**
 * A signal that aborts when the client goes away before its response is complete. `res` 'close'
 * is the reliable event: `req` 'close' fires as soon as the body has been read.
 */
import type { ServerResponse } from 'node:http';

export function abortWhenClientLeaves(res: ServerResponse): AbortController {
  const controller = new AbortController();
  // A response closes once: `on` spares the once-wrapper. Bound rather than a closure: V8 keeps a
  // closure's optimized code only while a closure that ran it is alive (bench/README.md, "Eleventh pass").
  res.on('close', abortIfUnfinished.bind(undefined, res, controller));
  return controller;
}

function abortIfUnfinished(res: ServerResponse, controller: AbortController): void {
  if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
}
