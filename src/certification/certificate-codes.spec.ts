import {
  base32,
  formatSerial,
  maskName,
  newVerifyCode,
  normaliseVerifyCode,
  parseSerial,
  VERIFY_CODE,
} from './certificate-codes';

describe('certificate codes', () => {
  it('formats a serial with the issuer code, the year and a six-digit number', () => {
    expect(formatSerial('SF', 2026, 123)).toBe('SF-2026-000123');
    expect(formatSerial('dh', 2025, 1)).toBe('DH-2025-000001');
  });

  it('keeps counting past six digits instead of wrapping', () => {
    expect(formatSerial('SF', 2026, 1234567)).toBe('SF-2026-1234567');
  });

  it('falls back to a neutral code when the issuer has none usable', () => {
    expect(formatSerial(' - ', 2026, 5)).toBe('CA-2026-000005');
  });

  it('refuses a number below one', () => {
    expect(() => formatSerial('SF', 2026, 0)).toThrow(RangeError);
  });

  it('parses what it formats', () => {
    expect(parseSerial(formatSerial('SF', 2026, 42))).toEqual({ orgCode: 'SF', year: 2026, n: 42 });
    expect(parseSerial('SF-26-1')).toBeNull();
  });

  it('encodes base32 as RFC 4648 does', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32(Buffer.from('f'))).toBe('MY');
  });

  it('makes 26-character codes carrying 128 random bits, different every time', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newVerifyCode()));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toMatch(VERIFY_CODE);
    }
  });

  it('accepts a code typed in lower case and rejects anything else', () => {
    const code = newVerifyCode();
    expect(normaliseVerifyCode(` ${code.toLowerCase()} `)).toBe(code);
    expect(normaliseVerifyCode('not-a-code')).toBeNull();
    expect(normaliseVerifyCode(undefined)).toBeNull();
  });

  it('masks the middle of a name', () => {
    expect(maskName('李小红')).toBe('李*红');
    expect(maskName('王五')).toBe('王*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('孙')).toBe('*');
  });
});
