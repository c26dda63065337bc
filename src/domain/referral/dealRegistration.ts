/**
 * Deal registrations on a referral (docs/partner-api.md §3.5, §5.3): what a caller's input must
 * satisfy, and which JSON Patch it becomes, decided before anything is written.
 *
 * The Partner API's connector defines exactly two writes (S6 `CreateDealRegistrationByReferralId`,
 * `PatchDealRegistrationByReferralId`):
 *
 * - create: one `add` on `/registrations/-` whose value is `{type, solutionDetails[], contract{…}}`;
 *   the service sets the new registration's id, registration time and status;
 * - change: `replace` (or `add`) on `/registrations/{i}/contract/{startDateTime|endDateTime|
 *   signDateTime|term|value}` and `/registrations/{i}/solutionDetails/{j}/{value|currency|
 *   isDeployedOnAzure|primaryDeploymentOn|pricingModel|marketplaceTransactionDetails/
 *   {isMarketplaceTransacted|marketplaceTransactionDateTime}}`. The connector lists these for
 *   index 0; any index is taken to work the same (inferred).
 *
 * So a change only ever touches those leaves: one whose parent object is missing cannot be made
 * with them and is refused, not sent under another path. Inputs are in wire form (enum values are
 * the Partner API's PascalCase strings). Pure: no I/O, no GraphQL; inputs never mutated.
 */
import { isDeepStrictEqual } from 'node:util';
import { isJsonObject } from '../json.ts';
import { checkInputLimits } from './inputLimits.ts';
import { type JsonObject, RESPONSE_ONLY_FIELDS } from './merge.ts';
import type { JsonPatchOperation } from './patchPlan.ts';
import type { Reconciliation } from './reconcile.ts';
import { type FieldError, isIsoCurrency, isUtcDateTime } from './validation.ts';

type Text = string | null;
type Flag = boolean | null;
type Amount = number | null;

export type MarketplaceTransactionDraft = {
  readonly isMarketplaceTransacted?: Flag;
  readonly marketplaceTransactionDateTime?: Text;
};

export type RegistrationContractDraft = {
  readonly value?: Amount;
  readonly currency?: Text;
  readonly startDateTime?: Text;
  readonly endDateTime?: Text;
  readonly signDateTime?: Text;
  readonly term?: Text;
};

export type RegistrationSolutionDraft = {
  readonly id: string;
  readonly value?: Amount;
  readonly currency?: Text;
  readonly isDeployedOnAzure?: Flag;
  readonly primaryDeploymentOn?: Text;
  readonly pricingModel?: Text;
  readonly marketplaceTransactionDetails?: MarketplaceTransactionDraft | null;
};

/** A new deal registration, as the caller gives it. */
export type DealRegistrationDraft = {
  readonly type?: Text;
  readonly contract: RegistrationContractDraft;
  readonly solutionDetails: readonly RegistrationSolutionDraft[];
};

/** The contract's documented patchable fields: its currency is not one of them. */
export type RegistrationContractChanges = Omit<RegistrationContractDraft, 'currency'>;

/** Changes to one solution of a registration, which `id` names. */
export type RegistrationSolutionChanges = RegistrationSolutionDraft;

export type DealRegistrationChanges = {
  readonly contract?: RegistrationContractChanges | null;
  readonly solutionDetails?: readonly RegistrationSolutionChanges[] | null;
};

/** The only registration type the connector defines (§5.3). */
export const DEFAULT_REGISTRATION_TYPE = 'AzureIPCoSell';

const CONTRACT_FIELDS = ['value', 'startDateTime', 'endDateTime', 'signDateTime', 'term'] as const;
const SOLUTION_FIELDS = [
  'value',
  'currency',
  'isDeployedOnAzure',
  'primaryDeploymentOn',
  'pricingModel',
] as const;
const MARKETPLACE_FIELDS = ['isMarketplaceTransacted', 'marketplaceTransactionDateTime'] as const;

// ---------------------------------------------------------------------------------------------
// Input rules, checked before any call.

