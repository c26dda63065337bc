/**
 * The one way a `ReferralValidationFailed` member is built, whichever mutation answers it: the
 * first `MAX_LISTED_FIELD_ERRORS` field errors listed, the rest counted (README "Operation
 * limits"), paths as plain arrays of strings.
 */
import { capFieldErrors, type FieldError } from '../domain/referral/validation.ts';
import type { ReferralValidationFailed } from './__generated__/resolvers-types.ts';

export function validationFailed(
  message: string,
  errors: readonly FieldError[],
): ReferralValidationFailed & { __typename: 'ReferralValidationFailed' } {
  const { listed, omitted } = capFieldErrors(errors);
  return {
    __typename: 'ReferralValidationFailed',
    message,
    fieldErrors: listed.map((error) => ({ ...error, path: [...error.path] })),
    omittedFieldErrors: omitted,
  };
}
