/** GraphQL selections shared by the tests and the benchmark (no jest imports, so bench/ can load it). */

/** Every field of Referral and its nested types, for "select everything" queries. */
export const ALL_REFERRAL_FIELDS = `
  id engagementId name externalReferenceId organizationId organizationName
  createdDateTime updatedDateTime expirationDateTime acceptedDateTime
  status substatus statusReason type qualification referralSource callToAction
  customerProfile {
    name size
    address { addressLine1 addressLine2 city state postalCode country region }
    team { ...member }
    ids { profileType id }
    isMatchingComplete
  }
  consent {
    consentToToShareInfoWithOthers consentToContact
    consentToShareReferralWithMicrosoftSellers consentToMicrosoftToContactSpecificPartners
  }
  details {
    notes dealValue currency closingDateTime customerRequestedContact customerAction incentiveLevel
    requirements {
      industries { id } products { id } services { id }
      solutions { id name type price quantity currency publisherName solutionType closingDateTime }
      offers salesPlays
      additionalRequirements {
        attributes { id type }
        iot { customerLicenseAgreementNumber deviceCategory siliconType azureCertifiedDevice attachServices }
      }
    }
  }
  team { ...member }
  inviteContext { notes invitedBy { organizationId organizationName } assistanceRequestCode invitedMpnId }
  target { id type }
  links { self { uri method } relatedReferrals { uri method } }
  direction closedDateTime salesStage favorite isSpam campaignId mpnId referralProgram quality
  dealSensitivity createdVia lastModifiedVia lastRunId tags registrationStatus
  registrations {
    id type registrationDateTime status statusReason
    contract { value currency startDateTime endDateTime signDateTime term }
    solutionDetails {
      id name value currency isDeployedOnAzure primaryDeploymentOn pricingModel
      marketplaceTransactionDetails { isMarketplaceTransacted marketplaceTransactionDateTime }
    }
    statusHistory { reviewPendingDateTime actionRequiredDateTime passedDateTime failedDateTime approvedDateTime }
  }
  trackingInfo {
    microsoftMsxId microsoftUSFedOpportunityId microsoftUSFedLeadId migratedPSCDealId migratedPSCPartnerDealId
  }
  etag
`;

export const MEMBER_FRAGMENT = `
  fragment member on Member {
    firstName lastName phoneNumber email title
    contactPreference { locale disableNotifications }
  }
`;
