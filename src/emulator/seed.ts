/**
 * Deterministic seed data: realistic referrals in the wire shape of fact sheet §5 (camelCase keys,
 * PascalCase enum values, 7-digit UTC timestamps), with about a third also carrying the
 * undocumented fields live payloads show (§5.3). All names, companies and e-mail addresses are
 * fictitious (example.com). No `eTag` or `links`: the store and the server assign those.
 */
import { TRANSITION_TABLE } from '../domain/referral/transitions.ts';
import type { Referral } from './store.ts';
import { formatTimestamp } from './timestamp.ts';

/** The partner organization the emulator plays (owner of every referral; §5.1 organizationId). */
export const EMULATOR_ORGANIZATION = {
  id: '5f0c8a4e-2b7d-4c1a-9e3f-6d8b1a2c3e4f',
  name: 'Northwind Cloud Partners',
} as const;

/** Members of the emulator's partner organization, so Referral-User tokens (§9) have something to see. */
export const PARTNER_STAFF = [
  { firstName: 'Priya', lastName: 'Raman', title: 'Partner Sales Executive' },
  { firstName: 'Jonas', lastName: 'Becker', title: 'Solution Architect' },
  { firstName: 'Sofia', lastName: 'Marquez', title: 'Account Manager' },
  { firstName: 'Liam', lastName: "O'Brien", title: 'Co-sell Lead' },
  { firstName: 'Hana', lastName: 'Sato', title: 'Technical Specialist' },
  { firstName: 'Noah', lastName: 'Fischer', title: 'Alliance Manager' },
] as const;

export const PARTNER_EMAIL_DOMAIN = 'partner.example.com';

