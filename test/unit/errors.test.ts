import { describe, expect, test } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { GATEWAY_ERROR_CODES, GATEWAY_ERRORS } from '../../src/errors/codes.ts';
import { badUserInput, gatewayError } from '../../src/errors/create.ts';
import { createFormatError, normalize as formatError } from '../../src/errors/format.ts';
import { UPSTREAM_ERROR_CODES, UpstreamError } from '../../src/upstream/upstreamErrors.ts';

function asResolverError(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['referral'], originalError: original });
}

describe('the normalising step masks by default', () => {
  test('an unexpected error becomes INTERNAL_SERVER_ERROR with a fixed message', () => {
    const error = asResolverError(new Error('connect to 10.1.2.3 failed at /srv/app/x.ts:12'));
    const formatted = formatError(
      { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } },
      error,
    );
    expect(formatted).toEqual({
      message: 'Internal server error.',
      path: undefined,
      locations: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  test('a GraphQLError with a code outside the allow-list is masked too', () => {
    const error = asResolverError(new GraphQLError('secret', { extensions: { code: 'DATABASE_EXPLODED' } }));
    expect(
      formatError({ message: 'secret', extensions: { code: 'DATABASE_EXPLODED' } }, error).extensions,
    ).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
    });
  });

  test('an uncoded GraphQLError (which Apollo codes INTERNAL_SERVER_ERROR) never passes its message', () => {
    const original = new GraphQLError('Subscription root not found at /srv/app/schema.ts');
    const formatted = formatError(
      { message: original.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      original,
    );
    expect(formatted).toMatchObject({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  test('a deliberate BAD_USER_INPUT keeps its message and only its code', () => {
    const original = badUserInput('`first` must be between 1 and 100.');
    const error = asResolverError(original);
    expect(
      formatError(
        { message: original.message, extensions: { code: 'BAD_USER_INPUT', extra: 'x', stacktrace: [] } },
        error,
      ),
    ).toMatchObject({
      message: '`first` must be between 1 and 100.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  test.each(UPSTREAM_ERROR_CODES)(
    'upstream %s maps to a public code and a message without the upstream’s words',
    (code) => {
      const original = new UpstreamError(code, 'GET answered 500 (secretUpstreamCode)', {
        upstreamMessage: 'upstream says: shard eu-9 down',
        retryAfterSeconds: code === 'RATE_LIMITED' ? 5 : undefined,
      });
      const formatted = formatError({ message: original.message }, asResolverError(original));
      expect(formatted.message).not.toMatch(/secretUpstreamCode|shard|answered/);
      expect(formatted.extensions?.code).toMatch(
        /^(UNAUTHENTICATED|FORBIDDEN|BAD_USER_INPUT|NOT_FOUND|RATE_LIMITED|UPSTREAM_[A-Z_]+)$/,
      );
      expect(Object.keys(formatted.extensions ?? {})).toEqual(
        code === 'RATE_LIMITED' ? ['code', 'retryAfterSeconds'] : ['code'],
      );
    },
  );
});

describe('the normalising step, in its order', () => {
  test('1. a 4xx Apollo answers without a code is BAD_REQUEST, not INTERNAL_SERVER_ERROR', () => {
    const original = new GraphQLError('Unsupported persisted query version', {
      extensions: { http: { status: 400 } },
    });
    expect(
      formatError({ message: original.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, original),
    ).toEqual({
      message: 'Unsupported persisted query version',
      locations: undefined,
      path: undefined,
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  test('2. suggestions are stripped in production only, whatever wrote the message', () => {
    const message = 'Field "statuss" is not defined by type "ReferralFilter". Did you mean "status"?';
    const original = new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
    // graphql-jit's messages are read-only: the step must not write to the error.
    Object.defineProperty(original, 'message', { value: message, writable: false });
    const formatted = { message, extensions: { code: 'BAD_USER_INPUT' } };
    expect(createFormatError({ hideSuggestions: true })(formatted, original).message).toBe(
      'Field "statuss" is not defined by type "ReferralFilter".',
    );
    expect(createFormatError({ hideSuggestions: false })(formatted, original).message).toBe(message);
  });

  test('3. only codes of the public set pass', () => {
    for (const code of GATEWAY_ERROR_CODES.filter((c) => c !== 'INTERNAL_SERVER_ERROR')) {
      const error = gatewayError(code, 'said on purpose');
      expect(formatError(error.toJSON(), error)).toMatchObject({
        message: 'said on purpose',
        extensions: { code },
      });
    }
  });
});

describe('minting codes', () => {
  test('a request refused before execution carries its code’s HTTP status; one inside execution carries none', () => {
    expect(gatewayError('UNAUTHENTICATED', 'm', { refusesRequest: true }).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401 },
    });
    expect(gatewayError('RESPONSE_TOO_LARGE', 'm').extensions).toEqual({ code: 'RESPONSE_TOO_LARGE' });
    expect(GATEWAY_ERRORS.UPSTREAM_BUDGET_EXCEEDED.httpStatus).toBe(400);
  });
});
