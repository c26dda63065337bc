/**
 * Deal registrations in a JSON Patch (docs/partner-api.md §3.5, §5.3): the connector's two
 * operations, `add` on `/registrations/-` (create) and `replace`/`add` on the documented
 * `/registrations/{i}/contract/…` and `/registrations/{i}/solutionDetails/{j}/…` leaves (change).
 * Any other path under `/registrations` is refused: the connector marks `registrations` read-only
 * and documents nothing else.
 *
 * Where the docs are silent, the emulator's choices (documented in §3.5):
 * - a new registration gets a server `id` (a GUID), `registrationDateTime` = now, `status`
 *   `ReviewPending` (the status seen live on fresh registrations, §5.3) with
 *   `statusHistory.reviewPendingDateTime` = now and `statusReason` null; values a client sends for
 *   these are replaced. Its `type` defaults to `AzureIPCoSell`, the only type the connector
 *   defines; another type is refused. The referral's `registrationStatus` becomes `ReviewPending`;
 * - a referral without a `registrations` list takes `/registrations/-` as its first one;
 * - any referral is eligible (the connector says "eligible referral" without saying which).
 */
import { randomUUID } from 'node:crypto';
import { isObject } from './json.ts';
import { JsonPatchError, parsePointer } from './jsonPatch.ts';
import type { Referral } from './store.ts';
import { nowTimestamp } from './timestamp.ts';

const REGISTRATION_TYPES: ReadonlySet<string> = new Set(['AzureIPCoSell']);

/** The documented change paths, with any index where the connector shows `0`. */
const CHANGE_PATHS: readonly RegExp[] = [
  /^\/registrations\/\d+\/contract\/(startDateTime|endDateTime|signDateTime|term|value)$/,
  /^\/registrations\/\d+\/solutionDetails\/\d+\/(value|currency|isDeployedOnAzure|primaryDeploymentOn|pricingModel)$/,
  /^\/registrations\/\d+\/solutionDetails\/\d+\/marketplaceTransactionDetails\/(isMarketplaceTransacted|marketplaceTransactionDateTime)$/,
];

const CREATE_PATH = '/registrations/-';

export interface RegistrationPatch {
  /** The document to apply the operations to (with a `registrations` list when one is created). */
  readonly document: Referral;
  /** The operations, a created registration completed with the service's fields. */
  readonly operations: unknown;
  /** The patched referral, with what the service sets after a registration is created. */
  finish(patched: Referral): Referral;
}

function isRegistrationPath(path: unknown): path is string {
  return typeof path === 'string' && parsePointer(path)[0] === 'registrations';
}

function completeRegistration(value: unknown, now: string): Referral {
  if (!isObject(value)) throw new JsonPatchError(`${CREATE_PATH}: the registration must be a JSON object`);
  const type = value.type ?? 'AzureIPCoSell';
  if (typeof type !== 'string' || !REGISTRATION_TYPES.has(type)) {
    throw new JsonPatchError(`${CREATE_PATH}: registration type ${JSON.stringify(type)} is not supported`);
  }
  return {
    ...value,
    id: randomUUID(),
    type,
    registrationDateTime: now,
    status: 'ReviewPending',
    statusReason: null,
    statusHistory: {
      reviewPendingDateTime: now,
      actionRequiredDateTime: null,
      passedDateTime: null,
      failedDateTime: null,
      approvedDateTime: null,
    },
  };
}

/** Checks and completes the registration operations of a JSON Patch body; other operations pass as given. */
export function prepareRegistrationPatch(current: Referral, body: unknown): RegistrationPatch {
  const unchanged: RegistrationPatch = { document: current, operations: body, finish: (patched) => patched };
  if (!Array.isArray(body) || !body.some((op) => isObject(op) && isRegistrationPath(op.path)))
    return unchanged;
  const now = nowTimestamp();
  let creates = false;
  const operations = body.map((op) => {
    if (!isObject(op) || !isRegistrationPath(op.path)) return op;
    if (op.op === 'add' && op.path === CREATE_PATH) {
      creates = true;
      return { ...op, value: completeRegistration(op.value, now) };
    }
    if (!CHANGE_PATHS.some((pattern) => pattern.test(op.path as string))) {
      throw new JsonPatchError(`${op.path} is not a patchable deal-registration path`);
    }
    return op;
  });
  const needsList = creates && !Array.isArray(current.registrations);
  return {
    document: needsList ? { ...current, registrations: [] } : current,
    operations,
    finish: (patched) => (creates ? { ...patched, registrationStatus: 'ReviewPending' } : patched),
  };
}
