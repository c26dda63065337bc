/**
 * How each GraphQL enum value maps to the Partner API's PascalCase wire string (docs/partner-api.md §0.8,
 * §5.2). Typed against the generated `*Resolvers` types, which codegen derives from the same
 * mapping in codegen.yml: if the two ever disagree, type checking fails.
 */
import type { Resolvers } from './__generated__/resolvers-types.ts';

export const ENUM_WIRE_VALUES = {
  ReferralStatus: { NONE: 'None', NEW: 'New', ACTIVE: 'Active', CLOSED: 'Closed' },
  ReferralSubstatus: {
    NONE: 'None',
    PENDING: 'Pending',
    RECEIVED: 'Received',
    ACCEPTED: 'Accepted',
    WON: 'Won',
    LOST: 'Lost',
    DECLINED: 'Declined',
    EXPIRED: 'Expired',
  },
  ReferralType: { SHARED: 'Shared', INDEPENDENT: 'Independent' },
  ReferralQualification: {
    NONE: 'None',
    DIRECT: 'Direct',
    MARKETING_QUALIFIED: 'MarketingQualified',
    SALES_QUALIFIED: 'SalesQualified',
  },
  CustomerProfileIdType: { DUNS: 'Duns', EXTERNAL: 'External' },
  SolutionType: { NONE: 'None', CATEGORY: 'Category', NAME: 'Name' },
  TargetType: {
    NONE: 'None',
    BUSINESS_PROFILE_LOCATION: 'BusinessProfileLocation',
    SOLUTION_PROFILE: 'SolutionProfile',
  },
  AssistanceRequestCode: {
    UNKNOWN: 'Unknown',
    GENERAL_OR_OTHER: 'GeneralOrOther',
    CUSTOMER_TECHNICAL_ARCHITECTURE: 'CustomerTechnicalArchitecture',
    PROOF_OF_CONCEPT_OR_DEMO: 'ProofOfConceptOrDemo',
    QUOTES_OR_LICENSING: 'QuotesOrLicensing',
    POST_SALES_CUSTOMER_SUCCESS: 'PostSalesCustomerSuccess',
    WORKLOAD_SPECIFIC_VALUE_PROPOSITION: 'WorkloadSpecificValueProposition',
  },
  // §5.3: the connector's V3 contract (S6) and live payloads.
  ReferralDirection: { INCOMING: 'Incoming', OUTGOING: 'Outgoing' },
  ReferralSalesStage: { QUALIFY: 'Qualify', DEVELOP: 'Develop', PROPOSE: 'Propose', CLOSE: 'Close' },
  DealRegistrationType: { AZURE_IP_CO_SELL: 'AzureIPCoSell' },
  // `None` and `ReviewPending` seen live; the rest named after `statusHistory`'s fields (inferred).
  DealRegistrationStatus: {
    NONE: 'None',
    REVIEW_PENDING: 'ReviewPending',
    ACTION_REQUIRED: 'ActionRequired',
    PASSED: 'Passed',
    FAILED: 'Failed',
    APPROVED: 'Approved',
  },
  DealRegistrationContractTerm: { PERPETUAL: 'Perpetual', FINITE: 'Finite' },
  DealRegistrationDeployment: { CUSTOMER: 'Customer', PARTNER: 'Partner' },
  DealRegistrationPricingModel: { PAY_AS_YOU_GO: 'PayAsYouGo', OTHER: 'Other' },
} as const satisfies Required<Pick<Resolvers, EnumName>>;

export type EnumName =
  | 'ReferralStatus'
  | 'ReferralSubstatus'
  | 'ReferralType'
  | 'ReferralQualification'
  | 'CustomerProfileIdType'
  | 'SolutionType'
  | 'TargetType'
  | 'AssistanceRequestCode'
  | 'ReferralDirection'
  | 'ReferralSalesStage'
  | 'DealRegistrationType'
  | 'DealRegistrationStatus'
  | 'DealRegistrationContractTerm'
  | 'DealRegistrationDeployment'
  | 'DealRegistrationPricingModel';

/**
 * For each enum, the canonical wire value keyed by its lower-case form. The docs' examples mix
 * casings (`"Substatus"`, `"closed"`…, §10), so a read matches case-insensitively and answers the
 * canonical value.
 */
const CANONICAL: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  Object.entries(ENUM_WIRE_VALUES).map(([name, values]) => [
    name,
    new Map(Object.values(values).map((wire: string) => [wire.toLowerCase(), wire])),
  ]),
);

/**
 * The canonical wire value of `value` for enum `enumName`, or `null` when the enum has no such
 * value (a value the Partner API added after this schema): the field answers `null` instead of
 * failing the whole object.
 */
export function knownWireValue(enumName: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return CANONICAL.get(enumName)?.get(value.toLowerCase()) ?? null;
}

export function isWireEnum(enumName: string): boolean {
  return CANONICAL.has(enumName);
}

/** A wire enum value read for an answer: its canonical form, or `null` for one the schema does not know. */
export type WireEnumReader = (enumName: string, value: unknown) => string | null;

/**
 * The one reader of wire enum values for answers (buildSchema.ts's enum fields and
 * wirePresentation.ts's referrals share it): `onUnknown` hears each unknown enum value once, and
 * at most 1,000 distinct ones, since the values come from the Partner API.
 */
export function createWireEnumReader(onUnknown?: (enumName: string, value: string) => void): WireEnumReader {
  const reported = new Set<string>();
  return (enumName, value) => {
    const known = knownWireValue(enumName, value);
    if (known === null && typeof value === 'string' && onUnknown) {
      const key = `${enumName}.${value}`;
      if (!reported.has(key) && reported.size < 1000) {
        reported.add(key);
        onUnknown(enumName, value);
      }
    }
    return known;
  };
}
