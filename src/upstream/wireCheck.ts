/**
 * A yes/no check equal to `schema.safeParse(value).success` that allocates nothing, compiled once
 * from a zod schema's definition. zod's parse builds a full output copy, and referralsApi.ts
 * throws that copy away because it keeps the JSON as received. The copy was about 9 KB of garbage
 * per referral read in the sampling heap profile.
 *
 * zod stays the source of truth: the schemas, their TypeScript types, and the detailed error
 * after a failed check (referralsApi.ts runs zod itself then). Only the zod features the wire
 * schemas use are supported: object, array, union, optional, nullable, unknown, boolean, number,
 * and string with an optional minimum length. Anything else throws when the check is compiled,
 * at start-up, so the two can never silently disagree. test/unit/wireCheck.test.ts compares
 * them on generated data.
 */
import type { z } from 'zod';

export type Check = (value: unknown) => boolean;

/** The parts of zod 4's (stable, documented) `_zod.def` read here. */
interface Def {
  readonly type: string;
  readonly checks?: readonly {
    readonly _zod: { readonly def: { readonly check: string; readonly minimum?: number } };
  }[];
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unsupported(what: string): never {
  throw new TypeError(`wireCheck: ${what} is not supported; extend wireCheck.ts or use zod directly`);
}

/** The string's minimum length (0 without one); any other check is refused. */
function minLength(def: Def): number {
  let min = 0;
  for (const check of def.checks ?? []) {
    const { check: kind, minimum } = check._zod.def;
    if (kind !== 'min_length' || minimum === undefined) unsupported(`string check "${kind}"`);
    min = Math.max(min, minimum);
  }
  return min;
}

/** What zod's `z.object` accepts as an object: not null, not an array (any prototype). */
function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function compileCheck(schema: z.ZodType): Check {
  const def = defOf(schema);
  if (def.type !== 'string' && def.checks?.length) unsupported(`checks on ${def.type}`);
  switch (def.type) {
    case 'unknown':
      return () => true;
    case 'boolean':
      return (value) => typeof value === 'boolean';
    case 'number':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'string': {
      const min = minLength(def);
      return min === 0
        ? (value) => typeof value === 'string'
        : (value) => typeof value === 'string' && value.length >= min;
    }
    case 'optional': {
      const inner = compileCheck(def.innerType as z.ZodType);
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = compileCheck(def.innerType as z.ZodType);
      return (value) => value === null || inner(value);
    }
    case 'array': {
      const element = compileCheck(def.element as z.ZodType);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (const item of value) if (!element(item)) return false;
        return true;
      };
    }
    case 'union': {
      const options = (def.options ?? []).map(compileCheck);
      return (value) => {
        for (const option of options) if (option(value)) return true;
        return false;
      };
    }
    case 'object': {
      // Unknown keys are ignored (z.object strips them; z.looseObject's catch-all is unknown).
      if (def.catchall && defOf(def.catchall).type !== 'unknown') unsupported('a typed catch-all');
      const fields = Object.entries(def.shape ?? {}).map(
        ([key, field]) => [key, compileCheck(field)] as const,
      );
      return (value) => {
        if (!isPlainObject(value)) return false;
        for (const [key, check] of fields) if (!check(value[key])) return false;
        return true;
      };
    }
    default:
      return unsupported(`zod type "${def.type}"`);
  }
}
