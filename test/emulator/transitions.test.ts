import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import {
  allowedSubstatuses,
  checkTransition,
  REFERRAL_STATUSES,
  REFERRAL_SUBSTATUSES,
  TRANSITION_TABLE,
} from '../../src/domain/referral/transitions.ts';
import { judgeStatusChange, settablePairs, substatusesOf } from '../../src/emulator/transitions.ts';

/** Values beyond the documented enums: an unknown word, a wrong case, and no value at all. */
const ODD_VALUES = ['Bogus', 'new', '', null, undefined] as const;
const STATUSES = [...REFERRAL_STATUSES, ...ODD_VALUES];
const SUBSTATUSES = [...REFERRAL_SUBSTATUSES, ...ODD_VALUES];
const COMBINATIONS = STATUSES.flatMap((from) =>
  STATUSES.flatMap((to) => SUBSTATUSES.map((substatus) => [from, to, substatus] as const)),
);

describe("the emulator's transition table", () => {
  test("judges every (current status, new status, new substatus) exactly as the gateway's table does", () => {
    const disagreements = COMBINATIONS.filter(
      ([from, to, substatus]) =>
        !isDeepStrictEqual(judgeStatusChange(from, to, substatus), checkTransition(from, to, substatus)),
    ).map((combination) => combination.map((value) => String(value)).join(' → '));
    expect(disagreements).toEqual([]);
  });

  test('allows the 16 documented moves and nothing else, so agreeing is not refusing everything', () => {
    // From New: 2 + 1 + 4 pairs (New, Active, Closed); from Active: 1 + 4; from Closed: 4.
    const allowed = COMBINATIONS.filter(([from, to, substatus]) => judgeStatusChange(from, to, substatus).ok);
    expect(allowed).toHaveLength(16);
    expect(allowed.every(([from]) => from === 'New' || from === 'Active' || from === 'Closed')).toBe(true);
  });

  test.each(STATUSES)('allows the same substatuses as the gateway while in %p', (status) => {
    expect(substatusesOf(status)).toEqual(allowedSubstatuses(status));
  });

  test("lists the same settable pairs, in the order of the gateway's rows", () => {
    const gatewayPairs = Object.entries(TRANSITION_TABLE).flatMap(([status, row]) =>
      row.substatuses.map((substatus) => [status, substatus]),
    );
    expect(settablePairs()).toEqual(gatewayPairs);
  });

  test('is its own: no emulator module imports anything outside src/emulator but node builtins and plain HTTP helpers', () => {
    const folder = new URL('../../src/emulator/', import.meta.url);
    const httpFolder = new URL('../../src/http/', import.meta.url);
    const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const outside = files.flatMap((file) => {
      const url = new URL(file, folder);
      return [...readFileSync(url, 'utf8').matchAll(/\bfrom '([^']+)'/g)]
        .map((match) => match[1] as string)
        .filter(
          (target) =>
            !target.startsWith('node:') &&
            !new URL(target, url).href.startsWith(folder.href) &&
            // Plain HTTP plumbing (the body reader) is no gateway rule: sharing it checks nothing twice.
            !new URL(target, url).href.startsWith(httpFolder.href),
        )
        .map((target) => `${file} imports ${target}`);
    });
    expect(files.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });
});
