import i18next from 'i18next';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue, LANGUAGES, translate } from './i18n';

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
});
