/**
 * The Partner API error envelope (docs/partner-api.md §8):
 * `{"error":{"code","message","target","innerError"?}}`, `code` one of the documented values.
 */

export type ApiErrorCode =
  | 'accessDenied'
  | 'generalException'
  | 'invalidRequest'
  | 'itemNotFound'
  | 'preconditionFailed'
  | 'preconditionRequired'
  | 'methodNotAllowed'
  | 'requestEntityTooLarge'
  | 'resourceModified'
  | 'serviceNotAvailable'
  | 'unauthenticated';

export interface ApiErrorBody {
  error: { code: string; message: string; target: string; innerError?: unknown };
}

export function errorBody(
  code: string,
  message: string,
  target = 'referral',
  innerError?: unknown,
): ApiErrorBody {
  return { error: { code, message, target, ...(innerError === undefined ? {} : { innerError }) } };
}

/** Thrown by handlers; the server turns it into `status` + the envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: ApiErrorCode,
    message: string,
    options: { target?: string; innerError?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = errorBody(code, message, options.target, options.innerError);
    this.headers = options.headers ?? {};
  }
}

/** The 412 body as observed in the field (docs/partner-api.md §0.5, §7 [S9]). */
export function preconditionFailed(): ApiError {
  return new ApiError(
    412,
    'preconditionFailed',
    'The If-Match ETag does not match the current ETag of the referral.',
    {
      target: 'ETag',
      innerError: { code: '99918', message: 'Etag value did not Match', details: null },
    },
  );
}

/** A generic envelope for an injected status fault without a body. */
export function defaultErrorFor(status: number): ApiErrorBody {
  const code =
    status === 401
      ? 'unauthenticated'
      : status === 403
        ? 'accessDenied'
        : status === 404
          ? 'itemNotFound'
          : status === 412
            ? 'preconditionFailed'
            : status === 503
              ? 'serviceNotAvailable'
              : status >= 400 && status < 500
                ? 'invalidRequest'
                : 'generalException';
  return errorBody(code, `Injected fault: HTTP ${status}`);
}
