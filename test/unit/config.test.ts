import { describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('loadConfig', () => {
  test('has sensible defaults and explicit upstream timeouts', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      production: false,
      port: 4000,
      partnerApiUrl: undefined,
      emulatorPort: 4010,
    });
    expect(config.upstream.headersTimeoutMs).toBeLessThan(300_000);
    expect(config.upstream.bodyTimeoutMs).toBeLessThan(300_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('reads PORT and PARTNER_API_URL, dropping a trailing slash', () => {
    const config = loadConfig({ PORT: '8080', PARTNER_API_URL: 'https://api.partner.microsoft.com/v1.0/' });
    expect(config.port).toBe(8080);
    expect(config.partnerApiUrl).toBe('https://api.partner.microsoft.com/v1.0');
  });

  test('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', PARTNER_API_URL: '' })).toMatchObject({
      port: 4000,
      partnerApiUrl: undefined,
    });
  });

  test('refuses production without PARTNER_API_URL, in one line', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^PARTNER_API_URL is required when NODE_ENV=production/,
    );
  });

  test.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PARTNER_API_URL', 'ftp://example.com/v1.0'],
    ['PARTNER_API_URL', 'not a url'],
    ['UPSTREAM_HEADERS_TIMEOUT_MS', '0'],
    ['LOG_LEVEL', 'loud'],
    ['CURSOR_SECRET', 'too short'],
    ['MAX_UPSTREAM_CALLS', '0'],
    ['MAX_RESPONSE_BYTES', '100'],
    ['HTTP_MAX_CONNECTIONS', 'lots'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/not-a-db'],
    ['REDIS_KEY_PREFIX', 'glob*'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid ${name}:`));
  });

  test('request budgets and HTTP server limits: defaults, and each from its variable', () => {
    expect(loadConfig({})).toMatchObject({
      budgets: { maxUpstreamCalls: 150, maxResponseBytes: 8 * 1024 * 1024 },
      http: { headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1024 },
      cursorSecret: undefined,
    });
    const secret = 'a shared cursor key of 32 or more characters';
    expect(
      loadConfig({
        MAX_UPSTREAM_CALLS: '20',
        MAX_RESPONSE_BYTES: '65536',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '61000',
        HTTP_MAX_CONNECTIONS: '10',
        CURSOR_SECRET: secret,
      }),
    ).toMatchObject({
      budgets: { maxUpstreamCalls: 20, maxResponseBytes: 65_536 },
      http: { headersTimeoutMs: 2_000, keepAliveTimeoutMs: 61_000, maxConnections: 10 },
      cursorSecret: secret,
    });
  });

  test('shared state: in memory without REDIS_URL; with it, Redis with a prefix and timeouts', () => {
    expect(loadConfig({}).sharedState).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).sharedState).toEqual({
      redis: {
        url: 'redis://127.0.0.1:6379',
        keyPrefix: 'referrals-gateway:',
        commandTimeoutMs: 300,
        connectTimeoutMs: 2_000,
      },
      apqTtlSeconds: 3600,
    });
    expect(
      loadConfig({
        REDIS_URL: 'rediss://user:secret@redis.example.com:6380/2',
        REDIS_KEY_PREFIX: 'staging:gw:',
        REDIS_COMMAND_TIMEOUT_MS: '500',
        REDIS_CONNECT_TIMEOUT_MS: '1000',
        APQ_TTL_SECONDS: '600',
      }).sharedState,
    ).toEqual({
      redis: {
        url: 'rediss://user:secret@redis.example.com:6380/2',
        keyPrefix: 'staging:gw:',
        commandTimeoutMs: 500,
        connectTimeoutMs: 1_000,
      },
      apqTtlSeconds: 600,
    });
  });

  test('refuses two servers on one port, in one line naming both variables; 0 may repeat', () => {
    const url = 'https://api.partner.microsoft.com/v1.0';
    expect(() => loadConfig({ PORT: '9464' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '9464', PARTNER_API_URL: url })).toThrow(
      /^Invalid METRICS_PORT: 9464 is also PORT; each server needs a port of its own \(0 picks a free one\)$/,
    );
    expect(() => loadConfig({ METRICS_PORT: '4000', PARTNER_API_URL: url })).toThrow(
      /^Invalid METRICS_PORT: 4000 is also PORT;/,
    );
    // The embedded emulator (no PARTNER_API_URL) is a third server of the process.
    expect(() => loadConfig({ EMULATOR_PORT: '4000' })).toThrow(/^Invalid EMULATOR_PORT: 4000 is also PORT;/);
    expect(() => loadConfig({ EMULATOR_PORT: '9464' })).toThrow(
      /^Invalid EMULATOR_PORT: 9464 is also METRICS_PORT;/,
    );
    // With a real upstream the emulator is not started: its port does not matter.
    expect(loadConfig({ EMULATOR_PORT: '4000', PARTNER_API_URL: url }).port).toBe(4000);
    expect(loadConfig({ PORT: '0', METRICS_PORT: '0', EMULATOR_PORT: '0' })).toMatchObject({
      port: 0,
      emulatorPort: 0,
      metrics: { port: 0 },
    });
  });

  test('METRICS_OPERATION_NAMES: unset, no allow-list; set, the names listed (trimmed, once each)', () => {
    expect(loadConfig({}).metrics.operationNames).toBeUndefined();
    expect(
      loadConfig({ METRICS_OPERATION_NAMES: ' ReferralList, UpdateReferral ,ReferralList,' }).metrics,
    ).toEqual({
      port: 9464,
      maxOperationNames: 50,
      operationNames: ['ReferralList', 'UpdateReferral'],
    });
    for (const value of ['ReferralList,not-a-name', `A${'b'.repeat(64)}`]) {
      expect(() => loadConfig({ METRICS_OPERATION_NAMES: value })).toThrow(
        /^Invalid METRICS_OPERATION_NAMES: must be a comma-separated list of at most 1000 GraphQL operation names/,
      );
    }
  });

  test('REDIS_COMMAND_TIMEOUT_MS is at most a quarter of REQUEST_TIMEOUT_MS; unset, 300 ms or that quarter', () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(() =>
      loadConfig({ ...redis, REQUEST_TIMEOUT_MS: '1000', REDIS_COMMAND_TIMEOUT_MS: '300' }),
    ).toThrow(/^Invalid REDIS_COMMAND_TIMEOUT_MS: 300 is more than a quarter of REQUEST_TIMEOUT_MS \(1000\)/);
    expect(() => loadConfig({ ...redis, REDIS_COMMAND_TIMEOUT_MS: '60000' })).toThrow(
      /^Invalid REDIS_COMMAND_TIMEOUT_MS: 60000 is more than a quarter of REQUEST_TIMEOUT_MS \(15000\)/,
    );
    expect(
      loadConfig({ ...redis, REQUEST_TIMEOUT_MS: '1000', REDIS_COMMAND_TIMEOUT_MS: '250' }).sharedState?.redis
        .commandTimeoutMs,
    ).toBe(250);
    expect(loadConfig({ ...redis, REQUEST_TIMEOUT_MS: '1000' }).sharedState?.redis.commandTimeoutMs).toBe(
      250,
    );
    // Without REDIS_URL nothing waits on Redis, so nothing is refused.
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '1000', REDIS_COMMAND_TIMEOUT_MS: '300' })).not.toThrow();
  });

  test('a refused REDIS_URL is not echoed (it may carry a password)', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://:hunter2@host/x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