function problem(path: readonly string[], code: FieldError['code'], message: string): FieldError {
  return { path: [...path], code, message };
}

function checkAmount(value: unknown, path: string[], out: FieldError[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    out.push(problem(path, 'INVALID_AMOUNT', 'must be a finite number, zero or more'));
  }
}

function checkCurrency(value: unknown, path: string[], out: FieldError[]): void {
  if (typeof value === 'string' && !isIsoCurrency(value)) {
    out.push(problem(path, 'INVALID_CURRENCY', 'must be an ISO 4217 currency code such as USD'));
  }
}

function checkDateTime(value: unknown, path: string[], out: FieldError[]): void {
  if (typeof value === 'string' && !isUtcDateTime(value)) {
    out.push(
      problem(path, 'INVALID_DATE_TIME', 'must be a UTC date-time such as 2025-06-30T00:00:00.0000000Z'),
    );
  }
}

/** ISO 8601 UTC strings of one shape compare as instants once their fractions are aligned. */
function instant(value: unknown): number | null {
  return typeof value === 'string' && isUtcDateTime(value) ? Date.parse(value) : null;
}

function checkPeriod(start: unknown, end: unknown, path: string[], out: FieldError[]): void {
  const from = instant(start);
  const to = instant(end);
  if (from !== null && to !== null && to < from) {
    out.push(problem(path, 'INVALID', 'must not be before the contract’s startDateTime'));
  }
}

function checkContract(contract: RegistrationContractDraft, out: FieldError[]): void {
  checkAmount(contract.value, ['contract', 'value'], out);
  checkCurrency(contract.currency, ['contract', 'currency'], out);
  for (const field of ['startDateTime', 'endDateTime', 'signDateTime'] as const) {
    checkDateTime(contract[field], ['contract', field], out);
  }
  checkPeriod(contract.startDateTime, contract.endDateTime, ['contract', 'endDateTime'], out);
}

function checkSolutions(solutions: readonly RegistrationSolutionDraft[], out: FieldError[]): void {
  const seen = new Set<string>();
  solutions.forEach((solution, index) => {
    const at = ['solutionDetails', String(index)];
    if (solution.id.trim() === '') out.push(problem([...at, 'id'], 'REQUIRED', 'must not be empty'));
    else if (seen.has(solution.id)) out.push(problem([...at, 'id'], 'INVALID', 'is given twice'));
    seen.add(solution.id);
    checkAmount(solution.value, [...at, 'value'], out);
    checkCurrency(solution.currency, [...at, 'currency'], out);
    checkDateTime(
      solution.marketplaceTransactionDetails?.marketplaceTransactionDateTime,
      [...at, 'marketplaceTransactionDetails', 'marketplaceTransactionDateTime'],
      out,
    );
  });
}

/** Every problem of a new registration, paths relative to the input; size bounds first. */
export function validateDealRegistration(draft: DealRegistrationDraft): FieldError[] {
  const oversized = checkInputLimits(draft);
  if (oversized.length > 0) return oversized;
  const out: FieldError[] = [];
  if (draft.solutionDetails.length === 0) {
    out.push(problem(['solutionDetails'], 'REQUIRED', 'must name at least one solution'));
  }
  checkSolutions(draft.solutionDetails, out);
  checkContract(draft.contract, out);
  return out;
}

