import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  isIsoCountry,
  isIsoCurrency,
  isLocale,
  isUtcDateTime,
  validateChanges,
} from '../../src/domain/referral/validation.ts';

describe('format rules', () => {
  test.each(['USD', 'EUR', 'JPY', 'GBP', 'CHF'])('%s is an ISO 4217 currency', (code) =>
    expect(isIsoCurrency(code)).toBe(true),
  );
  test.each(['usd', 'US', 'XYZ', 'DOLLAR', ''])('%p is not an ISO 4217 currency', (code) =>
    expect(isIsoCurrency(code)).toBe(false),
  );
  test.each(['US', 'DE', 'JP', 'BR'])('%s is an ISO 3166-1 alpha-2 country', (code) =>
    expect(isIsoCountry(code)).toBe(true),
  );
  test.each(['us', 'USA', 'EU', 'UN', 'QQ', 'ZZ', ''])('%p is not a country code', (code) =>
    expect(isIsoCountry(code)).toBe(false),
  );
  test('every two-letter code answers as Intl says, the second time (remembered) as the first', () => {
    const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let countries = 0;
    for (const a of letters)
      for (const b of letters) {
        const code = a + b;
        const expected =
          !['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ'].includes(code) && regions.of(code) !== undefined;
        expect([code, isIsoCountry(code), isIsoCountry(code)]).toEqual([code, expected, expected]);
        if (expected) countries += 1;
      }
    // ISO 3166-1 has 249 codes; Intl knows a few more user-assigned or reserved ones.
    expect(countries).toBeGreaterThanOrEqual(249);
  });
  test.each(['2022-02-24T21:04:06.0372014Z', '2025-06-30T00:00:00Z', '2024-02-29T23:59:59.9Z'])(
    '%s is a UTC date-time',
    (v) => expect(isUtcDateTime(v)).toBe(true),
  );
  test.each([
    '2025-06-30',
    '2025-06-30T00:00:00+02:00',
    '2025-02-30T00:00:00Z',
    '2025-06-30T24:00:00Z',
    'tomorrow',
  ])('%s is not a UTC date-time', (v) => expect(isUtcDateTime(v)).toBe(false));
  test.each(['en-US', 'en-us', 'fr-FR', 'de', 'zh-Hant-TW'])('%s is a locale', (v) =>
    expect(isLocale(v)).toBe(true),
  );
  test.each(['english', 'en_US', '', '12-34', 'en-'])('%p is not a locale', (v) =>
    expect(isLocale(v)).toBe(false),
  );

  test('every date the platform prints in UTC is accepted', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        (date) => {
          expect(isUtcDateTime(date.toISOString())).toBe(true);
        },
      ),
    );
  });
});

describe('validateChanges', () => {
  test('accepts valid changes and clearing with null', () => {
    expect(
      validateChanges({
        details: { currency: 'EUR', dealValue: 0, closingDateTime: '2025-06-30T00:00:00.0000000Z' },
        customerProfile: { address: { country: 'DE' } },
        team: [{ email: 'a@example.com', contactPreference: { locale: 'de-DE' } }],
        statusReason: null,
      }),
    ).toEqual([]);
    expect(validateChanges({ details: { currency: null, closingDateTime: null } })).toEqual([]);
  });

  test('names every failure by its input path with a stable code', () => {
    expect(
      validateChanges({
        details: { currency: 'usd', dealValue: -1 },
        team: [{ email: 'ok@example.com' }, { email: 'nope' }],
      }),
    ).toEqual([
      {
        path: ['details', 'dealValue'],
        code: 'INVALID_AMOUNT',
        message: 'must be a finite number, zero or more',
      },
      {
        path: ['details', 'currency'],
        code: 'INVALID_CURRENCY',
        message: 'must be an ISO 4217 currency code such as USD',
      },
      { path: ['team', '1', 'email'], code: 'INVALID_EMAIL', message: 'must be an e-mail address' },
    ]);
  });
});
