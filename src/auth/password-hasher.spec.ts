import { dictionary } from '@zxcvbn-ts/language-common';
import { COMMON_LIST_SIZE, commonPasswords } from './common-passwords';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password-hasher';

describe('passwordProblem', () => {
  it('wants 8 to 128 characters, counted as characters, not bytes', () => {
    expect(passwordProblem('Ab1!xyz')).toBe('tooShort');
    expect(passwordProblem('两棵枣树两棵枣树')).toBeNull();
    expect(passwordProblem('长'.repeat(128))).toBeNull();
    expect(passwordProblem('长'.repeat(129))).toBe('tooLong');
  });

  it('refuses the common list and the username, whatever the case', () => {
    expect(passwordProblem('12345678')).toBe('tooCommon');
    expect(passwordProblem('PassWord')).toBe('tooCommon');
    expect(passwordProblem('Zhang.Wei', 'zhang.wei')).toBe('sameAsUsername');
  });

  it('refuses the 3000 most common breached passwords of 8 characters or more, and the hand-kept ones', () => {
    const ranked = dictionary['passwords-common'];
    const top = ranked.filter((p) => [...p].length >= 8).slice(0, COMMON_LIST_SIZE);
    expect(top).toHaveLength(3000);
    expect(commonPasswords().size).toBeGreaterThanOrEqual(3000);
    expect(top.filter((p) => passwordProblem(p) !== 'tooCommon')).toEqual([]);
    // Beyond the hand-kept list: a few from the breach list, in any case, and padded.
    for (const p of ['jennifer', 'Computer', 'STARWARS', 'q1w2e3r4t5', 'Mountain2024!']) {
      expect(passwordProblem(p)).toBe('tooCommon');
    }
    for (const p of ['woaini1314', '5201314520', '88888888', 'iloveyou520']) {
      expect(passwordProblem(p)).toBe('tooCommon');
    }
  });

  it('refuses a common password or a word of this platform padded with digits and symbols', () => {
    expect(passwordProblem('dangyuan123')).toBe('contextWord');
    expect(passwordProblem('Dangyuan@2024')).toBe('contextWord');
    expect(passwordProblem('党员123456')).toBe('contextWord');
    expect(passwordProblem('Cadre 2026!!')).toBe('contextWord');
    expect(passwordProblem('password2024!')).toBe('tooCommon');
    expect(passwordProblem('zhangwei2024', 'zhangwei')).toBe('contextWord');
  });

  it('accepts passphrases and has no composition rules', () => {
    expect(passwordProblem('a-long-passphrase')).toBeNull();
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('我家门前有两棵枣树')).toBeNull();
    expect(passwordProblem('20240101')).toBeNull();
    expect(passwordProblem('dangyuan de xuexi riji')).toBeNull();
  });
});

describe('verifyPassword', () => {
  it('checks every character, spaces included, with no truncation at 72 bytes', async () => {
    const long = `${'长城'.repeat(20)}${'x'.repeat(40)}`;
    const hash = await hashPassword(long);
    expect(await verifyPassword(long, hash)).toBe(true);
    expect(await verifyPassword(`${long.slice(0, 72)}y${long.slice(73)}`, hash)).toBe(false);
    const spaced = await hashPassword(' two trees ');
    expect(await verifyPassword(' two trees ', spaced)).toBe(true);
    expect(await verifyPassword('two trees', spaced)).toBe(false);
  });

  it('refuses everything against the decoy hash used for unknown usernames', async () => {
    expect(await decoyHash()).toMatch(/^scrypt\$/);
    expect(await decoyHash()).toBe(await decoyHash());
    expect(await verifyPassword('demo1234', await decoyHash())).toBe(false);
  });
});

describe('the breach list', () => {
  it('is loaded when a password is first checked, not when the module is imported', () => {
    jest.isolateModules(() => {
      let loaded = 0;
      jest.doMock('@zxcvbn-ts/language-common', () => {
        loaded++;
        return jest.requireActual('@zxcvbn-ts/language-common');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const hasher = require('./password-hasher') as typeof import('./password-hasher');
      expect(loaded).toBe(0);
      expect(hasher.passwordProblem('iloveyou520')).toBe('tooCommon');
      expect(hasher.passwordProblem('两棵枣树两棵枣树')).toBeNull();
      expect(loaded).toBe(1);
    });
  });
});
