/**
 * Who the emulator plays: one partner organization (docs/partner-api.md §5.1 organizationId), the
 * owner of every seeded or created referral, and its staff.
 */

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
