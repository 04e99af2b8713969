/**
 * Executes a chat request against its targets with retries, breakers and fallback, under one
 * request deadline. Streams fall back only until their first token.
 */
import { GatewayError } from '../errors.js';
import type { CallOptions, ChatResponse } from '../providers/types.js';
import type { EmbeddingsCommand, EmbeddingsResult } from '../vocabulary/embeddings.js';
import type { TraceSpan } from '../observability/tracing.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import type { Deployment, RouteStep } from './deployments.js';
import { runWithFallback, settleFailure, type Attempt, type RunContext, type RunnerDeps, type RunSuccess } from './fallback-runner.js';
import { asFlow, type Flow } from '../streams/flow.js';
import { LazyFlow } from '../streams/lazy-flow.js';
import { StageFlow, watchFlow, type Watcher } from '../streams/stage-flow.js';
import { partsToChunks } from './parts-to-chunks.js';
import type { ServedBy, PassThroughChunk, PassThroughCommand, PassThroughResponse } from '../vocabulary/pass-through.js';
import type { PassThroughEndpoint, PassThroughStreamPart } from '../providers/types.js';
import type { DeploymentTicket } from '../resilience/deployment-breakers.js';

/** A provider's passed-through stream as chunks tagged with what served them; an error part is thrown. */
function servedChunks(parts: AsyncIterable<PassThroughStreamPart>, served: ServedBy): Flow<PassThroughChunk & { served: ServedBy }> {
  return new StageFlow(asFlow(parts), {
    item: (part: PassThroughStreamPart, emit: (chunk: PassThroughChunk & { served: ServedBy }) => void) => {
      if (part.type === 'error') throw part.error;
      emit({ ...(part.event === undefined ? {} : { event: part.event }), body: part.body, usage: part.usage, served });
    },
  });
}

function endpointFor(deployment: Deployment, command: PassThroughCommand): PassThroughEndpoint {
  const provider = deployment.keyed.provider;
  const endpoint = provider.passThrough?.[command.protocol];
  if (endpoint === undefined) throw new GatewayError('model_not_found', `Provider ${provider.id} does not serve ${command.protocol} as it is.`, { provider: provider.id, param: 'model' });
  return endpoint;
}

function callOptions(signal: AbortSignal, context: ExecutionContext, traceparent: string | undefined): CallOptions {
  return { signal, requestId: context.requestId, ...(traceparent === undefined ? {} : { traceparent }) };
}

/** A provider's whole answer as the gateway's result; what the provider sent and the gateway does not own rides along. */
function toResult(response: ChatResponse, deployment: Deployment, attempts: number): ChatCompletionResult {
  const extra = response.extra;
  return {
    id: response.id,
    created: response.created,
    model: response.model || deployment.upstreamModel,
    provider: deployment.provider,
    deployment: deployment.id,
    attempts,
    cacheStatus: 'BYPASS',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: response.content, reasoning: response.reasoning, toolCalls: response.toolCalls, ...(extra?.message === undefined ? {} : { extra: extra.message }) },
        finishReason: response.finishReason,
        ...(extra?.choice === undefined ? {} : { extra: extra.choice }),
      },
    ],
    usage: response.usage,
    ...(extra?.response === undefined ? {} : { extra: extra.response }),
  };
}

type OpenAttempt<T> = (deployment: Deployment, signal: AbortSignal, attempts: number, traceparent: string | undefined) => Flow<T>;

interface FirstItem<T> {
  first: T;
  chunks: Flow<T>;
}

export interface ExecutionContext extends RequestContext {
  /** Aborting it aborts the upstream call (for a shared call: when every client has left). */
  signal: AbortSignal;
  /** The request's span, parent of each attempt's. */
  span?: TraceSpan;
}

export class ResilientExecutor {
  constructor(
    private readonly runner: RunnerDeps,
    private readonly requestTimeoutMs: number,
  ) {}

  async complete(steps: readonly RouteStep[], command: ChatCompletionCommand, context: ExecutionContext): Promise<ChatCompletionResult> {
    const scope = this.openScope(context.signal);
    try {
      const run = await runWithFallback(steps, this.runner, this.runContext(context, scope), (deployment, signal, _attempts, traceparent) =>
        deployment.keyed.provider.complete({ ...command, model: deployment.upstreamModel }, callOptions(signal, context, traceparent)),
      );
      run.ticket.succeed();
      return toResult(run.value, run.deployment, run.attempts);
    } finally {
      scope.dispose();
    }
  }

