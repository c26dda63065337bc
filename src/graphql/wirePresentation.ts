/**
 * Referrals and deal registrations as GraphQL reads them: the wire JSON with every tolerant
 * field already answered (tolerantFields.ts `TOLERANT_FIELDS`; a wire enum's canonical
 * value, or `null` for one the schema does not know, docs/partner-api.md §5.3), so those fields
 * need no resolver at all and graphql-jit reads them as plain members.
 *
 * Why not a resolver per field: graphql-jit builds an info object and a path for every resolver
 * call. A 50-referral page with every field made about 2,000 such calls, and they allocated more
 * than parsing the page did. Answering the same rules here took about 14 % off that page's CPU
 * per operation (bench scenario 3, measured side by side with the resolvers).
 *
 * Copy on write: an object whose fields already answer as they stand (what the Partner API
 * normally sends) is handed on as it is; otherwise a shallow copy with the answered values. The
 * wire object itself is never changed: a write sends back what was read (`salesStage: "100"`
 * goes back as "100").
 *
 * Coverage is derived from the schema: every object type reachable from `Referral` and
 * `DealRegistration` through object-typed fields; only those with something to answer in their
 * subtree are walked. A field with a resolver of its own (`etag`,
 * `relatedReferrals`) keeps it, and what that resolver returns is presented where it is made.
 * Every value of a covered type must enter GraphQL through `ResponseBudget.referral` or
 * `.registration` (test/unit/wirePresentation.test.ts lists the fields where they enter).
 */
import {
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { isJsonObject } from '../domain/json.ts';
import { createWireEnumReader, isWireEnum, type WireEnumReader } from './enumValues.ts';
import { TOLERANT_FIELDS } from './tolerantFields.ts';

/** The types whose values the Partner API sends as they are, and everything beneath them. */
export const PRESENTED_ROOTS = ['Referral', 'DealRegistration'] as const;

export interface WirePresenter {
  /** `value` as GraphQL reads a `Referral`: the same object when nothing needs answering. */
  referral<T>(value: T): T;
  dealRegistration<T>(value: T): T;
}

type Present = (value: unknown) => unknown;
type Rule = (value: unknown) => unknown;

interface Step {
  readonly key: string;
  readonly rule: Rule | undefined;
  /** Presents a nested object (or each item of a list of them). */
  readonly nested: Present | undefined;
}

/** Every object type reachable from the roots through object-typed fields (lists unwrapped). */
export function presentedTypes(schema: GraphQLSchema): ReadonlySet<string> {
  const seen = new Set<string>();
  const visit = (type: GraphQLNamedType | undefined) => {
    if (!isObjectType(type) || seen.has(type.name)) return;
    seen.add(type.name);
    for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
  };
  for (const root of PRESENTED_ROOTS) visit(schema.getType(root) ?? undefined);
  return seen;
}

/**
 * Is this field answered by presentation instead of a resolver? A nullable wire enum (the rule
 * buildSchema.ts applies to every other type's fields) or a `TOLERANT_FIELDS` entry, of a covered
 * type, without a resolver of its own.
 */
export function isPresentedField(
  schema: GraphQLSchema,
  covered: ReadonlySet<string>,
  typeName: string,
  fieldName: string,
): boolean {
  const field = (schema.getType(typeName) as GraphQLObjectType | undefined)?.getFields()[fieldName];
  if (field === undefined || !covered.has(typeName) || field.resolve !== undefined) return false;
  return TOLERANT_FIELDS[typeName]?.[fieldName] !== undefined || nullableWireEnum(field.type) !== undefined;
}

function nullableWireEnum(type: unknown): string | undefined {
  return isEnumType(type) && isWireEnum(type.name) ? type.name : undefined;
}

/**
 * The covered types with something to answer in their subtree: a rule of their own, or a field
 * leading to such a type. The others (Member, Address, links, …) are not walked at all. A fixed
 * point, since the types refer to each other (Referral.relatedReferrals has a resolver, but a
 * future field might not).
 */
function typesWithRules(schema: GraphQLSchema, covered: ReadonlySet<string>): ReadonlySet<string> {
  const fieldsOf = (name: string) => Object.entries((schema.getType(name) as GraphQLObjectType).getFields());
  const found = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of covered) {
      if (found.has(name)) continue;
      const has = fieldsOf(name).some(
        ([fieldName, field]) =>
          field.resolve === undefined &&
          (isPresentedField(schema, covered, name, fieldName) || found.has(getNamedType(field.type).name)),
      );
      if (has) {
        found.add(name);
        grew = true;
      }
    }
  }
  return found;
}

export function createWirePresenter(
  schema: GraphQLSchema,
  readWireEnum: WireEnumReader = createWireEnumReader(),
): WirePresenter {
  const covered = presentedTypes(schema);
  const withRules = typesWithRules(schema, covered);
  const enumRule =
    (enumName: string): Rule =>
    (value) =>
      readWireEnum(enumName, value);

  const presenters = new Map<string, Present>();
  const presenterOf = (typeName: string): Present => {
    const existing = presenters.get(typeName);
    if (existing) return existing;
    // Filled in below; a type reached again while its steps are built (a cycle) finds this.
    let steps: readonly Step[] = [];
    const present: Present = (value) => {
      if (!isJsonObject(value)) return value;
      let out: Record<string, unknown> | undefined;
      for (const { key, rule, nested } of steps) {
        const before = value[key];
        let after = rule === undefined ? before : rule(before);
        if (nested !== undefined && after != null) after = nested(after);
        // `undefined` and `null` answer alike: no copy for a member that is merely absent.
        if (after !== before && !(after === null && before === undefined)) {
          out ??= { ...value };
          out[key] = after;
        }
      }
      return out ?? value;
    };
    presenters.set(typeName, present);
    steps = stepsOf(typeName);
    return present;
  };

  function stepsOf(typeName: string): Step[] {
    const type = schema.getType(typeName) as GraphQLObjectType;
    const steps: Step[] = [];
    for (const [name, field] of Object.entries(type.getFields())) {
      if (field.resolve !== undefined) continue;
      const tolerant = TOLERANT_FIELDS[typeName]?.[name];
      const enumName = nullableWireEnum(field.type);
      const rule = tolerant ?? (enumName === undefined ? undefined : enumRule(enumName));
      const named = getNamedType(field.type);
      const nested = isObjectType(named) && withRules.has(named.name) ? nestedOf(field.type) : undefined;
      if (rule !== undefined || nested !== undefined) steps.push({ key: name, rule, nested });
    }
    return steps;
  }

  /** Presents an object, or each item of a (nested) list of them; a list is copied only if an item changed. */
  function nestedOf(type: unknown): Present {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      const item = nestedOf(inner.ofType);
      return (value) => {
        if (!Array.isArray(value)) return value;
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i += 1) {
          const before = value[i];
          const after = item(before);
          if (after !== before) {
            out ??= value.slice();
            out[i] = after;
          }
        }
        return out ?? value;
      };
    }
    return presenterOf(getNamedType(inner as GraphQLNamedType).name);
  }

  return {
    referral: presenterOf('Referral') as WirePresenter['referral'],
    dealRegistration: presenterOf('DealRegistration') as WirePresenter['dealRegistration'],
  };
}
