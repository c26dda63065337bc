/**
 * `createReferral` and `shareReferralWithMicrosoft` in GraphQL terms (README "Creating
 * referrals"): the idempotency key is bounded, the input goes to the create service as a domain
 * creation, and each domain outcome becomes a member of the result union; a key reused with
 * another input is a top-level `IDEMPOTENCY_KEY_REUSED`. Every referral handed out is charged to
 * the answer's size budget.
 */
import type { ReferralCreation } from '../domain/referral/createPlan.ts';
import { badUserInput, idempotencyKeyReused } from '../errors/create.ts';
import {
  type CreateContext,
  type CreateOutcome,
  createReferral,
  shareReferralWithMicrosoft,
} from '../services/createReferral.ts';
import type { CreateReferralInput, Resolvers, ResolversTypes } from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';
import type { SameRequiredFields, SameShape } from './inputShape.ts';
import { checkId } from './referralId.ts';
import { validationFailed } from './validationFailed.ts';
import { writeContextOf } from './writeContext.ts';

export type CreateReferralResult = Awaited<ResolversTypes['CreateReferralResult']>;
export type ShareReferralWithMicrosoftResult = Awaited<ResolversTypes['ShareReferralWithMicrosoftResult']>;

// The schema's input and the domain's creation have exactly one shape and the same required
// fields (inputShape.ts).
const inputMatchesDomain: SameShape<CreateReferralInput, ReferralCreation> = true;
const sameRequiredFields: SameRequiredFields<CreateReferralInput, ReferralCreation> = true;
void inputMatchesDomain;
void sameRequiredFields;

/**
 * What an idempotency key may be: a UUID fits, as do most clients' request ids. Bounded so a key
 * cannot carry data or grow the store (the store only ever sees its hash, callerScope.ts).
 */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

export function checkIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key === null || key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badUserInput(
      '`idempotencyKey` must be 1 to 128 characters of letters, digits, `.`, `_`, `:` or `-` (a UUID fits).',
    );
  }
  return key;
}

/** What `ReferralValidationFailed.message` says when nobody gave a message of its own. */
const INVALID_MESSAGES = {
  rules: 'The input is not valid; nothing was created.',
  partnerApi: 'The Partner API rejected the referral; nothing was created.',
  partnerApiSize: 'The Partner API refused the referral as too large; nothing was created.',
  partnerApiNotFound:
    'The Partner API found nothing to create the referral in (check `engagementId`); nothing was created.',
  notShareable: 'The referral cannot be shared with Microsoft; nothing was created.',
} as const;

const UNCERTAIN_MESSAGES = {
  withKey:
    'The Partner API may have created the referral: its answer was lost and no matching referral was found among the newest ones. Send the same mutation with the same idempotencyKey to look again; it never creates a second referral.',
  withoutKey:
    'The Partner API may have created the referral: its answer was lost and no matching referral was found among the newest ones. Look for it in `referrals` before creating it again.',
  inProgress:
    'Another request with this idempotencyKey is still creating the referral. Send the same mutation again to get its outcome.',
} as const;

function createContextOf(ctx: GatewayContext): CreateContext {
  return { ...writeContextOf(ctx), idempotency: ctx.idempotency };
}

export async function resolveCreateReferral(
  ctx: GatewayContext,
  input: CreateReferralInput,
  idempotencyKey: string | null | undefined,
): Promise<CreateReferralResult> {
  const key = checkIdempotencyKey(idempotencyKey);
  const outcome = await createReferral(createContextOf(ctx), input, key);
  const result = toShareResult(ctx, outcome, key);
  // A create has no referral to look up first, so it is never "not found".
  if (result.__typename === 'ReferralNotFound')
    throw new TypeError('createReferral answered ReferralNotFound');
  return result;
}

export async function resolveShareReferralWithMicrosoft(
  ctx: GatewayContext,
  referralId: string,
  idempotencyKey: string | null | undefined,
): Promise<ShareReferralWithMicrosoftResult> {
  const key = checkIdempotencyKey(idempotencyKey);
  const outcome = await shareReferralWithMicrosoft(createContextOf(ctx), checkId(referralId), key);
  return toShareResult(ctx, outcome, key);
}

function toShareResult(
  ctx: GatewayContext,
  outcome: CreateOutcome,
  key: string | undefined,
): ShareReferralWithMicrosoftResult {
  switch (outcome.kind) {
    case 'created':
      return { __typename: 'CreateReferralSuccess', referral: ctx.response.referral(outcome.referral) };
    case 'invalid':
      return validationFailed(outcome.message ?? INVALID_MESSAGES[outcome.refusedBy], outcome.fieldErrors);
    case 'notFound':
      return {
        __typename: 'ReferralNotFound',
        message: 'There is no referral with this id.',
        id: outcome.id,
      };
    case 'uncertain':
      return {
        __typename: 'ReferralCreationUncertain',
        message:
          outcome.reason === 'inProgress'
            ? UNCERTAIN_MESSAGES.inProgress
            : key === undefined
              ? UNCERTAIN_MESSAGES.withoutKey
              : UNCERTAIN_MESSAGES.withKey,
        idempotencyKey: key ?? null,
      };
    case 'keyReused':
      throw idempotencyKeyReused();
  }
}

export const createReferralResolvers: Resolvers = {
  Mutation: {
    createReferral: (_parent, { input, idempotencyKey }, ctx) =>
      resolveCreateReferral(ctx, input, idempotencyKey),
    shareReferralWithMicrosoft: (_parent, { referralId, idempotencyKey }, ctx) =>
      resolveShareReferralWithMicrosoft(ctx, referralId, idempotencyKey),
  },
  CreateReferralResult: {
    __resolveType: (result) => result.__typename,
  },
  ShareReferralWithMicrosoftResult: {
    __resolveType: (result) => result.__typename,
  },
};
