/**
 * The Referral schema of Microsoft's certified Partner Center Referrals connector, written out as
 * the property types and enums seeded referrals are checked against (seedMatchesSpec.test.ts).
 *
 * Source: microsoft/PowerPlatformConnectors
 * `certified-connectors/PartnerCenterReferrals/apiDefinition.swagger.json`, definition
 * `Microsoft.Partner.Service.PartnerReferrals.Contracts.V3.Referral`. Copied by hand rather than
 * read at test time, so the test needs nothing outside this repository.
 *
 * The table mirrors the JSON: an object literal is an object with those properties, `[x]` an array
 * of `x`, `oneOf(...)` a string from the spec's `enum`, and `'any'` the spec's `items: {}` (items
 * it leaves open). The registration objects are filled in from the spec's `DealRegistration`
 * definition (the PATCH body that adds one), which describes them more fully: marked "(DR)".
 */

export class OneOf {
  readonly values: readonly string[];

  constructor(values: readonly string[]) {
    this.values = values;
  }
}

export type Schema =
  | 'string'
  | 'number'
  | 'boolean'
  | 'any'
  | OneOf
  | readonly [Schema]
  | { readonly [property: string]: Schema };

const oneOf = (...values: string[]): OneOf => new OneOf(values);

const MEMBER: Schema = {
  contactPreference: { disableNotifications: 'boolean', locale: 'string' },
  email: 'string',
  firstName: 'string',
  lastName: 'string',
  phoneNumber: 'string',
};

const LINK: Schema = { method: 'string', uri: 'string' };

const REGISTRATION: Schema = {
  id: 'string',
  type: oneOf('AzureIPCoSell'), // (DR)
  registrationDateTime: 'string',
  status: 'string',
  statusReason: 'string',
  contract: {
    value: 'number',
    currency: 'string',
    startDateTime: 'string',
    endDateTime: 'string',
    signDateTime: 'string',
    // The Referral definition says only "i.e. Finite or Perpetual"; DealRegistration has the enum.
    term: oneOf('Perpetual', 'Finite'), // (DR)
  },
  solutionDetails: [
    {
      id: 'string',
      name: 'string',
      currency: 'string', // (DR)
      value: 'number',
      isDeployedOnAzure: 'boolean',
      primaryDeploymentOn: oneOf('Customer', 'Partner'), // (DR)
      pricingModel: oneOf('PayAsYouGo', 'Other'), // (DR)
      marketplaceTransactionDetails: {
        isMarketplaceTransacted: 'boolean',
        marketplaceTransactionDateTime: 'string',
      },
    },
  ],
  statusHistory: {
    reviewPendingDateTime: 'string',
    actionRequiredDateTime: 'string',
    passedDateTime: 'string',
    failedDateTime: 'string',
    approvedDateTime: 'string',
  },
};

export const CONNECTOR_REFERRAL: Schema = {
  '@odata.context': 'string',
  campaignId: 'string',
  consent: {
    consentToContact: 'boolean',
    consentToToShareInfoWithOthers: 'boolean',
    consentToShareReferralWithMicrosoftSellers: 'boolean',
  },
  createdDateTime: 'string',
  customerProfile: {
    address: {
      addressLine1: 'string',
      addressLine2: 'string',
      city: 'string',
      country: 'string',
      postalCode: 'string',
      region: 'string',
      state: 'string',
    },
    ids: ['any'],
    name: 'string',
    size: 'string',
    team: [MEMBER],
  },
  details: {
    closingDateTime: 'string',
    currency: 'string',
    customerAction: 'string',
    customerRequestedContact: 'boolean',
    dealValue: 'number',
    notes: 'string',
    requirements: {
      industries: [{ id: 'string' }],
      products: [{ id: 'string' }],
      services: [{ id: 'string' }],
      solutions: ['any'],
      offers: ['any'],
      // An object in the spec, whose `items` (sic) describe nothing usable.
      additionalRequirements: {},
    },
  },
  eTag: 'string',
  engagementId: 'string',
  expirationDateTime: 'string',
  externalReferenceId: 'string',
  favorite: 'boolean',
  id: 'string',
  inviteContext: {
    assistanceRequestCode: oneOf(
      'Unknown',
      'GeneralOrOther',
      'CustomerTechnicalArchitecture',
      'ProofOfConceptOrDemo',
      'QuotesOrLicensing',
      'PostSalesCustomerSuccess',
      'WorkloadSpecificValueProposition',
    ),
    invitedBy: { organizationId: 'string', organizationName: 'string' },
    notes: 'string',
  },
  lastModifiedVia: 'string',
  lastRunId: 'string',
  links: { relatedReferrals: LINK, self: LINK },
  name: 'string',
  organizationId: 'string',
  organizationName: 'string',
  qualification: 'string',
  referralProgram: 'string',
  salesStage: oneOf('Qualify', 'Develop', 'Propose', 'Close'),
  status: 'string',
  statusReason: 'string',
  substatus: 'string',
  target: [{ id: 'string', type: 'string' }],
  team: [MEMBER],
  trackingInfo: { microsoftMsxId: 'string' },
  type: 'string',
  updatedDateTime: 'string',
  mpnId: 'string',
  registrations: [REGISTRATION],
  registrationStatus: 'string',
  callToAction: 'string',
  referralSource: 'string',
  quality: 'string',
  isSpam: 'boolean',
  direction: 'string',
  // Items typed `string` in the spec (with a stray `tag` property beside the type).
  tags: ['string'],
  acceptedDateTime: 'string',
  closedDateTime: 'string',
};