/** mulberry32: a tiny, well-mixed PRNG, so the seed is the same on every run (no Math.random). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Country {
  readonly country: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  readonly region: string;
  readonly currency: string;
  readonly locale: string;
  readonly dial: string;
}

const COUNTRIES: readonly Country[] = [
  {
    country: 'US',
    city: 'Seattle',
    state: 'WA',
    postalCode: '98101',
    region: 'North America',
    currency: 'USD',
    locale: 'en-US',
    dial: '+1 206',
  },
  {
    country: 'US',
    city: 'Austin',
    state: 'TX',
    postalCode: '78701',
    region: 'North America',
    currency: 'USD',
    locale: 'en-US',
    dial: '+1 512',
  },
  {
    country: 'US',
    city: 'Chicago',
    state: 'IL',
    postalCode: '60601',
    region: 'North America',
    currency: 'USD',
    locale: 'en-US',
    dial: '+1 312',
  },
  {
    country: 'CA',
    city: 'Vancouver',
    state: 'BC',
    postalCode: 'V6B 1A1',
    region: 'North America',
    currency: 'CAD',
    locale: 'en-CA',
    dial: '+1 604',
  },
  {
    country: 'GB',
    city: 'London',
    state: 'London',
    postalCode: 'EC1A 1BB',
    region: 'Europe',
    currency: 'GBP',
    locale: 'en-GB',
    dial: '+44 20',
  },
  {
    country: 'DE',
    city: 'Munich',
    state: 'BY',
    postalCode: '80331',
    region: 'Europe',
    currency: 'EUR',
    locale: 'de-DE',
    dial: '+49 89',
  },
  {
    country: 'FR',
    city: 'Lyon',
    state: 'ARA',
    postalCode: '69001',
    region: 'Europe',
    currency: 'EUR',
    locale: 'fr-FR',
    dial: '+33 4',
  },
  {
    country: 'NL',
    city: 'Utrecht',
    state: 'UT',
    postalCode: '3511 AA',
    region: 'Europe',
    currency: 'EUR',
    locale: 'nl-NL',
    dial: '+31 30',
  },
  {
    country: 'CH',
    city: 'Zurich',
    state: 'ZH',
    postalCode: '8001',
    region: 'Europe',
    currency: 'CHF',
    locale: 'de-CH',
    dial: '+41 44',
  },
  {
    country: 'JP',
    city: 'Osaka',
    state: '27',
    postalCode: '530-0001',
    region: 'Asia Pacific',
    currency: 'JPY',
    locale: 'ja-JP',
    dial: '+81 6',
  },
  {
    country: 'AU',
    city: 'Melbourne',
    state: 'VIC',
    postalCode: '3000',
    region: 'Asia Pacific',
    currency: 'AUD',
    locale: 'en-AU',
    dial: '+61 3',
  },
  {
    country: 'IN',
    city: 'Pune',
    state: 'MH',
    postalCode: '411001',
    region: 'Asia Pacific',
    currency: 'INR',
    locale: 'en-IN',
    dial: '+91 20',
  },
  {
    country: 'BR',
    city: 'Curitiba',
    state: 'PR',
    postalCode: '80010-000',
    region: 'Latin America',
    currency: 'BRL',
    locale: 'pt-BR',
    dial: '+55 41',
  },
];

const COMPANIES = [
  'Contoso Pharmaceuticals',
  'Fabrikam Residences',
  'Tailspin Toys',
  'Wingtip Toys',
  'Adventure Works Cycles',
  'Alpine Ski House',
  'Coho Winery',
  'Woodgrove Bank',
  'Litware Inc.',
  'Proseware Inc.',
  'Trey Research',
  'Lucerne Publishing',
  "Margie's Travel",
  'Fourth Coffee',
  'Humongous Insurance',
  'Wide World Importers',
  'Blue Yonder Airlines',
  'Graphic Design Institute',
  'School of Fine Art',
  'VanArsdel Ltd.',
  'Relecloud',
  'Bellows College',
  "Munson's Pickles and Preserves",
  'Southridge Video',
  'Consolidated Messenger',
  'A. Datum Corporation',
  'First Up Consultants',
  'Nod Publishers',
  'Best For You Organics',
  'Lamna Healthcare',
];

const FIRST_NAMES = [
  'Amelia',
  'Mateo',
  'Chloe',
  'Ravi',
  'Ingrid',
  'Kenji',
  'Olivia',
  'Tomas',
  'Zara',
  'Diego',
  'Freya',
  'Yusuf',
  'Elena',
  'Marcus',
  'Aiko',
  'Niamh',
];
const LAST_NAMES = [
  'Lindqvist',
  'Okafor',
  'Dubois',
  'Nakamura',
  "O'Connor",
  'Silva',
  'Kowalski',
  'Haddad',
  'Moreau',
  'Patel',
  'Jensen',
  'Castillo',
  'Schmidt',
  'Nguyen',
];
const STREETS = [
  'Harbor Way',
  'Maple Avenue',
  'Market Street',
  'Station Road',
  'Innovation Drive',
  'Lakeview Boulevard',
  'Kingsway',
  'Riverside Park',
  'Commerce Court',
];
const SIZES = [
  '1to50employees',
  '51to500employees',
  'Morethan500employees',
  '1to9employees',
  '10to50employees',
  '51to250employees',
  '251to1000employees',
  '1001to5000employees',
  '5001to10000employees',
  '10001to20000employees',
  'Morethan20000employees',
];
const INDUSTRIES = [
  'Education',
  'Manufacturing',
  'Healthcare',
  'Government',
  'Hospitality',
  'Financial Services',
  'Retail & Consumer Goods',
  'Power & Utilities',
];
const PRODUCTS = [
  'Azure',
  'Microsoft365',
  'Dynamics365Enterprise',
  'Dynamics365Business',
  'Teams',
  'PowerBI',
  'SQL',
  'Windows',
  'EnterpriseMobilityAndSecurity',
  'SharePoint',
];
const SERVICES = [
  'ConsultingAndProfessional',
  'DeploymentOrMigration',
  'Integration',
  'ManagedServices',
  'Licensing',
  'LearningAndCertification',
  'CustomSolution(ISV)',
];
const CATEGORY_SOLUTIONS = [
  ['CloudMigration', 'Cloud Migration'],
  ['DataWarehouse', 'Data Warehouse'],
  ['ArtificialIntelligence', 'Artificial Intelligence'],
  ['IdentityandAccessManagement', 'Identity and Access Management'],
  ['BackupDisasterRecovery', 'Backup and Disaster Recovery'],
  ['SAPonAzure', 'SAP on Azure'],
  ['DevOps', 'DevOps'],
  ['Dynamics365forSales', 'Dynamics 365 for Sales'],
  ['InternetofThings', 'Internet of Things'],
] as const;
const NAMED_SOLUTIONS = [
  ['SOL-34104-EBB', 'Northwind Retail Insights'],
  ['SOL-51877-QXT', 'Northwind Secure Landing Zone'],
  ['SOL-20391-KLM', 'Northwind Field Service Accelerator'],
] as const;
const PROJECTS = [
  'Azure migration',
  'Teams rollout',
  'Data platform modernisation',
  'Security assessment',
  'Dynamics 365 Sales pilot',
  'SAP on Azure move',
  'Power BI dashboards',
  'IoT line monitoring',
];
const INVITING_PARTNERS = [
  { organizationId: '8d1e4b7a-3c2f-4e9d-a1b6-0f7c2e5d9a13', organizationName: 'Fabrikam Solutions GmbH' },
  { organizationId: 'c4a9e2d1-7b3f-4a8e-9c5d-1e6f0b2a7d84', organizationName: 'Trey Digital Consulting' },
];
const ASSISTANCE_CODES = [
  'Unknown',
  'GeneralOrOther',
  'CustomerTechnicalArchitecture',
  'ProofOfConceptOrDemo',
  'QuotesOrLicensing',
  'PostSalesCustomerSuccess',
  'WorkloadSpecificValueProposition',
];
const STATUS_REASONS: Record<string, readonly (string | null)[]> = {
  Lost: ['Customer chose a competitor', 'Budget cut', null],
  Declined: ['Outside our service area', 'Not a fit for our solutions'],
  Expired: ['No response within 14 days', null],
};

const DAY = 24 * 60 * 60 * 1000;
/** Seeded referrals are created from here on, a few days apart. */
const FIRST_CREATED = Date.UTC(2022, 0, 10, 8, 0, 0);
/** Indexes that get the readable-only `None`/`None` pair (§5.2; not settable, §6). */
const NONE_INDEXES = new Set([17, 48]);
const COUNT = 65;

