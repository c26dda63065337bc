/**
 * zod schemas of the Partner API's Referral JSON (docs/partner-api.md §5), used to check every response on
 * arrival. They validate, they never transform: callers keep the JSON exactly as parsed, so fields
 * the docs do not list (§5.3), key order and 7-digit timestamps survive untouched for the
 * full-replacement PUT. Unknown keys are allowed: `z.object` ignores them (its stripped copy is
 * never used, so `z.looseObject`'s key-by-key copy would be wasted work: it doubled the cost of
 * checking a 50-item page). Every documented field is optional and nullable, because the live
 * service omits and nulls fields freely (§10). Enum-valued fields are plain strings: a value the
 * docs do not know must not reject the whole referral.
 */
import { z } from 'zod';

const text = z.string().nullish();
const flag = z.boolean().nullish();
/** `dealValue` is a decimal; the PATCH docs send it as a string ("10000"), so accept both. */
const decimal = z.union([z.number(), z.string()]).nullish();
/**
 * A field no documentation page lists (docs/partner-api.md §5.2, §5.3: seen only as `null`, or
 * only in the connector's contract and live payloads): the Partner API adds and changes these
 * without notice, so any value passes, and the field answers `null` for one of an unexpected
 * type (rules in src/graphql/tolerantFields.ts, applied by src/graphql/wirePresentation.ts)
 * instead of one odd value failing the whole referral, and with it the whole page.
 */
const unstated = z.unknown().optional();

const member = z.object({
  firstName: text,
  lastName: text,
  phoneNumber: text,
  email: text,
  title: text,
  contactPreference: z.object({ locale: text, disableNotifications: flag }).nullish(),
});

const address = z.object({
  addressLine1: text,
  addressLine2: text,
  city: text,
  state: text,
  postalCode: text,
  country: text,
  region: text,
});

const customerProfileId = z.object({ profileType: text, id: text });

const customerProfile = z.object({
  name: text,
  address: address.nullish(),
  size: text,
  team: z.array(member).nullish(),
  // The wire sends an array of {profileType,id}; older examples show `{}` (§5.2).
  ids: z.union([z.array(customerProfileId), z.object({})]).nullish(),
  // §5.3 (live payloads only): unchecked, see `unstated`.
  isMatchingComplete: unstated,
});

const consent = z.object({
  consentToToShareInfoWithOthers: flag,
  consentToContact: flag,
  consentToShareReferralWithMicrosoftSellers: flag,
  consentToMicrosoftToContactSpecificPartners: flag,
});

const tag = z.object({ id: text });
// The extras beside id/name/type were seen live, mostly null (§5.2 SolutionTag).
const solutionTag = z.object({
  id: text,
  name: text,
  type: text,
  price: unstated,
  quantity: unstated,
  currency: unstated,
  publisherName: unstated,
  solutionType: text,
  closingDateTime: unstated,
});
const attribute = z.object({ id: text, type: text });

const requirements = z.object({
  industries: z.array(tag).nullish(),
  products: z.array(tag).nullish(),
  services: z.array(tag).nullish(),
  solutions: z.array(solutionTag).nullish(),
  // Items the connector leaves open (`items: {}`) and live payloads only showed empty (§5.2).
  offers: z.array(unstated).nullish(),
  salesPlays: z.array(unstated).nullish(),
  additionalRequirements: z
    .object({
      attributes: z.array(attribute).nullish(),
      iot: z
        .object({
          customerLicenseAgreementNumber: unstated,
          deviceCategory: unstated,
          siliconType: unstated,
          azureCertifiedDevice: flag,
          attachServices: flag,
        })
        .nullish(),
    })
    .nullish(),
});

const details = z.object({
  notes: text,
  dealValue: decimal,
  currency: text,
  closingDateTime: text,
  requirements: requirements.nullish(),
  customerRequestedContact: flag,
  customerAction: text,
  incentiveLevel: unstated,
});

const inviteContext = z.object({
  notes: text,
  invitedBy: z.object({ organizationId: text, organizationName: text }).nullish(),
  assistanceRequestCode: text,
  invitedMpnId: text,
});

const target = z.object({ id: text, type: text });
const link = z.object({ uri: text, method: text });

/*
 * The §5.3 objects below are not checked on arrival (every §5.3 field is `unstated` in the
 * referral): they are the shapes the connector documents, for the types GraphQL expects; the
 * presentation before GraphQL reads them (src/graphql/wirePresentation.ts) answers `null` for any
 * value of another type.
 */

/** §5.3 `trackingInfo`: the connector lists `microsoftMsxId`; live payloads carry the others. */
const trackingInfo = z.object({
  microsoftMsxId: text,
  microsoftUSFedOpportunityId: text,
  microsoftUSFedLeadId: text,
  migratedPSCDealId: text,
  migratedPSCPartnerDealId: text,
});