  /**
   * Yields chunks until the finish chunk. A failure is thrown: before the first chunk it means no
   * token reached the client; after it, the stream was cut and the client must be told so.
   */
  stream(steps: readonly RouteStep[], command: ChatCompletionCommand, context: ExecutionContext): Flow<ChatChunk> {
    return this.streamAlong(steps, context, this.openChunks.bind(this, command, context));
  }

  /** One attempt's chunks from one deployment. */
  private openChunks(command: ChatCompletionCommand, context: ExecutionContext, deployment: Deployment, signal: AbortSignal, attempts: number, traceparent: string | undefined): Flow<ChatChunk> {
    return partsToChunks(deployment.keyed.provider.stream({ ...command, model: deployment.upstreamModel }, callOptions(signal, context, traceparent)), {
      provider: deployment.provider,
      deployment: deployment.id,
      requestedModel: deployment.upstreamModel,
      attempts,
      cacheStatus: 'BYPASS',
      includeUsageChunk: context.includeUsageChunk === true,
      now: this.runner.now,
      idPrefix: 'chatcmpl',
    });
  }

  /** A passed-through request along the route, streamed: events pass through, tagged with what served them. */
  streamPassThrough(steps: readonly RouteStep[], command: PassThroughCommand, context: ExecutionContext): Flow<PassThroughChunk & { served: ServedBy }> {
    return this.streamAlong(steps, context, (deployment, signal, attempts, traceparent) =>
      servedChunks(endpointFor(deployment, command).stream({ ...command, model: deployment.upstreamModel }, callOptions(signal, context, traceparent)), { provider: deployment.provider, deployment: deployment.id, attempts }),
    );
  }

  /** A passed-through request along the route, whole. */
  async completePassThrough(steps: readonly RouteStep[], command: PassThroughCommand, context: ExecutionContext): Promise<PassThroughResponse & { served: ServedBy }> {
    const scope = this.openScope(context.signal);
    try {
      const run = await runWithFallback(steps, this.runner, this.runContext(context, scope), (deployment, signal, _attempts, traceparent) =>
        endpointFor(deployment, command).complete({ ...command, model: deployment.upstreamModel }, callOptions(signal, context, traceparent)),
      );
      run.ticket.succeed();
      return { ...run.value, served: { provider: run.deployment.provider, deployment: run.deployment.id, attempts: run.attempts } };
    } finally {
      scope.dispose();
    }
  }

  /**
   * A stream's items along the route. A failure before the first item falls back; after it, the
   * stream was cut and the failure is thrown to the consumer (or told to its sink).
   */
  private streamAlong<T>(steps: readonly RouteStep[], context: ExecutionContext, open: OpenAttempt<T>): Flow<T> {
    return new LazyFlow(this.openAlong.bind(this, steps, context, open) as () => Promise<Flow<T>>);
  }

  private async openAlong<T>(steps: readonly RouteStep[], context: ExecutionContext, open: OpenAttempt<T>): Promise<Flow<T>> {
    const scope = this.openScope(context.signal);
    const started = performance.now();
    let run: RunSuccess<FirstItem<T>>;
    try {
      run = await runWithFallback(steps, this.runner, this.runContext(context, scope), firstItemOf.bind(undefined, open) as Attempt<FirstItem<T>>);
    } catch (error) {
      scope.dispose();
      throw error;
    }
    const { first, chunks } = run.value;
    const { deployment, ticket } = run;
    this.runner.metrics?.observeFirstToken(deployment.provider, deployment.upstreamModel, (performance.now() - started) / 1000);
    // A probe is decided by its first token, so the breaker is not half-open for a whole answer.
    if (ticket.probe) ticket.succeed();
    return watchFlow(chunks, new ServedStreamWatch<T>(this.runner, deployment, ticket, scope, this.runner.balancer.begin(deployment)), [first]);
  }

