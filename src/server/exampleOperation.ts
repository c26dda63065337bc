/** The operations Apollo Sandbox opens with: a useful first query and a create, also shown in the README. */
export const EXAMPLE_OPERATION = `query RecentReferrals($first: Int = 5, $filter: ReferralFilter) {
  referrals(first: $first, filter: $filter) {
    edges {
      node {
        id
        name
        status
        substatus
        etag
        customerProfile { name address { city country } }
        details { dealValue currency closingDateTime }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/**
 * Registering a deal. Run it twice with the same `key` variable: one referral, the same answer
 * (README "Creating referrals").
 */
export const EXAMPLE_CREATE_OPERATION = `mutation CreateReferral($key: String) {
  createReferral(
    idempotencyKey: $key
    input: {
      name: "Contoso - Azure landing zone"
      type: INDEPENDENT
      customerProfile: {
        name: "Contoso Ltd"
        address: { city: "Seattle", state: "WA", country: "US" }
        team: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@contoso.example" }]
      }
      consent: { consentToContact: true, consentToShareReferralWithMicrosoftSellers: true }
      details: {
        notes: "Wants a landing zone before the quarter ends"
        dealValue: 125000
        currency: "USD"
        closingDateTime: "2026-06-30T00:00:00Z"
      }
    }
  ) {
    __typename
    ... on ReferralError { message }
    ... on CreateReferralSuccess { referral { id engagementId etag status substatus createdDateTime } }
    ... on ReferralValidationFailed { fieldErrors { path message code } }
    ... on ReferralCreationUncertain { idempotencyKey }
  }
}
`;

/** Sandbox's document: both operations, the query first (Sandbox runs the one chosen). */
export const SANDBOX_DOCUMENT = `${EXAMPLE_OPERATION}\n${EXAMPLE_CREATE_OPERATION}`;
