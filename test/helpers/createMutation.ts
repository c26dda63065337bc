/** The createReferral and shareReferralWithMicrosoft documents the tests send, and inputs for them. */
import { randomUUID } from 'node:crypto';

const RESULT_SELECTION = `
    __typename
    ... on ReferralError { message }
    ... on CreateReferralSuccess {
      referral {
        id engagementId etag name externalReferenceId status substatus type organizationId organizationName
        createdDateTime updatedDateTime
        customerProfile { name address { city country } }
        consent { consentToContact consentToShareReferralWithMicrosoftSellers }
        details { notes dealValue currency closingDateTime }
        team { email }
        target { id type }
      }
    }
    ... on ReferralValidationFailed { fieldErrors { path message code } omittedFieldErrors }
    ... on ReferralCreationUncertain { idempotencyKey }
`;

export const CREATE_REFERRAL = `
mutation Create($input: CreateReferralInput!, $key: String) {
  createReferral(input: $input, idempotencyKey: $key) {${RESULT_SELECTION}  }
}`;

export const SHARE_WITH_MICROSOFT = `
mutation Share($referralId: ID!, $key: String) {
  shareReferralWithMicrosoft(referralId: $referralId, idempotencyKey: $key) {${RESULT_SELECTION}
    ... on ReferralNotFound { id }
  }
}`;

export interface CreateResult {
  __typename: string;
  message?: string;
  referral?: Record<string, unknown> & { id: string; etag: string; engagementId: string };
  fieldErrors?: { path: string[]; message: string; code: string }[];
  omittedFieldErrors?: number;
  idempotencyKey?: string | null;
  id?: string;
}

/** A valid create input (GraphQL enum names), unique by name so tests can tell their referrals apart. */
export function newReferralInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Deal ${randomUUID()}`,
    externalReferenceId: `CRM-${randomUUID().slice(0, 8)}`,
    type: 'INDEPENDENT',
    qualification: 'SALES_QUALIFIED',
    customerProfile: {
      name: 'Contoso Ltd',
      size: 'Size51to250employees',
      address: {
        addressLine1: '1 Main St',
        city: 'Seattle',
        state: 'WA',
        postalCode: '98052',
        country: 'US',
      },
      team: [
        { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.example', phoneNumber: '+1 555 0100' },
      ],
    },
    consent: {
      consentToToShareInfoWithOthers: true,
      consentToContact: true,
      consentToShareReferralWithMicrosoftSellers: true,
    },
    details: {
      notes: 'Wants a landing zone before the quarter ends',
      dealValue: 125000.5,
      currency: 'USD',
      closingDateTime: '2026-06-30T00:00:00Z',
      requirements: { products: [{ id: 'Azure' }], solutions: [{ id: 'CloudMigration', type: 'CATEGORY' }] },
    },
    team: [{ firstName: 'Priya', lastName: 'Raman', email: 'priya@partner.example.com' }],
    ...overrides,
  };
}

/** A key as a client would make one. */
export function newKey(): string {
  return `key-${randomUUID()}`;
}
