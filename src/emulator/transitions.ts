/**
 * The emulator's own copy of the Partner API's status rules, written from the docs
 * (docs/partner-api.md §6) and deliberately not imported from the gateway: the emulator is the
 * oracle the gateway is tested against, so a mistake in the gateway's table must not be echoed
 * back to it. test/emulator/transitions.test.ts checks that the two tables agree on every
 * combination.
 *
 * | status | may move to         | substatuses while in it       |
 * | New    | New, Active, Closed | Pending, Received             |
 * | Active | Active, Closed      | Accepted                      |
 * | Closed | Closed              | Won, Lost, Declined, Expired  |
 *
 * A new (status, substatus) pair is checked against the row of the status it moves *from* for the
 * status, and against the row of the status it moves *to* for the substatus. `None`/`None` exists
 * on the wire (§5.2) but has no row: it can be read, never set, and nothing leads out of it.
 */

interface StatusRule {
  readonly mayMoveTo: readonly SettableStatus[];
  readonly substatuses: readonly string[];
}

export type SettableStatus = 'New' | 'Active' | 'Closed';

export const STATUS_RULES: Readonly<Record<SettableStatus, StatusRule>> = {
  New: { mayMoveTo: ['New', 'Active', 'Closed'], substatuses: ['Pending', 'Received'] },
  Active: { mayMoveTo: ['Active', 'Closed'], substatuses: ['Accepted'] },
  Closed: { mayMoveTo: ['Closed'], substatuses: ['Won', 'Lost', 'Declined', 'Expired'] },
};

function ruleFor(status: unknown): StatusRule | undefined {
  return typeof status === 'string' && Object.hasOwn(STATUS_RULES, status)
    ? STATUS_RULES[status as SettableStatus]
    : undefined;
}

/** Substatuses a referral may have while in `status`; none for `None` or a value the table does not know. */
export function substatusesOf(status: unknown): readonly string[] {
  return ruleFor(status)?.substatuses ?? [];
}

/** Every (status, substatus) pair a write may leave a referral in, row by row. */
export function settablePairs(): readonly (readonly [SettableStatus, string])[] {
  return Object.entries(STATUS_RULES).flatMap(([status, rule]) =>
    rule.substatuses.map((substatus) => [status as SettableStatus, substatus] as const),
  );
}

export type StatusChange =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'STATUS_NOT_REACHABLE' | 'SUBSTATUS_NOT_ALLOWED';
      /** For the 400 message: the statuses reachable from the current one... */
      readonly allowedStatuses: readonly SettableStatus[];
      /** ...and the substatuses of the new status, or of every reachable one if the status is the problem. */
      readonly allowedSubstatuses: readonly string[];
    };

/** Judges moving a referral in status `from` to the pair (`toStatus`, `toSubstatus`). */
export function judgeStatusChange(from: unknown, toStatus: unknown, toSubstatus: unknown): StatusChange {
  const reachable = ruleFor(from)?.mayMoveTo ?? [];
  const target = reachable.find((status) => status === toStatus);
  if (target === undefined) {
    return {
      ok: false,
      reason: 'STATUS_NOT_REACHABLE',
      allowedStatuses: reachable,
      allowedSubstatuses: reachable.flatMap((status) => STATUS_RULES[status].substatuses),
    };
  }
  const substatuses = STATUS_RULES[target].substatuses;
  if (!substatuses.some((substatus) => substatus === toSubstatus)) {
    return {
      ok: false,
      reason: 'SUBSTATUS_NOT_ALLOWED',
      allowedStatuses: reachable,
      allowedSubstatuses: substatuses,
    };
  }
  return { ok: true };
}