export function seedReferrals(): Referral[] {
  const random = createRandom(0x5eed2024);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number): boolean => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (n: number): string => Array.from({ length: n }, () => int(0, 15).toString(16)).join('');
  const guid = (): string =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const stamp = (ms: number): string => formatTimestamp(ms + int(0, 999), int(0, 9999));
  const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const phone = (c: Country): string => `${c.dial} 555 01${String(int(0, 99)).padStart(2, '0')}`;

  const pairs = Object.entries(TRANSITION_TABLE).flatMap(([status, row]) =>
    row.substatuses.map((substatus) => [status, substatus] as const),
  );

  const staffMember = (index: number, c: Country, withTitle: boolean): Record<string, unknown> => {
    const s = PARTNER_STAFF[index % PARTNER_STAFF.length] as (typeof PARTNER_STAFF)[number];
    return {
      firstName: s.firstName,
      lastName: s.lastName,
      phoneNumber: phone(c),
      email: `${slug(s.firstName)}.${slug(s.lastName)}@${PARTNER_EMAIL_DOMAIN}`,
      contactPreference: { locale: c.locale, disableNotifications: chance(0.2) },
      ...(withTitle ? { title: s.title } : {}),
    };
  };
  const customerContact = (domain: string, c: Country, withTitle: boolean): Record<string, unknown> => {
    const firstName = pick(FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    return {
      firstName,
      lastName,
      phoneNumber: phone(c),
      email: `${slug(firstName)}.${slug(lastName)}@${domain}`,
      contactPreference: { locale: c.locale, disableNotifications: chance(0.3) },
      ...(withTitle ? { title: pick(['CIO', 'IT Director', 'Head of Procurement', 'CTO']) } : {}),
    };
  };

  const referrals: Referral[] = [];
  let created = FIRST_CREATED;
  let pairIndex = 0;
  for (let i = 0; i < COUNT; i += 1) {
    created += int(6, 20) * DAY + int(0, 86_399) * 1000;
    const [status, substatus] = NONE_INDEXES.has(i)
      ? (['None', 'None'] as const)
      : (pairs[pairIndex++ % pairs.length] as readonly [string, string]);
    const undocumented = i % 3 === 0;
    const c = pick(COUNTRIES);
    const company = COMPANIES[i % COMPANIES.length] as string;
    const domain = `${slug(company)}.example.com`;
    const previous = referrals[i - 1];
    // Every sixth referral is the Microsoft-facing half of a shared pair (§3.3): same engagementId.
    const sharesEngagement = i % 6 === 5 && previous !== undefined;

    const category = sharesEngagement
      ? 'outgoing'
      : pick(['qualifiedLead', 'coSell', 'outgoing', 'marketplace'] as const);
    const type =
      category === 'qualifiedLead' || category === 'marketplace'
        ? 'Independent'
        : sharesEngagement || chance(0.6)
          ? 'Shared'
          : 'Independent';
    const qualification =
      category === 'qualifiedLead'
        ? pick(['SalesQualified', 'MarketingQualified'])
        : category === 'marketplace'
          ? 'Direct'
          : category === 'coSell'
            ? pick(['SalesQualified', 'None'])
            : 'None';
    const invitedBy =
      category === 'coSell'
        ? pick(INVITING_PARTNERS)
        : category === 'outgoing'
          ? { organizationId: EMULATOR_ORGANIZATION.id, organizationName: EMULATOR_ORGANIZATION.name }
          : { organizationId: 'msft', organizationName: 'Microsoft' };

    const createdMs = created;
    const updatedMs = createdMs + int(0, 30) * DAY + int(1, 86_399) * 1000;
    const closed = status === 'Closed';
    const accepted = status === 'Active' || substatus === 'Won' || substatus === 'Lost';
    const expiring = status === 'New' || substatus === 'Expired' || chance(0.3);
    const named = chance(0.35) ? pick(NAMED_SOLUTIONS) : undefined;
    const solution = named
      ? { id: named[0], name: named[1], type: 'Name' }
      : i % 16 === 7
        ? { id: 'None', name: 'None', type: 'None' }
        : (([id, name]) => ({ id, name, type: 'Category' }))(pick(CATEGORY_SOLUTIONS));
    const dealValue =
      c.currency === 'JPY'
        ? int(10, 900) * 100_000
        : int(5, 400) * 1000 + (chance(0.3) ? int(1, 99) / 100 : 0);
    const team = [staffMember(i, c, undocumented && chance(0.7))];
    if (chance(0.5)) team.push(staffMember(i + int(1, 5), c, false));
    const customerTeam = [customerContact(domain, c, undocumented && chance(0.5))];
    if (chance(0.3)) customerTeam.push(customerContact(domain, c, false));

    const referral: Referral = {
      id: guid(),
      engagementId: sharesEngagement ? previous.engagementId : guid(),
      name: `${company} - ${pick(PROJECTS)}`,
      externalReferenceId:
        i % 7 === 3 ? '' : i % 7 === 6 ? null : `CRM-${String(10_000 + i * 37).padStart(6, '0')}`,
      organizationId: EMULATOR_ORGANIZATION.id,
      organizationName: EMULATOR_ORGANIZATION.name,
      createdDateTime: stamp(createdMs),
      updatedDateTime: stamp(updatedMs),
      // §6: an unanswered lead or opportunity expires after 14 days.
      expirationDateTime: expiring ? stamp(createdMs + 14 * DAY) : null,
      // §5.1: for an outgoing referral acceptedDateTime equals its creation time.
      acceptedDateTime:
        accepted || category === 'outgoing'
          ? category === 'outgoing'
            ? stamp(createdMs)
            : stamp(createdMs + int(1, 5) * DAY)
          : null,
      status,
      substatus,
      statusReason: STATUS_REASONS[substatus] ? pick(STATUS_REASONS[substatus] ?? []) : null,
      type,
      qualification,
      customerProfile: {
        name: company,
        address: {
          addressLine1: `${int(1, 9999)} ${pick(STREETS)}`,
          addressLine2: chance(0.3) ? `Suite ${int(100, 999)}` : null,
          city: c.city,
          state: c.state,
          postalCode: c.postalCode,
          country: c.country,
          region: c.region,
        },
        size: i % 11 === 4 ? '' : i % 11 === 9 ? null : pick(SIZES),
        team: customerTeam,
        ids:
          i % 4 === 0
            ? []
            : i % 4 === 1
              ? [{ profileType: 'Duns', id: String(int(100_000_000, 999_999_999)) }]
              : i % 4 === 2
                ? [{ profileType: 'External', id: `EXT-${hex(6).toUpperCase()}` }]
                : [
                    { profileType: 'Duns', id: String(int(100_000_000, 999_999_999)) },
                    { profileType: 'External', id: `EXT-${hex(6).toUpperCase()}` },
                  ],
        ...(undocumented ? { isMatchingComplete: chance(0.5) } : {}),
      },
      consent: {
        consentToToShareInfoWithOthers: chance(0.7),
        consentToContact: chance(0.8),
        consentToShareReferralWithMicrosoftSellers: chance(0.75),
      },
      details: {
        notes: `${pick(['Customer wants', 'Looking for help with', 'Evaluating'])} ${pick(PROJECTS).toLowerCase()} in ${c.city}.`,
        dealValue,
        currency: c.currency,
        closingDateTime: stamp(createdMs + int(30, 180) * DAY),
        requirements: {
          industries: [{ id: pick(INDUSTRIES) }],
          products: chance(0.3) ? [{ id: pick(PRODUCTS) }, { id: pick(PRODUCTS) }] : [{ id: pick(PRODUCTS) }],
          services: [{ id: pick(SERVICES) }],
          solutions: [solution],
          ...(undocumented ? { offers: [], salesPlays: [] } : {}),
        },
        ...(undocumented
          ? { customerRequestedContact: chance(0.5), customerAction: null, incentiveLevel: null }
          : {}),
      },
      team,
      inviteContext: {
        notes:
          category === 'outgoing'
            ? `Hi Microsoft team, ${company} asked us to co-sell on this.`
            : `Hi ${EMULATOR_ORGANIZATION.name}, ${company} is looking for a partner in ${c.city}.`,
        invitedBy,
        ...(chance(0.5) ? { assistanceRequestCode: pick(ASSISTANCE_CODES) } : {}),
      },
      target: sharesEngagement
        ? [{ type: 'BusinessProfileLocation', id: 'msft' }]
        : type === 'Shared'
          ? [{ type: 'SolutionProfile', id: named?.[0] ?? 'SOL-34104-EBB' }]
          : i % 8 === 2
            ? [{ type: 'None', id: '' }]
            : category === 'qualifiedLead'
              ? [{ type: 'BusinessProfileLocation', id: guid() }]
              : [],
    };

    if (undocumented) {
      const registered = accepted && chance(0.6);
      Object.assign(referral, {
        referralSource: null,
        callToAction: null,
        direction: category === 'outgoing' ? 'Outgoing' : 'Incoming',
        closedDateTime: closed ? stamp(updatedMs) : null,
        favorite: chance(0.3),
        campaignId: chance(0.3) ? `CMP-${hex(8).toUpperCase()}` : null,
        // §5.3: observed as the string "100" as well as the connector's enum names and null.
        salesStage: i % 9 === 0 ? '100' : pick(['Qualify', 'Develop', 'Propose', 'Close', null]),
        quality: 'Unknown',
        isSpam: false,
        mpnId: String(int(1_000_000, 6_999_999)),
        referralProgram: null,
        dealSensitivity: 'None',
        createdVia: pick(['PartnerCenter', 'Api']),
        lastModifiedVia: pick(['PartnerCenter', 'Api']),
        tags: chance(0.5) ? [] : [pick(['priority', 'renewal', 'fy25', 'public-sector'])],
        registrationStatus: registered ? 'ReviewPending' : 'None',
        registrations: registered
          ? [
              {
                id: guid(),
                type: 'AzureIPCoSell',
                registrationDateTime: stamp(updatedMs),
                status: 'ReviewPending',
                statusReason: null,
                contract: {
                  value: dealValue,
                  currency: c.currency,
                  startDateTime: stamp(createdMs + 30 * DAY),
                  endDateTime: stamp(createdMs + 395 * DAY),
                  signDateTime: stamp(createdMs + 25 * DAY),
                  term: 12,
                },
                solutionDetails: [
                  {
                    id: solution.id,
                    name: solution.name,
                    value: dealValue,
                    currency: c.currency,
                    isDeployedOnAzure: true,
                    primaryDeploymentOn: pick(['Customer', 'Partner']),
                    pricingModel: 'PayAsYouGo',
                    marketplaceTransactionDetails: {
                      isMarketplaceTransacted: false,
                      marketplaceTransactionDateTime: null,
                    },
                  },
                ],
                statusHistory: {
                  reviewPendingDateTime: stamp(updatedMs),
                  actionRequiredDateTime: null,
                  passedDateTime: null,
                  failedDateTime: null,
                  approvedDateTime: null,
                },
              },
            ]
          : [],
        trackingInfo: {
          microsoftMsxId: chance(0.5) ? `7-${hex(10).toUpperCase()}` : null,
          microsoftUSFedOpportunityId: null,
          microsoftUSFedLeadId: null,
          migratedPSCDealId: null,
          migratedPSCPartnerDealId: null,
        },
      });
    }
    referrals.push(referral);
  }
  return referrals;
}
