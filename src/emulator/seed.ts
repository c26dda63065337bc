/**
 * Deterministic seed data: 65 realistic referrals in the wire shape of docs/partner-api.md §5
 * (camelCase keys, PascalCase enum values, 7-digit UTC timestamps), every third one also carrying
 * the undocumented fields live payloads show (§5.3). No `eTag` or `links`: the store and the
 * server assign those.
 *
 * The varied values are tables (seedTables.ts); the choices a referral's fields share are drawn
 * first (seedPlan.ts), then the builders below turn them into the wire's sections. Each value has
 * the type and enum the Microsoft connector spec gives it, except the oddities seen on the wire
 * that the seed carries on purpose (test/emulator/seedMatchesSpec.test.ts lists them). Everything
 * is drawn from one random stream in a fixed order (see seedRandom.ts), so reordering two draws
 * changes every referral after them.
 */
import { EMULATOR_ORGANIZATION } from './organization.ts';
import { type Plan, planReferral } from './seedPlan.ts';
import { SeedRandom } from './seedRandom.ts';
import {
  ASSISTANCE_CODES,
  CHANNELS,
  DEPLOYMENT_SITES,
  INDUSTRIES,
  NOTE_OPENINGS,
  PRODUCTS,
  PROJECTS,
  REFERRAL_TAGS,
  SALES_STAGES,
  SERVICES,
  SIZES,
  STREETS,
} from './seedTables.ts';
import type { Referral } from './store.ts';
import { settablePairs } from './transitions.ts';

const SEED = 0x5eed2024;
const COUNT = 65;
const DAY = 24 * 60 * 60 * 1000;
/** Seeded referrals are created from here on, a few days apart. */
const FIRST_CREATED = Date.UTC(2022, 0, 10, 8, 0, 0);
/** Indexes that get the read-only `None`/`None` pair (§5.2; not settable, §6). */
const NONE_INDEXES = new Set([17, 48]);

/**
 * Odd values placed by index rather than by chance, so each one seen on the wire is sure to appear:
 * `{ every: 7, at: { 3: '' } }` puts `''` at indexes 3, 10, 17…
 */
interface Placement<T> {
  readonly every: number;
  readonly at: Readonly<Record<number, T>>;
}

/** §5.1: "May be `""` or null". */
const ODD_EXTERNAL_REFERENCE_IDS: Placement<string | null> = { every: 7, at: { 3: '', 6: null } };
/** §5.2 Customer Size: observed as `""` and null. */
const ODD_SIZES: Placement<string | null> = { every: 11, at: { 4: '', 9: null } };
/** §5.3: salesStage observed as the string "100". */
const ODD_SALES_STAGES: Placement<string> = { every: 9, at: { 0: '100' } };
/** Which external ids a customer carries (§5.2 CustomerProfile.ids), cycling by index. */
const CUSTOMER_ID_KINDS = [[], ['Duns'], ['External'], ['Duns', 'External']] as const;

/** §5.2 SolutionTag: the extra properties live payloads carry, as seen (null). */
const SOLUTION_EXTRAS = {
  price: null,
  quantity: null,
  currency: null,
  publisherName: null,
  solutionType: null,
  closingDateTime: null,
} as const;
/** §5.2 ReferralRequirements: `additionalRequirements.iot` as live payloads carry it. */
const IOT_REQUIREMENTS = {
  customerLicenseAgreementNumber: null,
  deviceCategory: null,
  siliconType: null,
  azureCertifiedDevice: false,
  attachServices: false,
} as const;

function placed<T>(placement: Placement<T>, index: number, otherwise: () => T): T {
  const slot = index % placement.every;
  return Object.hasOwn(placement.at, slot) ? (placement.at[slot] as T) : otherwise();
}

export function seedReferrals(): Referral[] {
  const draw = new SeedRandom(SEED);
  const pairs = settablePairs();
  const referrals: Referral[] = [];
  let createdMs = FIRST_CREATED;
  let pairIndex = 0;
  for (let index = 0; index < COUNT; index += 1) {
    createdMs += draw.int(6, 20) * DAY + draw.int(0, 86_399) * 1000;
    const [status, substatus] = NONE_INDEXES.has(index)
      ? ['None', 'None']
      : (pairs[pairIndex++ % pairs.length] as readonly [string, string]);
    // Every sixth referral is the Microsoft-facing half of a shared pair (§3.3): same engagementId.
    const sharedWith = index % 6 === 5 ? referrals[index - 1] : undefined;
    const plan = planReferral(draw, { index, status, substatus, createdMs, sharedWith });
    referrals.push(buildReferral(draw, plan));
  }
  return referrals;
}

