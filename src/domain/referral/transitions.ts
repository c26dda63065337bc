/**
 * The Partner API's referral status/substatus transition table, as typed data.
 *
 * Source: referral-resources, create, update and PUT pages of the Partner API docs (docs/partner-api.md §6):
 *
 * | status | may move to         | substatus allowed while in it |
 * | New    | New, Active, Closed | Pending, Received             |
 * | Active | Active, Closed      | Accepted                      |
 * | Closed | Closed              | Won, Lost, Declined, Expired  |
 *
 * The second column lists the statuses reachable from the row's status; the third lists the
 * substatuses valid while in a status, so a new (status, substatus) pair is checked against the
 * row of the *new* status. `None` appears in no row: it can be read, never set.
 *
 * Values are the wire's PascalCase strings. Pure: no I/O, no GraphQL.
 */

export const REFERRAL_STATUSES = ['None', 'New', 'Active', 'Closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const REFERRAL_SUBSTATUSES = [
  'None',
  'Pending',
  'Received',
  'Accepted',
  'Won',
  'Lost',
  'Declined',
  'Expired',
] as const;
export type ReferralSubstatus = (typeof REFERRAL_SUBSTATUSES)[number];

/** A status that has a row in the table, i.e. one a referral can be moved into. */
export type SettableStatus = Exclude<ReferralStatus, 'None'>;

interface TransitionRow {
  readonly next: readonly SettableStatus[];
  readonly substatuses: readonly ReferralSubstatus[];
}

export const TRANSITION_TABLE: Readonly<Record<SettableStatus, TransitionRow>> = {
  New: { next: ['New', 'Active', 'Closed'], substatuses: ['Pending', 'Received'] },
  Active: { next: ['Active', 'Closed'], substatuses: ['Accepted'] },
  Closed: { next: ['Closed'], substatuses: ['Won', 'Lost', 'Declined', 'Expired'] },
};

export function isReferralStatus(value: unknown): value is ReferralStatus {
  return typeof value === 'string' && (REFERRAL_STATUSES as readonly string[]).includes(value);
}

export function isReferralSubstatus(value: unknown): value is ReferralSubstatus {
  return typeof value === 'string' && (REFERRAL_SUBSTATUSES as readonly string[]).includes(value);
}

function isSettable(status: ReferralStatus): status is SettableStatus {
  return status !== 'None';
}

/** Statuses reachable from `from`; none from `None` or from a value the table does not know. */
export function allowedNextStatuses(from: string | null | undefined): readonly SettableStatus[] {
  return isReferralStatus(from) && isSettable(from) ? TRANSITION_TABLE[from].next : [];
}

/** Substatuses valid while in `status`; none for `None` or an unknown status. */
export function allowedSubstatuses(status: string | null | undefined): readonly ReferralSubstatus[] {
  return isReferralStatus(status) && isSettable(status) ? TRANSITION_TABLE[status].substatuses : [];
}

export type TransitionCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'STATUS_NOT_REACHABLE' | 'SUBSTATUS_NOT_ALLOWED';
      readonly allowedStatuses: readonly SettableStatus[];
      readonly allowedSubstatuses: readonly ReferralSubstatus[];
    };

/**
 * Checks moving a referral from `from` (its current status) to the pair (`toStatus`,
 * `toSubstatus`). Staying in the same status is a transition like any other: the table lists
 * every status as reachable from itself, and the substatus must still fit the row.
 */
export function checkTransition(
  from: string | null | undefined,
  toStatus: string | null | undefined,
  toSubstatus: string | null | undefined,
): TransitionCheck {
  const allowedStatuses = allowedNextStatuses(from);
  if (!allowedStatuses.some((s) => s === toStatus)) {
    return {
      ok: false,
      reason: 'STATUS_NOT_REACHABLE',
      allowedStatuses,
      allowedSubstatuses: allowedStatuses.flatMap((s) => TRANSITION_TABLE[s].substatuses),
    };
  }
  const substatuses = allowedSubstatuses(toStatus);
  if (!substatuses.some((s) => s === toSubstatus)) {
    return { ok: false, reason: 'SUBSTATUS_NOT_ALLOWED', allowedStatuses, allowedSubstatuses: substatuses };
  }
  return { ok: true };
}
