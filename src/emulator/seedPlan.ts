/**
 * The choices several fields of one seeded referral share (its country, category, team, solution,
 * deal value…), drawn before seed.ts builds any field from them. The order of the draws below is
 * part of the seed's output (see seedRandom.ts).
 */
import { EMULATOR_ORGANIZATION, PARTNER_EMAIL_DOMAIN, PARTNER_STAFF } from './organization.ts';
import type { SeedRandom } from './seedRandom.ts';
import {
  CATEGORIES,
  CATEGORY_NAMES,
  CATEGORY_SOLUTIONS,
  type Category,
  COMPANIES,
  COUNTRIES,
  type Country,
  CUSTOMER_TITLES,
  FIRST_NAMES,
  INVITING_PARTNERS,
  LAST_NAMES,
  MICROSOFT,
  NAMED_SOLUTIONS,
  SUBSTATUS_TRAITS,
  type SubstatusTraits,
} from './seedTables.ts';
import type { Referral } from './store.ts';

const DAY = 24 * 60 * 60 * 1000;

/** The choices several fields of one referral share, drawn before any field is built. */
export interface Plan {
  readonly index: number;
  readonly status: string;
  readonly substatus: string;
  readonly traits: SubstatusTraits;
  /** Every third referral carries the undocumented fields of §5.3. */
  readonly undocumented: boolean;
  /** The previous referral, whose engagement a shared half joins. */
  readonly sharedWith: Referral | undefined;
  readonly country: Country;
  readonly company: string;
  readonly domain: string;
  readonly category: Category;
  readonly type: 'Shared' | 'Independent';
  readonly qualification: string;
  readonly invitedBy: { organizationId: string; organizationName: string };
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly expiring: boolean;
  readonly named: (typeof NAMED_SOLUTIONS)[number] | undefined;
  readonly solution: { id: string; name: string; type: string };
  readonly dealValue: number;
  readonly team: Referral[];
  readonly customerTeam: Referral[];
}

export function planReferral(
  draw: SeedRandom,
  given: Pick<Plan, 'index' | 'status' | 'substatus' | 'createdMs' | 'sharedWith'>,
): Plan {
  const { index, substatus, createdMs, sharedWith } = given;
  const traits = SUBSTATUS_TRAITS[substatus] as SubstatusTraits;
  const undocumented = index % 3 === 0;
  const country = draw.pick(COUNTRIES);
  const company = COMPANIES[index % COMPANIES.length] as string;
  const domain = `${slug(company)}.example.com`;
  const category = sharedWith ? 'outgoing' : draw.pick(CATEGORY_NAMES);
  const rule = CATEGORIES[category];
  const type = rule.mayBeShared && (sharedWith !== undefined || draw.chance(0.6)) ? 'Shared' : 'Independent';
  const qualification = draw.pick(rule.qualifications);
  const invitedBy = inviter(draw, rule.invitedBy);
  const updatedMs = createdMs + draw.int(0, 30) * DAY + draw.int(1, 86_399) * 1000;
  const expiring = traits.expires || draw.chance(0.3);
  const named = draw.chance(0.35) ? draw.pick(NAMED_SOLUTIONS) : undefined;
  const solution = solutionTag(draw, index, named);
  const dealValue = dealValueIn(draw, country.currency);
  const team = partnerTeam(draw, index, country, undocumented);
  const customerTeam = customerContacts(draw, domain, country, undocumented);
  return {
    ...given,
    traits,
    undocumented,
    country,
    company,
    domain,
    category,
    type,
    qualification,
    invitedBy,
    updatedMs,
    expiring,
    named,
    solution,
    dealValue,
    team,
    customerTeam,
  };
}

function inviter(draw: SeedRandom, who: 'microsoft' | 'partner' | 'self'): Plan['invitedBy'] {
  if (who === 'partner') return { ...draw.pick(INVITING_PARTNERS) };
  if (who === 'self') {
    return { organizationId: EMULATOR_ORGANIZATION.id, organizationName: EMULATOR_ORGANIZATION.name };
  }
  return { ...MICROSOFT };
}

function solutionTag(draw: SeedRandom, index: number, named: Plan['named']): Plan['solution'] {
  if (named) return { id: named[0], name: named[1], type: 'Name' };
  if (index % 16 === 7) return { id: 'None', name: 'None', type: 'None' };
  const [id, name] = draw.pick(CATEGORY_SOLUTIONS);
  return { id, name, type: 'Category' };
}

/** Whole hundred-thousands of yen; elsewhere thousands, some with cents. */
function dealValueIn(draw: SeedRandom, currency: string): number {
  if (currency === 'JPY') return draw.int(10, 900) * 100_000;
  return draw.int(5, 400) * 1000 + (draw.chance(0.3) ? draw.int(1, 99) / 100 : 0);
}

function phone(draw: SeedRandom, country: Country): string {
  return `${country.dial} 555 01${String(draw.int(0, 99)).padStart(2, '0')}`;
}

/** One or two of the partner's own staff; `title` is an observed extra (§5.2 Member). */
function partnerTeam(draw: SeedRandom, index: number, country: Country, undocumented: boolean): Referral[] {
  const team = [staffMember(draw, index, country, undocumented && draw.chance(0.7))];
  if (draw.chance(0.5)) team.push(staffMember(draw, index + draw.int(1, 5), country, false));
  return team;
}

function staffMember(draw: SeedRandom, index: number, country: Country, withTitle: boolean): Referral {
  const staff = PARTNER_STAFF[index % PARTNER_STAFF.length] as (typeof PARTNER_STAFF)[number];
  return {
    firstName: staff.firstName,
    lastName: staff.lastName,
    phoneNumber: phone(draw, country),
    email: `${slug(staff.firstName)}.${slug(staff.lastName)}@${PARTNER_EMAIL_DOMAIN}`,
    contactPreference: { locale: country.locale, disableNotifications: draw.chance(0.2) },
    ...(withTitle ? { title: staff.title } : {}),
  };
}

/** One or two people at the customer. */
function customerContacts(
  draw: SeedRandom,
  domain: string,
  country: Country,
  undocumented: boolean,
): Referral[] {
  const team = [customerContact(draw, domain, country, undocumented && draw.chance(0.5))];
  if (draw.chance(0.3)) team.push(customerContact(draw, domain, country, false));
  return team;
}

function customerContact(draw: SeedRandom, domain: string, country: Country, withTitle: boolean): Referral {
  const firstName = draw.pick(FIRST_NAMES);
  const lastName = draw.pick(LAST_NAMES);
  return {
    firstName,
    lastName,
    phoneNumber: phone(draw, country),
    email: `${slug(firstName)}.${slug(lastName)}@${domain}`,
    contactPreference: { locale: country.locale, disableNotifications: draw.chance(0.3) },
    ...(withTitle ? { title: draw.pick(CUSTOMER_TITLES) } : {}),
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
