/**
 * The referral endpoints (docs/partner-api.md §3): list, get, create, full replace (PUT) and JSON Patch.
 * Transport-free: takes a parsed request, returns a status, JSON body and headers, or throws
 * `ApiError`. Auth, faults and HTTP plumbing live in emulatorServer.ts.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, preconditionFailed } from './apiError.ts';
import { type Caller, canRead } from './caller.ts';
import { prepareRegistrationPatch } from './dealRegistrations.ts';
import { isObject } from './json.ts';
import { applyJsonPatch, JsonPatchError, parsePointer } from './jsonPatch.ts';
import { encodeQueryValue, listPage } from './listPage.ts';
import { EMULATOR_ORGANIZATION } from './organization.ts';
import type { Referral, ReferralStore } from './store.ts';
import { formatTimestamp, nowTimestamp } from './timestamp.ts';
import { judgeStatusChange, substatusesOf } from './transitions.ts';

export interface RouteRequest {
  readonly method: string;
  /** The referral id, or `undefined` for the collection. */
  readonly id: string | undefined;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly caller: Caller;
  readonly store: ReferralStore;
  /** `http://host:port/v1.0` */
  readonly baseUrl: string;
}

export interface RouteResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** Owned by the service: a client write never changes them (docs/partner-api.md §0.3, §5.1 "RO"). */
const SERVER_OWNED = ['id', 'engagementId', 'organizationId', 'organizationName', 'createdDateTime'] as const;
/** Response metadata a client may echo back; ignored on writes (§0.2: remove `links` from a PUT). */
const RESPONSE_ONLY = ['links', '@odata.context'] as const;
/** Set by the store on every write; a body's values are overwritten in place. */
const VERSION_FIELDS = ['eTag', 'updatedDateTime'] as const;

const DAY = 24 * 60 * 60 * 1000;

function collectionUrl(baseUrl: string): string {
  return `${baseUrl}/engagements/referrals`;
}

/** `links` as the docs show them (§3.6): self, and related referrals by engagementId. */
function withLinks(referral: Referral, baseUrl: string): Referral {
  const { links: _ignored, '@odata.context': _context, ...rest } = referral;
  const engagementId = referral.engagementId;
  const related =
    typeof engagementId === 'string'
      ? `engagementId eq '${engagementId.replaceAll("'", "''")}'`
      : 'engagementId eq null';
  return {
    ...rest,
    links: {
      self: { uri: `${collectionUrl(baseUrl)}/${encodeURIComponent(String(referral.id))}`, method: 'GET' },
      relatedReferrals: {
        uri: `${collectionUrl(baseUrl)}?$filter=${encodeQueryValue(related)}`,
        method: 'GET',
      },
    },
  };
}

function entity(
  status: number,
  referral: Referral,
  baseUrl: string,
  headers: Record<string, string> = {},
): RouteResponse {
  return {
    status,
    body: {
      '@odata.context': `${collectionUrl(baseUrl)}/$metadata#Referrals/$entity`,
      ...withLinks(referral, baseUrl),
    },
    headers: typeof referral.eTag === 'string' ? { etag: referral.eTag, ...headers } : headers,
  };
}

function requireAdmin(caller: Caller): void {
  if (caller.role !== 'admin') {
    throw new ApiError(
      403,
      'accessDenied',
      'A Referral User may read referrals but not create or change them.',
    );
  }
}

function findReadable(request: RouteRequest, id: string): Referral {
  const referral = request.store.get(id);
  // A Referral User gets 404, not 403, for a referral they are not on: its existence is not theirs to know.
  if (referral === undefined || !canRead(request.caller, referral)) {
    throw new ApiError(404, 'itemNotFound', `Referral ${id} was not found.`);
  }
  return referral;
}

/**
 * Strong, exact comparison with the stored tag, quotes included (§7). `*` is not honoured: the
 * docs never mention it, and a gateway that means "whatever is there" must prove it read the
 * current version by sending the real tag.
 */
function checkIfMatch(ifMatch: string | undefined, current: Referral): void {
  if (ifMatch !== undefined && ifMatch !== current.eTag) throw preconditionFailed();
}

function describePair(status: unknown, substatus: unknown): string {
  return `${JSON.stringify(status ?? null)}/${JSON.stringify(substatus ?? null)}`;
}

/** The transition table check (§6), only when status or substatus actually change. */
function checkStatusChange(current: Referral, next: Referral): void {
  if (next.status === current.status && next.substatus === current.substatus) return;
  const check = judgeStatusChange(current.status, next.status, next.substatus);
  if (!check.ok) {
    throw new ApiError(
      400,
      'invalidRequest',
      `Status transition from ${describePair(current.status, current.substatus)} to ${describePair(next.status, next.substatus)} is not allowed (${check.reason}); allowed statuses: [${check.allowedStatuses.join(', ')}], allowed substatuses: [${check.allowedSubstatuses.join(', ')}].`,
      { target: 'status' },
    );
  }
}

function list(request: RouteRequest): RouteResponse {
  // The page is chosen from the stored items themselves and only its items are cloned (store.ts).
  const visible = request.store.forReading().filter((r) => canRead(request.caller, r));
  const page = listPage(visible, request.query);
  return {
    status: 200,
    body: {
      '@odata.context': `${request.baseUrl}/$metadata#Referrals`,
      '@odata.count': page.items.length,
      value: page.items.map((r) => withLinks(structuredClone(r), request.baseUrl)),
      ...(page.nextQuery === undefined
        ? {}
        : { '@odata.nextLink': `${collectionUrl(request.baseUrl)}?${page.nextQuery}` }),
    },
  };
}

