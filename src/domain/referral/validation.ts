/**
 * Format rules for the fields a caller may change (docs/partner-api.md §6 "Formats"; README "Updates", step 4),
 * checked with zod before anything is written. Each failure names its path relative to the
 * input (`["details","currency"]`, `["team","0","email"]`) and a stable code. Where the platform
 * already knows the answer (currencies, regions, locales via `Intl`) it is asked instead of a
 * hand-written list. Pure: no I/O, no GraphQL.
 */
import { z } from 'zod';

export interface FieldError {
  readonly path: readonly string[];
  readonly message: string;
  readonly code: FieldErrorCode;
}

export type FieldErrorCode =
  | 'INVALID_EMAIL'
  | 'INVALID_CURRENCY'
  | 'INVALID_COUNTRY'
  | 'INVALID_DATE_TIME'
  | 'INVALID_LOCALE'
  | 'INVALID_AMOUNT'
  | 'REQUIRED'
  | 'TOO_LONG'
  | 'TOO_MANY_ITEMS'
  | 'INVALID';

/**
 * Most field errors one answer lists; the rest are only counted. A hostile input can break a
 * rule thousands of times, and a person fixing a form needs the first few.
 */
export const MAX_LISTED_FIELD_ERRORS = 50;

/** The first `max` errors, and how many more there were. */
export function capFieldErrors(
  errors: readonly FieldError[],
  max: number = MAX_LISTED_FIELD_ERRORS,
): { readonly listed: readonly FieldError[]; readonly omitted: number } {
  return { listed: errors.slice(0, max), omitted: Math.max(0, errors.length - max) };
}

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** Codes Intl names that are not ISO 3166-1 countries (unions, macro-regions, private use). */
const NOT_COUNTRIES: ReadonlySet<string> = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

export function isIsoCurrency(value: string): boolean {
  return /^[A-Z]{3}$/.test(value) && CURRENCIES.has(value);
}

/**
 * Each two-letter code's answer, asked of `Intl` once: a lookup there costs about 10 µs, a
 * noticeable share of a create (bench scenario 6). At most 26 × 26 entries.
 */
const COUNTRY_ANSWERS = new Map<string, boolean>();

export function isIsoCountry(value: string): boolean {
  if (!/^[A-Z]{2}$/.test(value)) return false;
  let known = COUNTRY_ANSWERS.get(value);
  if (known === undefined) {
    known = !NOT_COUNTRIES.has(value) && REGION_NAMES.of(value) !== undefined;
    COUNTRY_ANSWERS.set(value, known);
  }
  return known;
}

/** ISO 8601 in UTC with `Z`, any fractional digits (the upstream sends 7, §10), a real instant. */
export function isUtcDateTime(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}

/** A .NET culture name such as `en-US` is a BCP 47 tag; `Intl` decides which tags are well-formed. */
export function isLocale(value: string): boolean {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value)) return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

const emailSchema = z.email();
export function isEmail(value: string): boolean {
  return emailSchema.safeParse(value).success;
}

function rule(check: (value: string) => boolean, code: FieldErrorCode, message: string) {
  return z.string().refine(check, { message, params: { code } });
}

const email = rule(isEmail, 'INVALID_EMAIL', 'must be an e-mail address').nullish();
const currency = rule(
  isIsoCurrency,
  'INVALID_CURRENCY',
  'must be an ISO 4217 currency code such as USD',
).nullish();
const country = rule(
  isIsoCountry,
  'INVALID_COUNTRY',
  'must be an ISO 3166-1 alpha-2 country code such as US',
).nullish();
const dateTime = rule(
  isUtcDateTime,
  'INVALID_DATE_TIME',
  'must be a UTC date-time such as 2025-06-30T00:00:00.0000000Z',
).nullish();
const locale = rule(isLocale, 'INVALID_LOCALE', 'must be a culture name such as en-US').nullish();
// Any number that is not finite and non-negative is an amount error (GraphQL's Float literal
// `1e400` arrives as Infinity, which z.number() would call a type error: code INVALID).
const amount = z
  .unknown()
  .refine((value) => value == null || (typeof value === 'number' && Number.isFinite(value) && value >= 0), {
    message: 'must be a finite number, zero or more',
    params: { code: 'INVALID_AMOUNT' satisfies FieldErrorCode },
  })
  .optional();
const requiredText = z.string().refine((value) => value.trim() !== '', {
  message: 'must not be empty',
  params: { code: 'REQUIRED' satisfies FieldErrorCode },
});

/**
 * The format rules by value kind, for other inputs in wire form to reuse (deal registrations,
 * dealRegistration.ts) so a rule and its message are written once. Each is optional and nullable.
 */
export const FORMAT_RULES = { email, currency, country, dateTime, locale, amount, requiredText } as const;

const member = z.object({
  email,
  contactPreference: z.object({ locale }).nullish(),
});

const changesSchema = z.object({
  customerProfile: z
    .object({
      address: z.object({ country }).nullish(),
      team: z.array(member).nullish(),
      ids: z.array(z.object({ id: requiredText })).nullish(),
    })
    .nullish(),
  details: z
    .object({
      dealValue: amount,
      currency,
      closingDateTime: dateTime,
      requirements: z
        .object({
          industries: z.array(z.object({ id: requiredText })).nullish(),
          products: z.array(z.object({ id: requiredText })).nullish(),
          services: z.array(z.object({ id: requiredText })).nullish(),
          solutions: z.array(z.object({ id: requiredText })).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  team: z.array(member).nullish(),
  target: z.array(z.object({ id: requiredText })).nullish(),
});

function codeOf(issue: z.core.$ZodIssue): FieldErrorCode {
  const code =
    issue.code === 'custom' ? (issue.params as { code?: FieldErrorCode } | undefined)?.code : undefined;
  return code ?? 'INVALID';
}

/** Every problem `schema` (built from `FORMAT_RULES`) finds in `value`, paths relative to it. */
export function fieldErrorsOf(schema: z.ZodType, value: unknown): FieldError[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
    code: codeOf(issue),
  }));
}

/** Every format problem of `changes` (wire form), or none. */
export function validateChanges(changes: unknown): FieldError[] {
  return fieldErrorsOf(changesSchema, changes);
}