/** Every problem of a change that the input alone shows, paths relative to the input. */
export function validateDealRegistrationChanges(changes: DealRegistrationChanges): FieldError[] {
  const oversized = checkInputLimits(changes);
  if (oversized.length > 0) return oversized;
  const out: FieldError[] = [];
  // A whole object cannot be removed with the documented paths, only its fields cleared.
  if (changes.contract === null) out.push(problem(['contract'], 'INVALID', 'cannot be removed'));
  else if (changes.contract !== undefined) checkContract(changes.contract, out);
  if (changes.solutionDetails === null)
    out.push(problem(['solutionDetails'], 'INVALID', 'cannot be removed'));
  else if (changes.solutionDetails !== undefined) {
    checkSolutions(changes.solutionDetails, out);
    changes.solutionDetails.forEach((solution, index) => {
      if (solution.marketplaceTransactionDetails === null) {
        out.push(
          problem(
            ['solutionDetails', String(index), 'marketplaceTransactionDetails'],
            'INVALID',
            'cannot be removed',
          ),
        );
      }
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plans, decided on the referral as just read.

export type RegistrationPlan =
  | { readonly kind: 'stale' }
  | { readonly kind: 'registrationNotFound' }
  | { readonly kind: 'invalid'; readonly fieldErrors: readonly FieldError[] }
  /** Nothing differs from the current values: no write. */
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'write';
      readonly patch: readonly JsonPatchOperation[];
      /** The referral as it must be after the write, as far as the caller decides it. */
      readonly body: JsonObject;
      /** After an ambiguous write: what a fresh read says about it. */
      readonly judge: (now: Readonly<JsonObject>) => Reconciliation;
      /** The registration the write created or changed, in the referral after it. */
      readonly locate: (after: Readonly<JsonObject>) => unknown;
    };

/** A create has no registration to find and always changes something. */
export type CreateRegistrationPlan = Extract<RegistrationPlan, { readonly kind: 'stale' | 'write' }>;

/** JSON values without `undefined` members (an absent input field is not sent). */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = defined(item);
    return out;
  }
  return value;
}

function withoutResponseFields(referral: Readonly<JsonObject>): JsonObject {
  // A plain recursive copy (not structuredClone, whose objects may come from another realm and
  // then fail isJsonObject's prototype check, as under jest's VM modules).
  const body = defined(referral) as JsonObject;
  for (const field of RESPONSE_ONLY_FIELDS) delete body[field];
  return body;
}

function registrationsOf(referral: Readonly<JsonObject>): readonly unknown[] {
  return Array.isArray(referral.registrations) ? referral.registrations : [];
}

function idOf(item: unknown): unknown {
  return isJsonObject(item) ? item.id : undefined;
}

/** Whether `actual` carries every value of `expected` (the service may add members of its own). */
function carries(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => carries(actual[index], item))
    );
  }
  if (isJsonObject(expected)) {
    return (
      isJsonObject(actual) && Object.entries(expected).every(([key, item]) => carries(actual[key], item))
    );
  }
  return isDeepStrictEqual(actual, expected);
}

/**
 * Create: append the registration. The service completes it (id, registration time, status), so
 * after an ambiguous write ours is a registration that was not there before and carries every
 * value we sent; finding one means it landed, whatever else changed meanwhile, because sending it
 * again would register the deal twice.
 */
export function planCreateRegistration(
  current: Readonly<JsonObject>,
  draft: DealRegistrationDraft,
  etag: string,
): CreateRegistrationPlan {
  if (current.eTag !== etag) return { kind: 'stale' };
  const value = defined({
    type: draft.type ?? DEFAULT_REGISTRATION_TYPE,
    solutionDetails: draft.solutionDetails,
    contract: draft.contract,
  });
  const before = registrationsOf(current);
  const beforeIds = new Set<unknown>(before.map(idOf).filter((id) => id !== undefined && id !== null));
  const body = withoutResponseFields(current);
  body.registrations = [...before, value];
  const created = (after: Readonly<JsonObject>): unknown =>
    registrationsOf(after).findLast((item) => !beforeIds.has(idOf(item)) && carries(item, value));
  return {
    kind: 'write',
    patch: [{ op: 'add', path: '/registrations/-', value }],
    body,
    judge: (now) =>
      now.eTag === etag ? 'notApplied' : created(now) !== undefined ? 'applied' : 'changedByOthers',
    locate: created,
  };
}

/** RFC 6901: `~` and `/` inside a token are escaped. */
function pointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The value at a JSON Pointer of `pointer()`'s making, or `undefined` where there is none. */
function valueAt(document: unknown, path: string): unknown {
  let at: unknown = document;
  for (const raw of path.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(at) && /^\d+$/.test(token)) at = at[Number(token)];
    else if (isJsonObject(at) && Object.hasOwn(at, token)) at = at[token];
    else return undefined;
  }
  return at;
}

