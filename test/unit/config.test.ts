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
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid ${name}:`));
  });
});
