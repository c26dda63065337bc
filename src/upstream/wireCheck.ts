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

/**
 * Compiled to one function's source (as graphql-jit compiles queries): a tree of closures made
 * every field a call through a different function, which V8 cannot inline, and the check of
 * every referral read cost about 11 µs (CPU profile of bench scenario 4; README "Performance").
 * The source holds no value from outside the schema: property names enter as JSON string
 * literals, numbers as the schema's own minimum lengths.
 */
export function compileCheck(schema: z.ZodType): Check {
  const unions: Check[] = [];
  let names = 0;
  const fresh = () => `v${names++}`;

  /** Statements that `return false` unless the value in variable `at` passes `node`. */
  function statements(node: z.ZodType, at: string): string {
    const def = defOf(node);
    if (def.type !== 'string' && def.checks?.length) unsupported(`checks on ${def.type}`);
    switch (def.type) {
      case 'unknown':
        return '';
      case 'boolean':
        return `if (typeof ${at} !== 'boolean') return false;\n`;
      case 'number':
        return `if (typeof ${at} !== 'number' || !Number.isFinite(${at})) return false;\n`;
      case 'string': {
        const min = minLength(def);
        return min === 0
          ? `if (typeof ${at} !== 'string') return false;\n`
          : `if (typeof ${at} !== 'string' || ${at}.length < ${min}) return false;\n`;
      }
      case 'optional':
        return `if (${at} !== undefined) {\n${statements(def.innerType as z.ZodType, at)}}\n`;
      case 'nullable':
        return `if (${at} !== null) {\n${statements(def.innerType as z.ZodType, at)}}\n`;
      case 'array': {
        const i = fresh();
        const item = fresh();
        return (
          `if (!Array.isArray(${at})) return false;\n` +
          `for (let ${i} = 0; ${i} < ${at}.length; ${i} += 1) {\nconst ${item} = ${at}[${i}];\n` +
          `${statements(def.element as z.ZodType, item)}}\n`
        );
      }
      case 'union': {
        // Each option is a function of its own: a failed option must not end the whole check.
        const calls = (def.options ?? []).map((option) => {
          unions.push(compileCheck(option));
          return `unions[${unions.length - 1}](${at})`;
        });
        return `if (!(${calls.join(' || ') || 'false'})) return false;\n`;
      }
      case 'object': {
        // Unknown keys are ignored (z.object strips them; z.looseObject's catch-all is unknown).
        if (def.catchall && defOf(def.catchall).type !== 'unknown') unsupported('a typed catch-all');
        // What zod's `z.object` accepts as an object: not null, not an array (any prototype).
        let source = `if (typeof ${at} !== 'object' || ${at} === null || Array.isArray(${at})) return false;\n`;
        for (const [key, field] of Object.entries(def.shape ?? {})) {
          const value = fresh();
          source += `const ${value} = ${at}[${JSON.stringify(key)}];\n${statements(field, value)}`;
        }
        return source;
      }
      default:
        return unsupported(`zod type "${def.type}"`);
    }
  }

  const body = `${statements(schema, 'value')}return true;`;
  return new Function('unions', `return function check(value) {\n${body}\n};`)(unions) as Check;
}
