/**
 * RFC 6902 JSON Patch, limited to the two operations the Partner API supports: `add` and `replace`
 * (docs/partner-api.md §3.5, "Only replace and add are supported"). Paths are RFC 6901 JSON Pointers
 * (`~1` = `/`, `~0` = `~`); `/-` appends to an array. Any problem throws `JsonPatchError`, which the
 * server answers with 400 `invalidRequest`. The input document is never mutated.
 */
import { isObject } from './json.ts';

export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

export interface PatchOperation {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Splits a JSON Pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError(`path ${JSON.stringify(pointer)} must start with '/'`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token))
        throw new JsonPatchError(`path ${JSON.stringify(pointer)} has a bad '~' escape`);
      // Order matters (RFC 6901 §4): `~01` means the literal `~1`, not `/`.
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** Checks that `ops` is an array of well-formed `add`/`replace` operations. */
export function validatePatch(ops: unknown): PatchOperation[] {
  if (!Array.isArray(ops)) throw new JsonPatchError('a JSON Patch body must be an array of operations');
  return ops.map((op, index) => {
    if (!isObject(op)) throw new JsonPatchError(`operation ${index} is not an object`);
    if (op.op !== 'add' && op.op !== 'replace') {
      throw new JsonPatchError(
        `operation ${index}: op ${JSON.stringify(op.op)} is not supported (only add and replace)`,
      );
    }
    if (typeof op.path !== 'string') throw new JsonPatchError(`operation ${index}: path must be a string`);
    if (!Object.hasOwn(op, 'value')) throw new JsonPatchError(`operation ${index}: value is required`);
    parsePointer(op.path);
    return { op: op.op, path: op.path, value: op.value };
  });
}

/** Own-property write that cannot touch a prototype, even for a key named `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function applyOne(doc: unknown, operation: PatchOperation): unknown {
  const tokens = parsePointer(operation.path);
  const value = structuredClone(operation.value);
  const last = tokens.pop();
  if (last === undefined) return value; // the whole document
  let parent: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(parent) && ARRAY_INDEX.test(token) && Number(token) < parent.length) {
      parent = parent[Number(token)];
    } else if (isObject(parent) && Object.hasOwn(parent, token)) {
      parent = parent[token];
    } else {
      throw new JsonPatchError(`path ${operation.path}: ${JSON.stringify(token)} does not exist`);
    }
  }
  if (Array.isArray(parent)) {
    if (operation.op === 'add' && last === '-') {
      parent.push(value);
      return doc;
    }
    if (!ARRAY_INDEX.test(last)) throw new JsonPatchError(`path ${operation.path}: bad array index`);
    const index = Number(last);
    const limit = operation.op === 'add' ? parent.length : parent.length - 1;
    if (index > limit) throw new JsonPatchError(`path ${operation.path}: index out of range`);
    if (operation.op === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
    return doc;
  }
  if (isObject(parent)) {
    if (operation.op === 'replace' && !Object.hasOwn(parent, last)) {
      throw new JsonPatchError(`path ${operation.path}: cannot replace a value that does not exist`);
    }
    setOwn(parent, last, value);
    return doc;
  }
  throw new JsonPatchError(`path ${operation.path}: the parent is not an object or array`);
}

/** Applies `ops` (validated first) to a copy of `doc`; all or nothing. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const operations = validatePatch(ops);
  let result = structuredClone(doc);
  for (const operation of operations) result = applyOne(result, operation);
  return result;
}