/** §5.3 `registrations[]`: the connector's Referral and DealRegistration definitions (S6). */
const marketplaceTransaction = z.object({
  isMarketplaceTransacted: flag,
  marketplaceTransactionDateTime: text,
});
const registrationSolution = z.object({
  id: text,
  name: text,
  // Numbers in the connector; a PATCH may carry them as strings, as `dealValue` (§3.5).
  value: decimal,
  currency: text,
  isDeployedOnAzure: flag,
  primaryDeploymentOn: text,
  pricingModel: text,
  marketplaceTransactionDetails: marketplaceTransaction.nullish(),
});
const registrationContract = z.object({
  value: decimal,
  currency: text,
  startDateTime: text,
  endDateTime: text,
  signDateTime: text,
  term: text,
});
const registrationStatusHistory = z.object({
  reviewPendingDateTime: text,
  actionRequiredDateTime: text,
  passedDateTime: text,
  failedDateTime: text,
  approvedDateTime: text,
});
const dealRegistration = z.object({
  id: text,
  type: text,
  registrationDateTime: text,
  status: text,
  statusReason: text,
  contract: registrationContract.nullish(),
  solutionDetails: z.array(registrationSolution).nullish(),
  statusHistory: registrationStatusHistory.nullish(),
});

export const wireReferralSchema = z.object({
  id: z.string().min(1),
  engagementId: text,
  name: text,
  externalReferenceId: text,
  organizationId: text,
  organizationName: text,
  createdDateTime: text,
  updatedDateTime: text,
  expirationDateTime: text,
  acceptedDateTime: unstated, // §5.3
  status: text,
  substatus: text,
  statusReason: text,
  type: text,
  qualification: text,
  referralSource: text,
  callToAction: text,
  customerProfile: customerProfile.nullish(),
  consent: consent.nullish(),
  details: details.nullish(),
  team: z.array(member).nullish(),
  inviteContext: inviteContext.nullish(),
  target: z.array(target).nullish(),
  links: z.object({ self: link.nullish(), relatedReferrals: link.nullish() }).nullish(),
  // §5.3: in the connector's V3 contract and on the wire, not on any documentation page, so
  // unchecked: an odd value answers `null` for that field, never UPSTREAM_BAD_RESPONSE for the page.
  // (`salesStage` was seen live as the string "100"; `tags` items carry a stray `tag` property.)
  direction: unstated,
  closedDateTime: unstated,
  salesStage: unstated,
  favorite: unstated,
  isSpam: unstated,
  campaignId: unstated,
  mpnId: unstated,
  referralProgram: unstated,
  quality: unstated,
  dealSensitivity: unstated,
  createdVia: unstated,
  lastModifiedVia: unstated,
  lastRunId: unstated,
  tags: unstated,
  registrationStatus: unstated,
  registrations: unstated,
  trackingInfo: unstated,
  // The version every update needs (§7); a referral without one cannot be updated safely.
  eTag: z.string().min(1),
});

/** A list page (§3.1): OData envelope around `value`. */
export const wireReferralPageSchema = z.object({
  value: z.array(wireReferralSchema),
  '@odata.nextLink': z.string().min(1).nullish(),
});

export type WireReferral = z.infer<typeof wireReferralSchema>;
export type WireReferralPage = z.infer<typeof wireReferralPageSchema>;
export type WireCustomerProfile = z.infer<typeof customerProfile>;
export type WireCustomerProfileId = z.infer<typeof customerProfileId>;
export type WireAddress = z.infer<typeof address>;
export type WireMember = z.infer<typeof member>;
export type WireContactPreference = NonNullable<WireMember['contactPreference']>;
export type WireConsent = z.infer<typeof consent>;
export type WireDetails = z.infer<typeof details>;
export type WireRequirements = z.infer<typeof requirements>;
export type WireAdditionalRequirements = NonNullable<WireRequirements['additionalRequirements']>;
export type WireTag = z.infer<typeof tag>;
export type WireSolutionTag = z.infer<typeof solutionTag>;
export type WireAttribute = z.infer<typeof attribute>;
export type WireInviteContext = z.infer<typeof inviteContext>;
export type WireInvitedBy = NonNullable<WireInviteContext['invitedBy']>;
export type WireTarget = z.infer<typeof target>;
export type WireLinks = NonNullable<WireReferral['links']>;
export type WireLink = z.infer<typeof link>;
export type WireTrackingInfo = z.infer<typeof trackingInfo>;
export type WireIotRequirements = NonNullable<WireAdditionalRequirements['iot']>;
export type WireDealRegistration = z.infer<typeof dealRegistration>;
export type WireDealRegistrationContract = z.infer<typeof registrationContract>;
export type WireDealRegistrationSolution = z.infer<typeof registrationSolution>;
export type WireMarketplaceTransaction = z.infer<typeof marketplaceTransaction>;
export type WireRegistrationStatusHistory = z.infer<typeof registrationStatusHistory>;
