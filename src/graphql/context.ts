/**
 * Per-request context: who is calling (forwarded `Authorization`), the trace id shared by every
 * upstream call of this request, its deadline and budgets, and fresh DataLoaders (a cache must
 * never outlive the request that filled it, or one caller could read another's data).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import { RequestLogger } from '../log/requestLogger.ts';
import type { IdempotencyStore } from '../services/idempotency/idempotencyStore.ts';
import type { WriteMode } from '../services/writeReferral.ts';
import { UpstreamCallBudget } from '../upstream/callBudget.ts';
import type { CallContext } from '../upstream/httpClient.ts';
import type { ReferralsApi } from '../upstream/referralsApi.ts';
import type { TraceParent } from '../upstream/upstreamTelemetry.ts';
import type { CursorCodec } from './connection.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { ResponseBudget } from './responseBudget.ts';
import type { WirePresenter } from './wirePresentation.ts';

export interface GatewayContext {
  readonly requestId: string;
  readonly call: CallContext & { readonly budget: UpstreamCallBudget };
  readonly api: ReferralsApi;
  readonly loaders: Loaders;
  readonly logger: RequestLogger;
  /** The answer's size so far (see responseBudget.ts). */
  readonly response: ResponseBudget;
  readonly cursors: CursorCodec;
  /** How updates are written (`PARTNER_API_WRITE_MODE`). */
  readonly writeMode: WriteMode;
  /** createReferral's idempotency records: shared by every request (README "Creating referrals"). */
  readonly idempotency: IdempotencyStore;
  /** What this request reports for metrics and traces (src/server/requestTelemetry.ts). */
  readonly observer: RequestObserver;
}

/** What a request reports as it runs; also the parent of its upstream spans. */
export interface RequestObserver extends TraceParent {
  /** The request's trace id, when traced: every log line of the request carries it. */
  readonly traceId: string | undefined;
  /** A mutation's root field resolved to this member of its result union (mutationResults.ts). */
  mutationResult(mutation: string, result: string): void;
}

/** Observes nothing: for contexts made outside the HTTP handler (tests, tools). */
export const NO_OBSERVER: RequestObserver = Object.freeze({
  traceContext: undefined,
  traceId: undefined,
  mutationResult() {},
});

/** What one request may spend (README "Operation limits"). */
export interface RequestBudgets {
  /** Partner API calls per GraphQL request, retries included. */
  readonly maxUpstreamCalls: number;
  /** Bytes of one GraphQL answer. */
  readonly maxResponseBytes: number;
}

export interface ContextDeps {
  readonly api: ReferralsApi;
  readonly logger: Logger;
  readonly budgets: RequestBudgets;
  readonly cursors: CursorCodec;
  readonly writeMode: WriteMode;
  readonly idempotency: IdempotencyStore;
  /** Built once from the schema (wirePresentation.ts). */
  readonly present: WirePresenter;
}

/** How long the request may run: aborted when the client goes away or the deadline passes. */
export interface RequestLifetime {
  readonly signal: AbortSignal;
  /** `Date.now()` value of the deadline (retries check it before waiting). */
  readonly deadlineAt: number;
}

/** Incoming headers, as Apollo's HeaderMap or a plain lookup. */
export interface HeaderLookup {
  get(name: string): string | undefined;
}

/** A correlation id we pass on must be a plain token: no header injection, no unbounded length. */
const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function createContext(
  deps: ContextDeps,
  headers: HeaderLookup,
  lifetime: RequestLifetime,
  requestId: string = randomUUID(),
  observer: RequestObserver = NO_OBSERVER,
): GatewayContext {
  const incoming = headers.get('ms-correlationid');
  const correlationId = incoming !== undefined && CORRELATION_ID.test(incoming) ? incoming : randomUUID();
  const call = {
    authorization: headers.get('authorization'),
    correlationId,
    signal: lifetime.signal,
    deadlineAt: lifetime.deadlineAt,
    budget: new UpstreamCallBudget(deps.budgets.maxUpstreamCalls),
    trace: observer,
  };
  return {
    requestId,
    call,
    api: deps.api,
    loaders: createLoaders(deps.api, call),
    logger: new RequestLogger(
      deps.logger,
      observer.traceId === undefined
        ? { requestId, correlationId }
        : { requestId, correlationId, traceId: observer.traceId },
    ),
    response: new ResponseBudget(deps.budgets.maxResponseBytes, deps.present),
    cursors: deps.cursors,
    writeMode: deps.writeMode,
    idempotency: deps.idempotency,
    observer,
  };
}