/**
 * Change: one op per given field whose value differs from the current one, at its documented
 * path; `replace` where the field exists, `add` where its object lacks it (RFC 6902 §4.3).
 */
export function planChangeRegistration(
  current: Readonly<JsonObject>,
  registrationId: string,
  changes: DealRegistrationChanges,
  etag: string,
): RegistrationPlan {
  if (current.eTag !== etag) return { kind: 'stale' };
  const registrations = registrationsOf(current);
  const index = registrations.findIndex((item) => idOf(item) === registrationId);
  const registration = registrations[index];
  if (!isJsonObject(registration)) return { kind: 'registrationNotFound' };

  const body = withoutResponseFields(current);
  const target = (body.registrations as unknown[])[index] as JsonObject;
  const patch: JsonPatchOperation[] = [];
  const fieldErrors: FieldError[] = [];

  /** Sets `fields` of `changed` into `parent` (the body's copy), recording an op per difference. */
  const apply = (
    parent: unknown,
    changed: Readonly<Record<string, unknown>>,
    fields: readonly string[],
    at: readonly (string | number)[],
    inputPath: readonly string[],
  ): void => {
    const given = fields.filter((field) => changed[field] !== undefined);
    if (given.length === 0) return;
    if (!isJsonObject(parent)) {
      fieldErrors.push(
        problem(inputPath, 'INVALID', 'cannot be changed: the registration has no such object to change'),
      );
      return;
    }
    for (const field of given) {
      const value = changed[field];
      if (Object.hasOwn(parent, field) && isDeepStrictEqual(parent[field], value)) continue;
      patch.push({
        op: Object.hasOwn(parent, field) ? 'replace' : 'add',
        path: pointer([...at, field]),
        value,
      });
      parent[field] = value;
    }
  };

  const base = ['registrations', index] as const;
  if (changes.contract) {
    apply(target.contract, changes.contract, CONTRACT_FIELDS, [...base, 'contract'], ['contract']);
    if (isJsonObject(target.contract)) {
      checkPeriod(
        target.contract.startDateTime,
        target.contract.endDateTime,
        ['contract', 'endDateTime'],
        fieldErrors,
      );
    }
  }
  const solutions = Array.isArray(target.solutionDetails) ? target.solutionDetails : [];
  (changes.solutionDetails ?? []).forEach((change, k) => {
    const inputPath = ['solutionDetails', String(k)];
    const j = solutions.findIndex((item) => idOf(item) === change.id);
    if (j < 0) {
      fieldErrors.push(
        problem([...inputPath, 'id'], 'INVALID', 'the registration has no solution with this id'),
      );
      return;
    }
    const solution = solutions[j];
    const at = [...base, 'solutionDetails', j] as const;
    apply(solution, change, SOLUTION_FIELDS, at, inputPath);
    if (change.marketplaceTransactionDetails) {
      apply(
        isJsonObject(solution) ? solution.marketplaceTransactionDetails : undefined,
        change.marketplaceTransactionDetails,
        MARKETPLACE_FIELDS,
        [...at, 'marketplaceTransactionDetails'],
        [...inputPath, 'marketplaceTransactionDetails'],
      );
    }
  });

  if (fieldErrors.length > 0) return { kind: 'invalid', fieldErrors };
  if (patch.length === 0) return { kind: 'unchanged' };

  const locate = (after: Readonly<JsonObject>): unknown =>
    registrationsOf(after).find((item) => idOf(item) === registrationId);
  return {
    kind: 'write',
    patch,
    body,
    // Our values at our paths mean our write landed; writing them again would change nothing,
    // so a concurrent change elsewhere does not matter.
    judge: (now) => {
      if (now.eTag === etag) return 'notApplied';
      return patch.every((op) => isDeepStrictEqual(valueAt(now, op.path), op.value))
        ? 'applied'
        : 'changedByOthers';
    },
    locate,
  };
}
