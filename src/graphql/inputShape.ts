/**
 * Compile-time proof that a generated GraphQL input type and the domain type it is handed to
 * have one shape: same fields, same nesting, lists where lists are (enum values are strings in
 * both: the wire's PascalCase, see codegen.yml). Use as
 * `const ok: SameShape<GeneratedInput, DomainType> = true;` — a field added, renamed or retyped
 * in one and not the other fails `tsc` there.
 */
type Shape<T> = T extends string | number | boolean
  ? 'value'
  : T extends readonly (infer Item)[]
    ? Shape<NonNullable<Item>>[]
    : { -readonly [K in keyof T]-?: Shape<NonNullable<T[K]>> };

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type SameShape<A, B> = Same<Shape<A>, Shape<B>>;

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/** The same top-level fields are required (non-null) in both. */
export type SameRequiredFields<A, B> = Same<RequiredKeys<A>, RequiredKeys<B>>;