  private runContext(context: ExecutionContext, scope: RequestScope): RunContext {
    // One shape for every request (absent fields undefined), not spreads that vary it.
    return { requestId: context.requestId, signal: scope.signal, deadlineAt: scope.deadlineAt, span: context.span, report: context.report };
  }

  /** Embeddings along the route: the same retries, breakers, fallback and deadline as chat. */
  async embed(steps: readonly RouteStep[], command: EmbeddingsCommand, context: ExecutionContext): Promise<EmbeddingsResult> {
    const scope = this.openScope(context.signal);
    try {
      const run = await runWithFallback(steps, this.runner, this.runContext(context, scope), (deployment, signal, _attempts, traceparent) => {
        const provider = deployment.keyed.provider;
        if (provider.embed === undefined) throw new GatewayError('model_not_found', `Provider ${provider.id} serves no embeddings.`, { provider: provider.id, param: 'model' });
        return provider.embed({ ...command, model: deployment.upstreamModel }, callOptions(signal, context, traceparent));
      });
      run.ticket.succeed();
      const { deployment } = run;
      return { ...run.value, id: `emb-${this.runner.now()}`, model: run.value.model || deployment.upstreamModel, provider: deployment.provider, deployment: deployment.id, attempts: run.attempts, cacheStatus: 'BYPASS' };
    } finally {
      scope.dispose();
    }
  }

  private openScope(callerSignal: AbortSignal): RequestScope {
    return new RequestScope(callerSignal, this.runner.now() + this.requestTimeoutMs, this.requestTimeoutMs);
  }
}

/**
 * A stream's first item from one attempt: until it arrives a failure may still fall back. A
 * function bound per stream rather than a closure, like the classes below: V8 keeps a closure's
 * optimized code only while a closure that ran it is alive, and most instances of a
 * once-per-stream closure have not run yet, so its body was compiled again after every full
 * collection (bench/README.md, "Eleventh pass").
 */
async function firstItemOf<T>(open: OpenAttempt<T>, deployment: Deployment, signal: AbortSignal, attempts: number, traceparent: string | undefined): Promise<FirstItem<T>> {
  const chunks = open(deployment, signal, attempts, traceparent);
  const first = await chunks.next();
  if (first.done === true) throw new GatewayError('upstream_stream_truncated', `Provider ${deployment.provider} sent an empty stream.`);
  return { first: first.value, chunks };
}

/** How a served stream's end settles its deployment's ticket, in-flight count and scope. */
class ServedStreamWatch<T> implements Watcher<T> {
  constructor(
    private readonly runner: RunnerDeps,
    private readonly deployment: Deployment,
    private readonly ticket: DeploymentTicket,
    private readonly scope: RequestScope,
    /** Ends the call's in-flight count (least-busy routing). */
    private readonly endCall: () => void,
  ) {}

  end(): void {
    this.ticket.succeed();
    this.runner.runtime.recordSuccess(this.deployment.provider);
  }

  fail(error: unknown): unknown {
    const { runner, deployment, ticket, scope } = this;
    if (ticket.probe && !scope.signal.aborted) runner.health.breakers.recordLateFailure(deployment, error);
    return settleFailure(runner, deployment, ticket, error, scope.signal);
  }

  /** Reached early when the consumer stops: the client left, which is not the provider's fault. */
  settle(): void {
    this.endCall();
    this.ticket.abandon();
    this.scope.dispose();
  }
}

/** Aborts on the caller's signal or at the request deadline, whichever comes first. */
class RequestScope {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly callerSignal: AbortSignal,
    readonly deadlineAt: number,
    timeoutMs: number,
  ) {
    if (callerSignal.aborted) this.handleEvent();
    else callerSignal.addEventListener('abort', this, { once: true });
    this.timer = setTimeout(expire, timeoutMs, this.controller, timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The caller's signal aborted (an EventTarget listener object: no closure per request). */
  handleEvent(): void {
    this.controller.abort(this.callerSignal.reason);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal.removeEventListener('abort', this);
  }
}

function expire(controller: AbortController, timeoutMs: number): void {
  controller.abort(new GatewayError('upstream_timeout', `The request did not finish within REQUEST_TIMEOUT_MS (${timeoutMs} ms).`));
}
