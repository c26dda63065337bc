/**
 * What a caller may change on a referral, in wire form (enum values are the Partner API's
 * PascalCase strings): every field optional, `null` clears, nested objects merge, lists replace
 * (merge.ts). Written out field by field so the domain states what it accepts; the GraphQL layer
 * checks at compile time that its generated `UpdateReferralInput` has exactly this shape
 * (src/graphql/updateReferralResult.ts), so the two cannot drift. Pure types: no GraphQL.
 */
type Text = string | null;
type Flag = boolean | null;
type List<T> = readonly T[] | null;

export type ContactPreferenceChanges = {
  readonly locale?: Text;
  readonly disableNotifications?: Flag;
};

export type MemberChanges = {
  readonly firstName?: Text;
  readonly lastName?: Text;
  readonly phoneNumber?: Text;
  readonly email?: Text;
  readonly title?: Text;
  readonly contactPreference?: ContactPreferenceChanges | null;
};

export type AddressChanges = {
  readonly addressLine1?: Text;
  readonly addressLine2?: Text;
  readonly city?: Text;
  readonly state?: Text;
  readonly postalCode?: Text;
  readonly country?: Text;
  readonly region?: Text;
};

export type CustomerProfileChanges = {
  readonly name?: Text;
  readonly address?: AddressChanges | null;
  readonly size?: Text;
  readonly team?: List<MemberChanges>;
  readonly ids?: List<{ readonly profileType?: Text; readonly id: string }>;
};

export type ConsentChanges = {
  readonly consentToToShareInfoWithOthers?: Flag;
  readonly consentToContact?: Flag;
  readonly consentToShareReferralWithMicrosoftSellers?: Flag;
  readonly consentToMicrosoftToContactSpecificPartners?: Flag;
};

export type RequirementsChanges = {
  readonly industries?: List<{ readonly id: string }>;
  readonly products?: List<{ readonly id: string }>;
  readonly services?: List<{ readonly id: string }>;
  readonly solutions?: List<{ readonly id: string; readonly name?: Text; readonly type?: Text }>;
  readonly additionalRequirements?: {
    readonly attributes?: List<{ readonly id: string; readonly type: string }>;
  } | null;
};

export type DetailsChanges = {
  readonly notes?: Text;
  readonly dealValue?: number | null;
  readonly currency?: Text;
  readonly closingDateTime?: Text;
  readonly requirements?: RequirementsChanges | null;
  readonly customerRequestedContact?: Flag;
  readonly customerAction?: Text;
};

export type InviteContextChanges = {
  readonly notes?: Text;
  readonly invitedBy?: { readonly organizationId?: Text; readonly organizationName?: Text } | null;
  readonly assistanceRequestCode?: Text;
  readonly invitedMpnId?: Text;
};

export type ReferralChanges = {
  readonly name?: Text;
  readonly externalReferenceId?: Text;
  readonly status?: Text;
  readonly substatus?: Text;
  readonly statusReason?: Text;
  readonly type?: Text;
  readonly qualification?: Text;
  readonly customerProfile?: CustomerProfileChanges | null;
  readonly consent?: ConsentChanges | null;
  readonly details?: DetailsChanges | null;
  readonly team?: List<MemberChanges>;
  readonly inviteContext?: InviteContextChanges | null;
  readonly target?: List<{ readonly id: string; readonly type: string }>;
  /** Patchable per the connector (docs/partner-api.md §3.5), documented only there (§5.3). */
  readonly salesStage?: Text;
  readonly campaignId?: Text;
  readonly referralProgram?: Text;
};