function buildReferral(draw: SeedRandom, plan: Plan): Referral {
  const referral: Referral = {
    id: draw.guid(),
    engagementId: plan.sharedWith ? plan.sharedWith.engagementId : draw.guid(),
    name: `${plan.company} - ${draw.pick(PROJECTS)}`,
    externalReferenceId: placed(
      ODD_EXTERNAL_REFERENCE_IDS,
      plan.index,
      () => `CRM-${String(10_000 + plan.index * 37).padStart(6, '0')}`,
    ),
    organizationId: EMULATOR_ORGANIZATION.id,
    organizationName: EMULATOR_ORGANIZATION.name,
    createdDateTime: draw.stamp(plan.createdMs),
    updatedDateTime: draw.stamp(plan.updatedMs),
    // §6: an unanswered lead or opportunity expires after 14 days.
    expirationDateTime: plan.expiring ? draw.stamp(plan.createdMs + 14 * DAY) : null,
    acceptedDateTime: acceptedDateTime(draw, plan),
    status: plan.status,
    substatus: plan.substatus,
    statusReason: plan.traits.reasons ? draw.pick(plan.traits.reasons) : null,
    type: plan.type,
    qualification: plan.qualification,
    customerProfile: customerProfile(draw, plan),
    consent: {
      consentToToShareInfoWithOthers: draw.chance(0.7),
      consentToContact: draw.chance(0.8),
      consentToShareReferralWithMicrosoftSellers: draw.chance(0.75),
    },
    details: details(draw, plan),
    team: plan.team,
    inviteContext: inviteContext(draw, plan),
    target: target(draw, plan),
  };
  return plan.undocumented ? Object.assign(referral, undocumentedFields(draw, plan)) : referral;
}

/** §5.1: for an outgoing referral acceptedDateTime equals its creation time. */
function acceptedDateTime(draw: SeedRandom, plan: Plan): string | null {
  if (plan.category === 'outgoing') return draw.stamp(plan.createdMs);
  if (plan.traits.accepted) return draw.stamp(plan.createdMs + draw.int(1, 5) * DAY);
  return null;
}

function customerProfile(draw: SeedRandom, plan: Plan): Referral {
  const { country } = plan;
  return {
    name: plan.company,
    address: {
      addressLine1: `${draw.int(1, 9999)} ${draw.pick(STREETS)}`,
      addressLine2: draw.chance(0.3) ? `Suite ${draw.int(100, 999)}` : null,
      city: country.city,
      state: country.state,
      postalCode: country.postalCode,
      country: country.country,
      region: country.region,
    },
    size: placed(ODD_SIZES, plan.index, () => draw.pick(SIZES)),
    team: plan.customerTeam,
    ids: CUSTOMER_ID_KINDS[plan.index % CUSTOMER_ID_KINDS.length]?.map((kind) =>
      kind === 'Duns'
        ? { profileType: kind, id: String(draw.int(100_000_000, 999_999_999)) }
        : { profileType: kind, id: `EXT-${draw.hex(6).toUpperCase()}` },
    ),
    ...(plan.undocumented ? { isMatchingComplete: draw.chance(0.5) } : {}),
  };
}

function details(draw: SeedRandom, plan: Plan): Referral {
  return {
    notes: `${draw.pick(NOTE_OPENINGS)} ${draw.pick(PROJECTS).toLowerCase()} in ${plan.country.city}.`,
    dealValue: plan.dealValue,
    currency: plan.country.currency,
    closingDateTime: draw.stamp(plan.createdMs + draw.int(30, 180) * DAY),
    requirements: {
      industries: [{ id: draw.pick(INDUSTRIES) }],
      products: Array.from({ length: draw.chance(0.3) ? 2 : 1 }, () => ({ id: draw.pick(PRODUCTS) })),
      services: [{ id: draw.pick(SERVICES) }],
      solutions: [plan.undocumented ? { ...plan.solution, ...SOLUTION_EXTRAS } : plan.solution],
      ...(plan.undocumented
        ? { offers: [], salesPlays: [], additionalRequirements: { iot: IOT_REQUIREMENTS } }
        : {}),
    },
    ...(plan.undocumented
      ? { customerRequestedContact: draw.chance(0.5), customerAction: null, incentiveLevel: null }
      : {}),
  };
}

