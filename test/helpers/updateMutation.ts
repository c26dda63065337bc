/** The updateReferral document the tests send, selecting every member of the result union. */
export const UPDATE_REFERRAL = `
mutation Update($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
  updateReferral(id: $id, input: $input, etag: $etag) {
    __typename
    ... on ReferralError { message }
    ... on UpdateReferralSuccess {
      referral { id etag name status substatus statusReason details { notes currency dealValue closingDateTime } team { email firstName } }
    }
    ... on ReferralPreconditionFailed { currentEtag currentReferral { id etag name status details { notes } } }
    ... on ReferralValidationFailed { fieldErrors { path message code } }
    ... on ReferralTransitionNotAllowed {
      fromStatus fromSubstatus toStatus toSubstatus allowedStatuses allowedSubstatuses
    }
    ... on ReferralNotFound { id }
  }
}`;

export interface UpdateResult {
  __typename: string;
  message?: string;
  referral?: Record<string, unknown> & { etag: string };
  currentEtag?: string;
  currentReferral?: Record<string, unknown> & { etag: string };
  fieldErrors?: { path: string[]; message: string; code: string }[];
  fromStatus?: string | null;
  allowedStatuses?: string[];
  allowedSubstatuses?: string[];
  id?: string;
}
