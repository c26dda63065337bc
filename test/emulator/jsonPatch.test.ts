import { describe, expect, test } from '@jest/globals';
import { applyJsonPatch, JsonPatchError, parsePointer } from '../../src/emulator/jsonPatch.ts';

const doc = {
  status: 'New',
  details: { notes: 'n', dealValue: 1 },
  team: [{ email: 'a@example.com' }],
  'a/b': 1,
  'm~n': 2,
};

describe('JSON Patch (add and replace only)', () => {
  test('replace changes an existing value and leaves the input untouched', () => {
    const result = applyJsonPatch(doc, [{ op: 'replace', path: '/details/notes', value: 'new' }]);
    expect(result).toEqual({ ...doc, details: { notes: 'new', dealValue: 1 } });
    expect(doc.details.notes).toBe('n');
  });

  test('add sets a new member and /- appends to an array', () => {
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/statusReason', value: null },
      { op: 'add', path: '/team/-', value: { email: 'b@example.com' } },
      { op: 'add', path: '/team/0', value: { email: 'first@example.com' } },
    ]) as typeof doc & { statusReason: null };
    expect(result.statusReason).toBeNull();
    expect(result.team.map((m) => m.email)).toEqual(['first@example.com', 'a@example.com', 'b@example.com']);
  });

  test('~1 and ~0 unescape to / and ~', () => {
    expect(parsePointer('/a~1b/m~0n/~01')).toEqual(['a/b', 'm~n', '~1']);
    const result = applyJsonPatch(doc, [
      { op: 'replace', path: '/a~1b', value: 10 },
      { op: 'replace', path: '/m~0n', value: 20 },
    ]);
    expect(result).toMatchObject({ 'a/b': 10, 'm~n': 20 });
  });

  test.each([
    ['remove is not supported', [{ op: 'remove', path: '/status' }]],
    ['move is not supported', [{ op: 'move', from: '/status', path: '/x' }]],
    ['replace of a missing member fails', [{ op: 'replace', path: '/nope', value: 1 }]],
    ['add under a missing parent fails', [{ op: 'add', path: '/nope/deeper', value: 1 }]],
    ['an index past the end fails', [{ op: 'add', path: '/team/5', value: 1 }]],
    ['a path without a leading slash fails', [{ op: 'add', path: 'status', value: 1 }]],
    ['a bad ~ escape fails', [{ op: 'add', path: '/a~2', value: 1 }]],
    ['an operation without value fails', [{ op: 'replace', path: '/status' }]],
    ['a body that is not an array fails', { op: 'replace', path: '/status', value: 'x' }],
  ])('%s', (_name, ops) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(JsonPatchError);
  });

  test('a failing operation applies nothing', () => {
    const copy = structuredClone(doc);
    expect(() =>
      applyJsonPatch(copy, [
        { op: 'replace', path: '/status', value: 'Closed' },
        { op: 'replace', path: '/missing', value: 1 },
      ]),
    ).toThrow(JsonPatchError);
    expect(copy).toEqual(doc);
  });

  test('a __proto__ member becomes an own property, never the prototype', () => {
    const result = applyJsonPatch({}, [
      { op: 'add', path: '/__proto__', value: { polluted: true } },
    ]) as Record<string, unknown>;
    expect(result.polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).not.toHaveProperty('polluted');
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
  });
});
