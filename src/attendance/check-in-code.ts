import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';

export type CodeOptions = {
  /** How long one code is shown before it rotates. Default 30. */
  stepSeconds?: number;
  /** Code length, 4 to 9. Default 6. */
  digits?: number;
};

export type VerifyOptions = CodeOptions & {
  /** How many steps back a code is still accepted, so someone typing as it rotates is not refused. */
  acceptPreviousSteps?: number;
};

export type CheckInCodeErrorCode =
  'INVALID_SECRET' | 'INVALID_OPTIONS' | 'INVALID_DATE' | 'INVALID_URL';

export class CheckInCodeError extends Error {
  constructor(
    readonly code: CheckInCodeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CheckInCodeError';
  }
}

export const DEFAULT_STEP_SECONDS = 30;
export const DEFAULT_DIGITS = 6;
export const DEFAULT_ACCEPT_PREVIOUS_STEPS = 1;
const MIN_SECRET_LENGTH = 16;

/** A per-session secret: 32 random bytes, base64url (43 characters). */
export function newCheckInSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The code shown at `at`: TOTP (RFC 6238) with HMAC-SHA256, keyed by the secret's UTF-8 bytes. */
export function codeAt(secret: string, at: Date, opts: CodeOptions = {}): string {
  const { stepSeconds, digits } = checkOptions(opts);
  return codeForStep(checkSecret(secret), stepOf(at, stepSeconds), digits);
}

/** The code shown now, and when it rotates (it is still accepted for the grace steps after that). */
export function currentCode(
  secret: string,
  at: Date,
  opts: CodeOptions = {},
): { code: string; validUntil: Date } {
  const { stepSeconds, digits } = checkOptions(opts);
  const step = stepOf(at, stepSeconds);
  return {
    code: codeForStep(checkSecret(secret), step, digits),
    validUntil: new Date((step + 1) * stepSeconds * 1000),
  };
}

/**
 * Whether a typed code is the current one or one of the previous few. Future codes are never
 * accepted, so a code photographed early is useless before its time and dead soon after.
 * Full-width digits from Chinese input methods are read as ASCII digits (NFKC).
 */
export function verifyCode(
  secret: string,
  code: string,
  at: Date,
  opts: VerifyOptions = {},
): boolean {
  const { stepSeconds, digits } = checkOptions(opts);
  const previous = opts.acceptPreviousSteps ?? DEFAULT_ACCEPT_PREVIOUS_STEPS;
  if (!Number.isInteger(previous) || previous < 0 || previous > 10) {
    throw new CheckInCodeError('INVALID_OPTIONS', 'acceptPreviousSteps must be 0 to 10');
  }
  const key = checkSecret(secret);
  const current = stepOf(at, stepSeconds);

  const typed = typeof code === 'string' ? code.normalize('NFKC').trim() : '';
  if (typed.length !== digits || !/^[0-9]+$/.test(typed)) {
    return false;
  }
  const given = Buffer.from(typed, 'ascii');
  let matched = false;
  // Check every accepted step, so the time taken does not tell which one matched.
  for (let step = current; step >= Math.max(0, current - previous); step -= 1) {
    const expected = Buffer.from(codeForStep(key, step, digits), 'ascii');
    matched = timingSafeEqual(expected, given) || matched;
  }
  return matched;
}

/** The check-in link as an SVG QR code, announced by screen readers as an image with a label. */
export async function checkInQrSvg(url: string, label = '签到二维码'): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CheckInCodeError('INVALID_URL', 'the check-in link must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new CheckInCodeError('INVALID_URL', 'the check-in link must be http or https');
  }
  // Level M survives a smudged or glare-covered screen without making the code too dense.
  const svg = await QRCode.toString(parsed.href, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
  return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeAttribute(label)}" `);
}

function codeForStep(key: Buffer, step: number, digits: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha256', key).update(counter).digest();
  // Dynamic truncation, RFC 4226 section 5.3.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

function stepOf(at: Date, stepSeconds: number): number {
  const ms = at instanceof Date ? at.getTime() : NaN;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new CheckInCodeError('INVALID_DATE', 'at must be a valid date after 1970');
  }
  return Math.floor(ms / (stepSeconds * 1000));
}

function checkSecret(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new CheckInCodeError(
      'INVALID_SECRET',
      `the secret must be at least ${MIN_SECRET_LENGTH} characters; use newCheckInSecret()`,
    );
  }
  return Buffer.from(secret, 'utf8');
}

function checkOptions(opts: CodeOptions): { stepSeconds: number; digits: number } {
  const stepSeconds = opts.stepSeconds ?? DEFAULT_STEP_SECONDS;
  const digits = opts.digits ?? DEFAULT_DIGITS;
  if (!Number.isInteger(stepSeconds) || stepSeconds < 1 || stepSeconds > 86_400) {
    throw new CheckInCodeError('INVALID_OPTIONS', 'stepSeconds must be a whole number, 1 to 86400');
  }
  // The truncated value has 31 bits, too few to fill ten digits (RFC 4226 section 5.3).
  if (!Number.isInteger(digits) || digits < 4 || digits > 9) {
    throw new CheckInCodeError('INVALID_OPTIONS', 'digits must be a whole number, 4 to 9');
  }
  return { stepSeconds, digits };
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
