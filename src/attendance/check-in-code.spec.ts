import {
  CheckInCodeError,
  checkInQrSvg,
  codeAt,
  currentCode,
  newCheckInSecret,
  verifyCode,
} from './check-in-code';

const SECRET = 'q3Jv0c8m6yqzQv1w3Zp2l1YwX8rA5tB7nE9sK4dF6gH';
const OTHER_SECRET = 'Zk8pW2mQ7rT1vY5xB3nC9dF4gH6jL0sA2eR8uI1oP3q';
// 2027-01-05 09:00:00 in Shanghai, at the start of a 30-second step.
const NINE = new Date('2027-01-05T01:00:00Z');
const seconds = (n: number) => new Date(NINE.getTime() + n * 1000);

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CheckInCodeError) {
      return error.code;
    }
    throw error;
  }
  return undefined;
}

describe('codeAt', () => {
  it('matches the RFC 6238 test vectors for HMAC-SHA256', () => {
    const rfcSecret = '12345678901234567890123456789012';
    const vectors: Array<[number, string]> = [
      [59, '46119246'],
      [1111111109, '68084774'],
      [1111111111, '67062674'],
      [1234567890, '91819424'],
      [2000000000, '90698825'],
      [20000000000, '77737706'],
    ];

    for (const [time, expected] of vectors) {
      expect(codeAt(rfcSecret, new Date(time * 1000), { digits: 8 })).toBe(expected);
    }
  });

  it('gives six digits that stay the same within a step and rotate at the next', () => {
    const first = codeAt(SECRET, NINE);

    expect(first).toMatch(/^[0-9]{6}$/);
    expect(codeAt(SECRET, seconds(29))).toBe(first);
    expect(codeAt(SECRET, seconds(30))).not.toBe(first);
  });

  it('keeps leading zeros', () => {
    const steps = Array.from({ length: 500 }, (_, i) => codeAt(SECRET, seconds(i * 30)));
    const withZero = steps.find((code) => code.startsWith('0'));

    expect(withZero).toBeDefined();
    expect(withZero).toHaveLength(6);
    expect(steps.every((code) => /^[0-9]{6}$/.test(code))).toBe(true);
  });

  it('gives different codes for different sessions', () => {
    expect(codeAt(OTHER_SECRET, NINE)).not.toBe(codeAt(SECRET, NINE));
  });

  it('honours a custom step and length', () => {
    const code = codeAt(SECRET, NINE, { stepSeconds: 60, digits: 4 });

    expect(code).toMatch(/^[0-9]{4}$/);
    expect(codeAt(SECRET, seconds(59), { stepSeconds: 60, digits: 4 })).toBe(code);
  });

  it.each([
    ['a short secret', () => codeAt('short', NINE), 'INVALID_SECRET'],
    ['three digits', () => codeAt(SECRET, NINE, { digits: 3 }), 'INVALID_OPTIONS'],
    ['ten digits', () => codeAt(SECRET, NINE, { digits: 10 }), 'INVALID_OPTIONS'],
    ['a zero step', () => codeAt(SECRET, NINE, { stepSeconds: 0 }), 'INVALID_OPTIONS'],
    ['an invalid date', () => codeAt(SECRET, new Date('x')), 'INVALID_DATE'],
  ])('refuses %s', (_label, run, code) => {
    expect(errorCode(run)).toBe(code);
  });
});

describe('currentCode', () => {
  it('says when the code rotates', () => {
    const { code, validUntil } = currentCode(SECRET, seconds(12));

    expect(code).toBe(codeAt(SECRET, seconds(12)));
    expect(validUntil.toISOString()).toBe('2027-01-05T01:00:30.000Z');
  });
});

describe('verifyCode', () => {
  const code = codeAt(SECRET, NINE);

  it('accepts the current code', () => {
    expect(verifyCode(SECRET, code, seconds(10))).toBe(true);
  });

  it('accepts the previous step, so someone typing as it rotates gets in', () => {
    expect(verifyCode(SECRET, code, seconds(59))).toBe(true);
  });

  it('refuses a code two steps old', () => {
    expect(verifyCode(SECRET, code, seconds(60))).toBe(false);
  });

  it('refuses the previous step when no grace is allowed', () => {
    expect(verifyCode(SECRET, code, seconds(30), { acceptPreviousSteps: 0 })).toBe(false);
  });

  it('accepts older steps when more grace is allowed', () => {
    expect(verifyCode(SECRET, code, seconds(90), { acceptPreviousSteps: 3 })).toBe(true);
  });

  it('refuses the next code before its time', () => {
    const next = codeAt(SECRET, seconds(30));

    expect(verifyCode(SECRET, next, seconds(29))).toBe(false);
  });

  it('refuses a code of another session', () => {
    expect(verifyCode(OTHER_SECRET, code, NINE)).toBe(false);
  });

  it('refuses a code of the wrong length', () => {
    expect(verifyCode(SECRET, code.slice(1), NINE)).toBe(false);
    expect(verifyCode(SECRET, `${code}0`, NINE)).toBe(false);
    expect(verifyCode(SECRET, '', NINE)).toBe(false);
  });

  it('refuses anything but digits', () => {
    expect(verifyCode(SECRET, 'abcdef', NINE)).toBe(false);
    expect(verifyCode(SECRET, `${code.slice(0, 5)}x`, NINE)).toBe(false);
    expect(verifyCode(SECRET, null as unknown as string, NINE)).toBe(false);
  });

  it('reads full-width digits and surrounding spaces as the plain code', () => {
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');

    expect(verifyCode(SECRET, ` ${fullWidth} `, NINE)).toBe(true);
  });

  it('refuses an unreasonable grace', () => {
    expect(errorCode(() => verifyCode(SECRET, code, NINE, { acceptPreviousSteps: -1 }))).toBe(
      'INVALID_OPTIONS',
    );
  });
});

describe('newCheckInSecret', () => {
  it('makes 32 random bytes in base64url', () => {
    const secret = newCheckInSecret();

    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(newCheckInSecret()).not.toBe(secret);
  });
});

describe('checkInQrSvg', () => {
  it('draws an SVG that screen readers announce as a labelled image', async () => {
    const svg = await checkInQrSvg('https://academy.example.cn/check-in?session=12');

    expect(svg).toMatch(
      /^<svg role="img" aria-label="签到二维码" xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(svg).toMatch(/viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/<script|on\w+=/i);
  });

  it('escapes the label', async () => {
    const svg = await checkInQrSvg('https://academy.example.cn/check-in', 'Check in "now" <here>');

    expect(svg).toContain('aria-label="Check in &quot;now&quot; &lt;here&gt;"');
  });

  it('refuses a link that is not http or https', async () => {
    await expect(checkInQrSvg('javascript:alert(1)')).rejects.toMatchObject({
      code: 'INVALID_URL',
    });
    await expect(checkInQrSvg('/check-in')).rejects.toMatchObject({ code: 'INVALID_URL' });
  });
});
