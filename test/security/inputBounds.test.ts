/** Inputs that variables smuggle past document validation are still bounded before they go upstream. */
import { describe, expect, test } from '@jest/globals';
import { useStack } from '../helpers/stack.ts';

const stack = useStack({ MAX_ENTITY_REPRESENTATIONS: '50' });
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id } } }';

describe('input bounds', () => {
  test('more _entities representations than allowed are refused before any upstream call', async () => {
    const id = String(stack.emulator.listReferrals()[0]?.id);
    const res = await stack.gql(ENTITIES, {
      r: Array.from({ length: 51 }, () => ({ __typename: 'Referral', id })),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
    const ok = await stack.gql(ENTITIES, {
      r: Array.from({ length: 50 }, () => ({ __typename: 'Referral', id })),
    });
    expect(ok.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test('an overlong filter value is refused and never reaches the Partner API', async () => {
    const res = await stack.gql(
      'query($e: String) { referrals(filter: { teamMemberEmail: $e }) { edges { cursor } } }',
      {
        e: `${'a'.repeat(300_000)}@example.com`,
      },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).not.toContain('aaaa');
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