function create(request: RouteRequest): RouteResponse {
  requireAdmin(request.caller);
  const body = request.body;
  if (!isObject(body)) throw new ApiError(400, 'invalidRequest', 'The request body must be a JSON object.');
  const missing = ['type', 'customerProfile', 'consent', 'details'].filter(
    (f) => body[f] === undefined || body[f] === null,
  );
  if (missing.length > 0) {
    throw new ApiError(400, 'invalidRequest', `Required field(s) missing: ${missing.join(', ')}.`, {
      target: missing[0],
    });
  }
  const status = body.status ?? 'New';
  const substatus = body.substatus ?? substatusesOf(status)[0];
  if (!substatusesOf(status).some((s) => s === substatus)) {
    throw new ApiError(
      400,
      'invalidRequest',
      `A referral cannot be created as ${describePair(status, substatus)}.`,
      {
        target: 'status',
      },
    );
  }
  const now = nowTimestamp();
  const engagementId =
    typeof body.engagementId === 'string' && body.engagementId !== '' ? body.engagementId : randomUUID();
  const rest = Object.fromEntries(
    Object.entries(body).filter(([key]) => !(RESPONSE_ONLY as readonly string[]).includes(key)),
  );
  const referral: Referral = {
    ...rest,
    id: randomUUID(),
    // §3.3: a client may link a second shared referral to an existing engagement.
    engagementId,
    organizationId: EMULATOR_ORGANIZATION.id,
    organizationName: EMULATOR_ORGANIZATION.name,
    createdDateTime: now,
    updatedDateTime: now,
    // §6: an unanswered new referral expires after 14 days.
    expirationDateTime: status === 'New' ? formatTimestamp(Date.now() + 14 * DAY) : null,
    status,
    substatus,
  };
  const stored = request.store.insert(referral);
  return entity(201, stored, request.baseUrl, {
    location: `${collectionUrl(request.baseUrl)}/${encodeURIComponent(String(stored.id))}`,
  });
}

function replace(request: RouteRequest, id: string): RouteResponse {
  requireAdmin(request.caller);
  const current = findReadable(request, id);
  // §7 leaves a PUT without If-Match undocumented; we answer 428 so a gateway that forgets it fails loudly.
  const ifMatch = request.headers['if-match'];
  if (ifMatch === undefined) {
    throw new ApiError(
      428,
      'preconditionRequired',
      'A PUT must carry an If-Match header with the referral eTag.',
      {
        target: 'ETag',
      },
    );
  }
  checkIfMatch(ifMatch, current);
  const body = request.body;
  if (!isObject(body)) throw new ApiError(400, 'invalidRequest', 'The request body must be a JSON object.');
  // Spreading keeps the body's key order; server-owned values are then forced back to the stored ones.
  const next: Referral = Object.fromEntries(
    Object.entries(body).filter(([key]) => !(RESPONSE_ONLY as readonly string[]).includes(key)),
  );
  for (const key of SERVER_OWNED) {
    if (Object.hasOwn(current, key)) next[key] = current[key];
    else delete next[key];
  }
  checkStatusChange(current, next);
  return entity(200, request.store.write(next), request.baseUrl);
}

const PATCH_READ_ONLY = new Set<string>([...SERVER_OWNED, ...RESPONSE_ONLY, ...VERSION_FIELDS]);

function patch(request: RouteRequest, id: string): RouteResponse {
  requireAdmin(request.caller);
  const current = findReadable(request, id);
  // §3.5: If-Match is optional on PATCH; without it there is no concurrency check.
  checkIfMatch(request.headers['if-match'], current);
  let next: Referral;
  try {
    const ops = Array.isArray(request.body) ? request.body : undefined;
    for (const op of ops ?? []) {
      const first = isObject(op) && typeof op.path === 'string' ? parsePointer(op.path)[0] : undefined;
      if (first !== undefined && PATCH_READ_ONLY.has(first))
        throw new JsonPatchError(`/${first} is read-only`);
    }
    // Deal registrations: only the connector's paths; a new one is completed by the service.
    const registrations = prepareRegistrationPatch(current, request.body);
    const result = applyJsonPatch(registrations.document, registrations.operations);
    if (!isObject(result)) throw new JsonPatchError('the patched referral must stay a JSON object');
    next = registrations.finish(result);
  } catch (error) {
    if (error instanceof JsonPatchError) throw new ApiError(400, 'invalidRequest', error.message);
    throw error;
  }
  // §3.5: the docs' example sends dealValue as the string "10000", so the service evidently coerces it.
  const details = next.details;
  if (
    isObject(details) &&
    typeof details.dealValue === 'string' &&
    /^-?\d+(\.\d+)?$/.test(details.dealValue)
  ) {
    details.dealValue = Number(details.dealValue);
  }
  checkStatusChange(current, next);
  const stored = request.store.write(next);
  const prefer = request.headers.prefer ?? '';
  if (/(^|[,;\s])return=representation(\s*($|[,;]))/i.test(prefer)) {
    return entity(200, stored, request.baseUrl, { 'preference-applied': 'return=representation' });
  }
  return { status: 204, headers: { etag: String(stored.eTag) } };
}

/** Dispatches a request already routed to the referrals collection (`id` undefined) or one referral. */
export function handleReferralRequest(request: RouteRequest): RouteResponse {
  const { id, method } = request;
  if (id === undefined) {
    if (method === 'GET') return list(request);
    if (method === 'POST') return create(request);
    throw methodNotAllowed('GET, POST');
  }
  if (method === 'GET') return entity(200, findReadable(request, id), request.baseUrl);
  if (method === 'PUT') return replace(request, id);
  if (method === 'PATCH') return patch(request, id);
  throw methodNotAllowed('GET, PUT, PATCH');
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'methodNotAllowed', `Method not allowed; use ${allow}.`, { headers: { allow } });
}
