import i18next from 'i18next';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue, defineMessages, LANGUAGES, translate } from './i18n';

// Every module's messages, as the running app registers them.
const src = join(__dirname, '..', '..');
for (const entry of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
  if (entry.endsWith('.i18n.ts')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(src, entry));
  }
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/{{(.*?)}}/g)].map((m) => m[1].trim());

describe('translate', () => {
  it('knows the catalogue of every module', () => {
    expect(Object.keys(catalogue('zh-CN')).length).toBeGreaterThan(500);
  });

  it.each(LANGUAGES)(
    'agrees with i18next on every %s message, with and without its values',
    (lang) => {
      let compared = 0;
      for (const [key, text] of Object.entries(catalogue(lang))) {
        const names = placeholders(text);
        const values = Object.fromEntries(
          names.map((name, i) => [name, i % 2 === 0 ? `值<${name}>&'"` : i * 7.5]),
        );
        const cases: Array<Record<string, unknown>> = [
          {},
          values,
          { ...values, count: 3 },
          { ...values, extra: 'unused' },
        ];
        if (names.length > 0) {
          // One value missing, one given as something other than a string or number.
          cases.push({ ...values, [names[0]]: undefined });
          cases.push({ ...values, [names[0]]: null });
          cases.push({ ...values, [names[0]]: true });
        }
        for (const params of cases) {
          expect([key, translate(lang, key, params)]).toEqual([
            key,
            i18next.t(key, { lng: lang, ...params }),
          ]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(2000);
    },
  );

  it('fills plain placeholders with strings and numbers, untouched by any escaping', () => {
    const key = Object.entries(catalogue('en')).find(([, text]) => /{{\s*\w+\s*}}/.test(text));
    expect(key).toBeDefined();
    const [k, text] = key as [string, string];
    const [name] = placeholders(text);
    expect(translate('en', k, { [name]: '<b>&' })).toContain('<b>&');
  });

  it('answers a message without parameters again the same, and anew once messages are registered again', () => {
    defineMessages('i18nspec', { greeting: '你好' }, { greeting: 'Hello' });
    expect(translate('en', 'i18nspec.greeting')).toBe('Hello');
    expect(translate('en', 'i18nspec.greeting')).toBe('Hello');
    expect(translate('zh-CN', 'i18nspec.greeting')).toBe('你好');
    defineMessages('i18nspec', { greeting: '您好' }, { greeting: 'Good day' });
    expect(translate('en', 'i18nspec.greeting')).toBe('Good day');
    expect(translate('zh-CN', 'i18nspec.greeting')).toBe('您好');
    // With parameters it is filled in every time.
    defineMessages('i18nspec', { named: '{{name}}你好' }, { named: 'Hello {{name}}' });
    expect(translate('en', 'i18nspec.named', { name: 'Li' })).toBe('Hello Li');
    expect(translate('en', 'i18nspec.named', { name: 'Wang' })).toBe('Hello Wang');
  });
});
