/**
 * Who is calling, from the bearer token (docs/partner-api.md §9). The emulator does not validate tokens: any
 * non-empty bearer token is a Referral Admin, except `user:<email>`, which plays a Referral User who
 * may only read referrals whose `team` includes that e-mail and may not write.
 */
import { isObject } from './json.ts';
import type { Referral } from './store.ts';

export type Caller = { readonly role: 'admin' } | { readonly role: 'user'; readonly email: string };

/** The caller for an `Authorization` header, or `undefined` when it carries no usable bearer token. */
export function callerFromAuthorization(header: string | undefined): Caller | undefined {
  const match = /^Bearer[ \t]+(\S(?:.*\S)?)[ \t]*$/i.exec(header ?? '');
  const token = match?.[1];
  if (token === undefined) return undefined;
  if (token.startsWith('user:')) {
    const email = token.slice('user:'.length).trim();
    return email === '' ? undefined : { role: 'user', email: email.toLowerCase() };
  }
  return { role: 'admin' };
}

/** Whether `caller` may read `referral`: admins see all, users only referrals they are on the team of. */
export function canRead(caller: Caller, referral: Referral): boolean {
  if (caller.role === 'admin') return true;
  const team = referral.team;
  return (
    Array.isArray(team) &&
    team.some(
      (member: unknown) =>
        isObject(member) && typeof member.email === 'string' && member.email.toLowerCase() === caller.email,
    )
  );
}
