import { describe, expect, test } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { badUserInput } from '../../src/graphql/errorMapping.ts';
import { formatError } from '../../src/graphql/formatError.ts';
import { UPSTREAM_ERROR_CODES, UpstreamError } from '../../src/upstream/upstreamErrors.ts';

function asResolverError(original: Error): GraphQLError {
  return new GraphQLError(original.message, { path: ['referral'], originalError: original });
}

describe('formatError masks by default', () => {
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
