/**
 * The values the seed varies, as tables: the seed's builders (seed.ts) only choose among them.
 * Enum-like values are the documented wire values (docs/partner-api.md §5.2, §5.3); names,
 * companies and e-mail addresses are fictitious.
 */

export interface Country {
  readonly country: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  readonly region: string;
  readonly currency: string;
  readonly locale: string;
  /** Country and area code for made-up phone numbers. */
  readonly dial: string;
}

type CountryRow = readonly [
  country: string,
  city: string,
  state: string,
  postalCode: string,
  region: string,
  currency: string,
  locale: string,
  dial: string,
];

const COUNTRY_ROWS: readonly CountryRow[] = [
  ['US', 'Seattle', 'WA', '98101', 'North America', 'USD', 'en-US', '+1 206'],
  ['US', 'Austin', 'TX', '78701', 'North America', 'USD', 'en-US', '+1 512'],
  ['US', 'Chicago', 'IL', '60601', 'North America', 'USD', 'en-US', '+1 312'],
  ['CA', 'Vancouver', 'BC', 'V6B 1A1', 'North America', 'CAD', 'en-CA', '+1 604'],
  ['GB', 'London', 'London', 'EC1A 1BB', 'Europe', 'GBP', 'en-GB', '+44 20'],
  ['DE', 'Munich', 'BY', '80331', 'Europe', 'EUR', 'de-DE', '+49 89'],
  ['FR', 'Lyon', 'ARA', '69001', 'Europe', 'EUR', 'fr-FR', '+33 4'],
  ['NL', 'Utrecht', 'UT', '3511 AA', 'Europe', 'EUR', 'nl-NL', '+31 30'],
  ['CH', 'Zurich', 'ZH', '8001', 'Europe', 'CHF', 'de-CH', '+41 44'],
  ['JP', 'Osaka', '27', '530-0001', 'Asia Pacific', 'JPY', 'ja-JP', '+81 6'],
  ['AU', 'Melbourne', 'VIC', '3000', 'Asia Pacific', 'AUD', 'en-AU', '+61 3'],
  ['IN', 'Pune', 'MH', '411001', 'Asia Pacific', 'INR', 'en-IN', '+91 20'],
  ['BR', 'Curitiba', 'PR', '80010-000', 'Latin America', 'BRL', 'pt-BR', '+55 41'],
];

export const COUNTRIES: readonly Country[] = COUNTRY_ROWS.map(
  ([country, city, state, postalCode, region, currency, locale, dial]) => ({
    country,
    city,
    state,
    postalCode,
    region,
    currency,
    locale,
    dial,
  }),
);

export const COMPANIES = [
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
] as const;

export const FIRST_NAMES = [
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
] as const;

export const LAST_NAMES = [
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
] as const;

export const CUSTOMER_TITLES = ['CIO', 'IT Director', 'Head of Procurement', 'CTO'] as const;

export const STREETS = [
  'Harbor Way',
  'Maple Avenue',
  'Market Street',
  'Station Road',
  'Innovation Drive',
  'Lakeview Boulevard',
  'Kingsway',
  'Riverside Park',
  'Commerce Court',
] as const;

/** Customer Size (§5.2). */
export const SIZES = [
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
] as const;

export const INDUSTRIES = [
  'Education',
  'Manufacturing',
  'Healthcare',
  'Government',
  'Hospitality',
  'Financial Services',
  'Retail & Consumer Goods',
  'Power & Utilities',
] as const;

export const PRODUCTS = [
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
] as const;

export const SERVICES = [
  'ConsultingAndProfessional',
  'DeploymentOrMigration',
  'Integration',
  'ManagedServices',
  'Licensing',
  'LearningAndCertification',
  'CustomSolution(ISV)',
] as const;

