import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { commonPasswords } from './common-passwords';

/** scrypt with N=2^15, r=8, p=1: 32 MiB of memory per hash, ~80 ms here, the OWASP-recommended memory-hard floor. */
const PARAMS = { N: 1 << 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  keylen: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      keylen,
      { N, r, p, maxmem: PARAMS.maxmem },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS.N, PARAMS.r, PARAMS.p, PARAMS.keylen);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) {
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to compare against when the account does not exist, so timing does not reveal which usernames exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(12).toString('base64'));
  return decoy;
}

export type PasswordProblem =
  'tooShort' | 'tooLong' | 'tooCommon' | 'sameAsUsername' | 'contextWord';

/**
 * Words of this product and its users (ASVS 6.2.11 context-specific words): the first thing anyone guesses
 * against a party-cadre training site, in pinyin, English and Chinese.
 */
const CONTEXT_WORDS: ReadonlySet<string> = new Set([
  'dangyuan',
  'dangjian',
  'dangzhibu',
  'zhibu',
  'zhibushuji',
  'shuji',
  'ganbu',
  'ganbuxueyuan',
  'xueyuan',
  'shequ',
  'shegong',
  'gongchandang',
  'zhongguo',
  'xuexi',
  'cadre',
  'cadreacademy',
  'academy',
  'party',
  'partymember',
  'community',
  '党员',
  '党建',
  '支部',
  '书记',
  '干部',
  '干部学院',
  '学院',
  '社区',
  '社工',
  '学习',
  '共产党',
  '中国共产党',
]);

/** The letters of a password without the digits, spaces and symbols people pad a word with (`Dangyuan@2024`). */
const core = (password: string): string =>
  password
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{N}\p{P}\p{S}\p{Z}]/gu, '');

/**
 * ASVS 6.2: at least 8 characters, up to 128, no composition rules; refused when it is a common password, the
 * username, or a common password or word of this product padded with digits and symbols (`dangyuan123`).
 */
export function passwordProblem(password: string, username?: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < 8) {
    return 'tooShort';
  }
  if (length > 128) {
    return 'tooLong';
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    return 'tooCommon';
  }
  const name = username?.toLowerCase();
  if (name && lower === name) {
    return 'sameAsUsername';
  }
  const letters = core(password);
  if (letters !== '' && commonPasswords().has(letters)) {
    return 'tooCommon';
  }
  if (letters !== '' && (CONTEXT_WORDS.has(letters) || letters === core(name ?? ''))) {
    return 'contextWord';
  }
  return null;
}
