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
});