/** Solutions of SolutionType `Category` (§5.2): `[id, name]`. */
export const CATEGORY_SOLUTIONS = [
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

/** Catalog solutions of SolutionType `Name` (§5.2), the partner's own: `[id, name]`. */
export const NAMED_SOLUTIONS = [
  ['SOL-34104-EBB', 'Northwind Retail Insights'],
  ['SOL-51877-QXT', 'Northwind Secure Landing Zone'],
  ['SOL-20391-KLM', 'Northwind Field Service Accelerator'],
] as const;

export const PROJECTS = [
  'Azure migration',
  'Teams rollout',
  'Data platform modernisation',
  'Security assessment',
  'Dynamics 365 Sales pilot',
  'SAP on Azure move',
  'Power BI dashboards',
  'IoT line monitoring',
] as const;

export const NOTE_OPENINGS = ['Customer wants', 'Looking for help with', 'Evaluating'] as const;

/** Other partners that invite the emulator's organization to co-sell. */
export const INVITING_PARTNERS = [
  { organizationId: '8d1e4b7a-3c2f-4e9d-a1b6-0f7c2e5d9a13', organizationName: 'Fabrikam Solutions GmbH' },
  { organizationId: 'c4a9e2d1-7b3f-4a8e-9c5d-1e6f0b2a7d84', organizationName: 'Trey Digital Consulting' },
] as const;

export const MICROSOFT = { organizationId: 'msft', organizationName: 'Microsoft' } as const;

/** InviteContext.assistanceRequestCode (§5.2). */
export const ASSISTANCE_CODES = [
  'Unknown',
  'GeneralOrOther',
  'CustomerTechnicalArchitecture',
  'ProofOfConceptOrDemo',
  'QuotesOrLicensing',
  'PostSalesCustomerSuccess',
  'WorkloadSpecificValueProposition',
] as const;

/** §5.3: the connector's enum names, and null as seen live (`"100"` is placed by index in seed.ts). */
export const SALES_STAGES = ['Qualify', 'Develop', 'Propose', 'Close', null] as const;
export const CHANNELS = ['PartnerCenter', 'Api'] as const;
export const REFERRAL_TAGS = ['priority', 'renewal', 'fy25', 'public-sector'] as const;
/** The connector's DealRegistration enum for `solutionDetails[].primaryDeploymentOn`. */
export const DEPLOYMENT_SITES = ['Customer', 'Partner'] as const;

export type Category = 'qualifiedLead' | 'coSell' | 'outgoing' | 'marketplace';
export const CATEGORY_NAMES: readonly Category[] = ['qualifiedLead', 'coSell', 'outgoing', 'marketplace'];

export interface CategoryRule {
  /** Whether the referral may be `Shared`; one that may is Shared with probability 0.6. */
  readonly mayBeShared: boolean;
  readonly qualifications: readonly string[];
  /** Who invited the emulator's organization: Microsoft, another partner, or itself (outgoing). */
  readonly invitedBy: 'microsoft' | 'partner' | 'self';
}

/** The referral categories of §5.2 ("Referral category") and the fields that tell them apart. */
export const CATEGORIES: Readonly<Record<Category, CategoryRule>> = {
  qualifiedLead: {
    mayBeShared: false,
    qualifications: ['SalesQualified', 'MarketingQualified'],
    invitedBy: 'microsoft',
  },
  marketplace: { mayBeShared: false, qualifications: ['Direct'], invitedBy: 'microsoft' },
  coSell: { mayBeShared: true, qualifications: ['SalesQualified', 'None'], invitedBy: 'partner' },
  outgoing: { mayBeShared: true, qualifications: ['None'], invitedBy: 'self' },
};

export interface SubstatusTraits {
  /** Accepted by the partner at some point, so it has an `acceptedDateTime`. */
  readonly accepted: boolean;
  /** Always has an `expirationDateTime` (§6: 14 days to respond); others get one by chance. */
  readonly expires: boolean;
  /** Free-text `statusReason` values to pick from; none means `null`. */
  readonly reasons?: readonly (string | null)[];
}

/** What a referral's substatus says about its other fields; `None` is the read-only pair (§5.2). */
export const SUBSTATUS_TRAITS: Readonly<Record<string, SubstatusTraits>> = {
  None: { accepted: false, expires: false },
  Pending: { accepted: false, expires: true },
  Received: { accepted: false, expires: true },
  Accepted: { accepted: true, expires: false },
  Won: { accepted: true, expires: false },
  Lost: { accepted: true, expires: false, reasons: ['Customer chose a competitor', 'Budget cut', null] },
  Declined: {
    accepted: false,
    expires: false,
    reasons: ['Outside our service area', 'Not a fit for our solutions'],
  },
  Expired: { accepted: false, expires: true, reasons: ['No response within 14 days', null] },
};