function inviteContext(draw: SeedRandom, plan: Plan): Referral {
  return {
    notes:
      plan.category === 'outgoing'
        ? `Hi Microsoft team, ${plan.company} asked us to co-sell on this.`
        : `Hi ${EMULATOR_ORGANIZATION.name}, ${plan.company} is looking for a partner in ${plan.country.city}.`,
    invitedBy: plan.invitedBy,
    ...(draw.chance(0.5) ? { assistanceRequestCode: draw.pick(ASSISTANCE_CODES) } : {}),
  };
}

/** §5.2 Target: Microsoft for a shared half, the partner's solution when shared, else now and then none. */
function target(draw: SeedRandom, plan: Plan): Referral[] {
  if (plan.sharedWith) return [{ type: 'BusinessProfileLocation', id: 'msft' }];
  if (plan.type === 'Shared') return [{ type: 'SolutionProfile', id: plan.named?.[0] ?? 'SOL-34104-EBB' }];
  if (plan.index % 8 === 2) return [{ type: 'None', id: '' }];
  if (plan.category === 'qualifiedLead') return [{ type: 'BusinessProfileLocation', id: draw.guid() }];
  return [];
}

/** The fields live payloads carry beyond the docs (§5.3). */
function undocumentedFields(draw: SeedRandom, plan: Plan): Referral {
  const registered = plan.traits.accepted && draw.chance(0.6);
  return {
    referralSource: null,
    callToAction: null,
    direction: plan.category === 'outgoing' ? 'Outgoing' : 'Incoming',
    closedDateTime: plan.status === 'Closed' ? draw.stamp(plan.updatedMs) : null,
    favorite: draw.chance(0.3),
    campaignId: draw.chance(0.3) ? `CMP-${draw.hex(8).toUpperCase()}` : null,
    salesStage: placed<string | null>(ODD_SALES_STAGES, plan.index, () => draw.pick(SALES_STAGES)),
    quality: 'Unknown',
    isSpam: false,
    mpnId: String(draw.int(1_000_000, 6_999_999)),
    referralProgram: null,
    dealSensitivity: 'None',
    createdVia: draw.pick(CHANNELS),
    lastModifiedVia: draw.pick(CHANNELS),
    tags: draw.chance(0.5) ? [] : [draw.pick(REFERRAL_TAGS)],
    registrationStatus: registered ? 'ReviewPending' : 'None',
    registrations: registered ? [registration(draw, plan)] : [],
    trackingInfo: {
      microsoftMsxId: draw.chance(0.5) ? `7-${draw.hex(10).toUpperCase()}` : null,
      microsoftUSFedOpportunityId: null,
      microsoftUSFedLeadId: null,
      migratedPSCDealId: null,
      migratedPSCPartnerDealId: null,
    },
  };
}

/** An Azure IP co-sell deal registration under review, for the deal value over one year. */
function registration(draw: SeedRandom, plan: Plan): Referral {
  const { createdMs, updatedMs, dealValue, solution } = plan;
  const { currency } = plan.country;
  return {
    id: draw.guid(),
    type: 'AzureIPCoSell',
    registrationDateTime: draw.stamp(updatedMs),
    status: 'ReviewPending',
    statusReason: null,
    contract: {
      value: dealValue,
      currency,
      startDateTime: draw.stamp(createdMs + 30 * DAY),
      endDateTime: draw.stamp(createdMs + 395 * DAY),
      signDateTime: draw.stamp(createdMs + 25 * DAY),
      // The connector's enum (`Perpetual` or `Finite`); this contract has an end date.
      term: 'Finite',
    },
    solutionDetails: [
      {
        id: solution.id,
        name: solution.name,
        value: dealValue,
        currency,
        isDeployedOnAzure: true,
        primaryDeploymentOn: draw.pick(DEPLOYMENT_SITES),
        pricingModel: 'PayAsYouGo',
        marketplaceTransactionDetails: {
          isMarketplaceTransacted: false,
          marketplaceTransactionDateTime: null,
        },
      },
    ],
    statusHistory: {
      reviewPendingDateTime: draw.stamp(updatedMs),
      actionRequiredDateTime: null,
      passedDateTime: null,
      failedDateTime: null,
      approvedDateTime: null,
    },
  };
}
