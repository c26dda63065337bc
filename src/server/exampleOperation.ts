/** The operation Apollo Sandbox opens with: a useful first query, also shown in the README. */
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
