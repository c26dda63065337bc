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
 * the Partner API's PascalCase strings). The service gives values back normalised (§10: trimmed
 * date-time fractions, other enum casings, decimals as strings), so "is this our value?" compares
 * by the leaf's kind (wireValues.ts), never with `===`. Pure: no I/O, no GraphQL; inputs never
 * mutated.
 */
import { z } from 'zod';
import { isJsonObject } from '../json.ts';
import { jsonPointer, valueAtPointer } from '../jsonPointer.ts';
import { checkInputLimits } from './inputLimits.ts';
import { type JsonObject, RESPONSE_ONLY_FIELDS } from './merge.ts';
import type { JsonPatchOperation } from './patchPlan.ts';
import type { Reconciliation } from './reconcile.ts';
import { type FieldError, FORMAT_RULES, fieldErrorsOf } from './validation.ts';
import { instantKey, sameWireValue, type WireValueKind } from './wireValues.ts';

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

/** How each documented leaf comes back from the service (§10), by its name. */
const LEAF_KINDS: Readonly<Record<string, WireValueKind>> = {
  value: 'amount',
  currency: 'caseless',
  term: 'caseless',
  primaryDeploymentOn: 'caseless',
  pricingModel: 'caseless',
  startDateTime: 'instant',
  endDateTime: 'instant',
  signDateTime: 'instant',
  marketplaceTransactionDateTime: 'instant',
  isDeployedOnAzure: 'exact',
  isMarketplaceTransacted: 'exact',
};

/** Whether the leaf `field` holds `ours` in `theirs`, allowing for the service's normalising. */
function sameLeaf(field: string, ours: unknown, theirs: unknown): boolean {
  return sameWireValue(LEAF_KINDS[field] ?? 'exact', ours, theirs);
}

// ---------------------------------------------------------------------------------------------
// Input rules, checked before any call.

function problem(path: readonly string[], code: FieldError['code'], message: string): FieldError {
  return { path: [...path], code, message };
}

// The update's own format rules and messages (validation.ts), on the registration's fields.
const { amount, currency, dateTime, requiredText } = FORMAT_RULES;
const contractFormats = z.object({
  value: amount,
  currency,
  startDateTime: dateTime,
  endDateTime: dateTime,
  signDateTime: dateTime,
});
const solutionFormats = z.object({
  id: requiredText,
  value: amount,
  currency,
  marketplaceTransactionDetails: z.object({ marketplaceTransactionDateTime: dateTime }).nullish(),
});

/** A UTC date-time as an instant (ms; finer fractions do not matter for a period). */
function instant(value: unknown): number | null {
  return typeof value === 'string' && instantKey(value) !== undefined ? Date.parse(value) : null;
}

function checkPeriod(start: unknown, end: unknown, path: string[], out: FieldError[]): void {
  const from = instant(start);
  const to = instant(end);
  if (from !== null && to !== null && to < from) {
    out.push(problem(path, 'INVALID', 'must not be before the contract’s startDateTime'));
  }
}

function prefixed(prefix: readonly string[], errors: readonly FieldError[]): FieldError[] {
  return errors.map((error) => ({ ...error, path: [...prefix, ...error.path] }));
}

function checkContract(contract: RegistrationContractDraft, out: FieldError[]): void {
  out.push(...prefixed(['contract'], fieldErrorsOf(contractFormats, contract)));
  checkPeriod(contract.startDateTime, contract.endDateTime, ['contract', 'endDateTime'], out);
}

function checkSolutions(solutions: readonly RegistrationSolutionDraft[], out: FieldError[]): void {
  const seen = new Set<string>();
  solutions.forEach((solution, index) => {
    const at = ['solutionDetails', String(index)];
    out.push(...prefixed(at, fieldErrorsOf(solutionFormats, solution)));
    if (solution.id.trim() !== '' && seen.has(solution.id)) {
      out.push(problem([...at, 'id'], 'INVALID', 'is given twice'));
    }
    seen.add(solution.id);
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

function solutionIds(registration: unknown): ReadonlySet<unknown> {
  const solutions = isJsonObject(registration) ? registration.solutionDetails : undefined;
  return new Set(Array.isArray(solutions) ? solutions.map(idOf) : []);
}

/**
 * Create: append the registration. The service completes it (id, registration time, status) and
 * may give our values back normalised (§10), so after an ambiguous write ours is a registration
 * whose id was not there before and that carries every solution id we sent; finding one means it
 * landed, whatever else changed meanwhile, because sending it again would register the deal twice.
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
  const ours = draft.solutionDetails.map((solution) => solution.id);
  const body = withoutResponseFields(current);
  body.registrations = [...before, value];
  const created = (after: Readonly<JsonObject>): unknown =>
    registrationsOf(after).findLast((item) => {
      const id = idOf(item);
      if (typeof id !== 'string' || id === '' || beforeIds.has(id)) return false;
      const carried = solutionIds(item);
      return ours.every((solutionId) => carried.has(solutionId));
    });
  return {
    kind: 'write',
    patch: [{ op: 'add', path: '/registrations/-', value }],
    body,
    judge: (now) =>
      now.eTag === etag ? 'notApplied' : created(now) !== undefined ? 'applied' : 'changedByOthers',
    locate: created,
  };
}

/** The registration of `referral` with this `id`, if it has one. */
export function findRegistration(referral: Readonly<JsonObject>, registrationId: string): unknown {
  return registrationsOf(referral).find((item) => idOf(item) === registrationId);
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
      if (Object.hasOwn(parent, field) && sameLeaf(field, value, parent[field])) continue;
      patch.push({
        op: Object.hasOwn(parent, field) ? 'replace' : 'add',
        path: jsonPointer([...at, field]),
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

  return {
    kind: 'write',
    patch,
    body,
    // Our values at our paths (as the service normalises them) mean our write landed; writing
    // them again would change nothing, so a concurrent change elsewhere does not matter.
    judge: (now) => {
      if (now.eTag === etag) return 'notApplied';
      return patch.every((op) => sameLeaf(leafOf(op.path), op.value, valueAtPointer(now, op.path)))
        ? 'applied'
        : 'changedByOthers';
    },
    locate: (after) => findRegistration(after, registrationId),
  };
}

/** The field a documented leaf path ends in (`…/contract/value` → `value`). */
function leafOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
