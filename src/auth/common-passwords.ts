/**
 * SECURITY-TESTS.md 23 and ASVS 6.2.4: at least the 3000 most common passwords that the policy would otherwise
 * accept (8 characters or more) are refused.
 */
export const COMMON_LIST_SIZE = 3000;

/**
 * The breach list of @zxcvbn-ts/language-common (MIT; Mark Burnett's ten million passwords), ranked most common
 * first and all lower case: its first COMMON_LIST_SIZE entries of at least 8 characters.
 */
function topOfBreachList(size: number): string[] {
  const pkg = require.resolve('@zxcvbn-ts/language-common');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dictionary } = require(pkg) as typeof import('@zxcvbn-ts/language-common');
  const ranked = dictionary['passwords-common'];
  const top: string[] = [];
  for (const password of ranked) {
    if ([...password].length >= 8) {
      top.push(password);
      if (top.length === size) {
        break;
      }
    }
  }
  // The whole list (2.4 MB of heap, its source text besides) is needed only for these few thousand entries.
  delete require.cache[pkg];
  return top;
}

/**
 * Kept by hand: the passwords Chinese users favour, which the mostly English-speaking breach list ranks low or
 * lacks (from the widely published top lists of the 2011 CSDN and 2014-2023 collections), and a few more.
 */
const CURATED: readonly string[] = [
  '12345678',
  '123456789',
  '1234567890',
  '11111111',
  '00000000',
  '88888888',
  '66666666',
  '87654321',
  'password',
  'password1',
  'password123',
  'passw0rd',
  'qwertyuiop',
  'qwerty123',
  'qwerty12',
  'iloveyou',
  '1qaz2wsx',
  'qazwsxedc',
  '1q2w3e4r',
  'abcd1234',
  'abc12345',
  'abcdefgh',
  'a1234567',
  'aa123456',
  'woaini1314',
  '5201314520',
  '52013145',
  '1314520520',
  'woaini520',
  'iloveyou1',
  'asdfghjkl',
  'zxcvbnm1',
  '123123123',
  '12341234',
  '11223344',
  '123321123',
  '147258369',
  '123456abc',
  'abc123456',
  '1234qwer',
  'qwer1234',
  'admin123',
  'administrator',
  'letmein1',
  'welcome1',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'dragon123',
  'monkey123',
  'trustno1',
  'master123',
  'changeme',
  'default1',
  '98765432',
  '99999999',
  '12344321',
  '1qazxsw2',
  'zaq12wsx',
  '7758521a',
  '5201314a',
  'woaini123',
  'woaiwojia',
  'iloveyou520',
  'a123456789',
  'q1w2e3r4',
  'asdf1234',
  'zxcv1234',
  'test1234',
  'demo123456',
];

let common: ReadonlySet<string> | undefined;

/**
 * Refused as a new password, compared in lower case (also after stripping the digits and symbols around a word).
 * Built when a password is first set: a server that only signs people in never loads the breach list.
 */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set([...topOfBreachList(COMMON_LIST_SIZE), ...CURATED]);
  return common;
}
