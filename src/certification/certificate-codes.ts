import { randomBytes } from 'node:crypto';

/** `SF-2026-000123`: issuer's code, year of issue, a number counted per issuer and year (six digits, more if needed). */
export function formatSerial(orgCode: string, year: number, n: number): string {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError('serial number must be a whole number >= 1');
  }
  const code =
    orgCode
      .trim()
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '') || 'CA';
  return `${code}-${year}-${String(n).padStart(6, '0')}`;
}

export function parseSerial(serial: string): { orgCode: string; year: number; n: number } | null {
  const m = /^([A-Z0-9]+)-(\d{4})-(\d{6,})$/.exec(serial);
  return m ? { orgCode: m[1], year: Number(m[2]), n: Number(m[3]) } : null;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += BASE32[(value << (5 - bits)) & 31];
  }
  return out;
}

/** 128 random bits as 26 base32 characters: unguessable, and easy to read aloud or type from paper. */
export function newVerifyCode(): string {
  return base32(randomBytes(16));
}

export const VERIFY_CODE = /^[A-Z2-7]{26}$/;

/** Normalises what a person typed or scanned; null when it cannot be a code (answered as an unknown code). */
export function normaliseVerifyCode(input: unknown): string | null {
  if (typeof input !== 'string') {
    return null;
  }
  const code = input.trim().toUpperCase();
  return VERIFY_CODE.test(code) ? code : null;
}

/** 李小红 -> 李*红, 王五 -> 王*, 欧阳娜娜 -> 欧**娜: enough to recognise, not enough to harvest. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) {
    return chars.length === 1 ? '*' : '';
  }
  if (chars.length === 2) {
    return `${chars[0]}*`;
  }
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
