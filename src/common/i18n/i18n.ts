import i18next, { TFunction } from 'i18next';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

const catalogs: Record<Lang, Record<string, string>> = { 'zh-CN': {}, en: {} };

void i18next.init({
  resources: {},
  lng: DEFAULT_LANG,
  fallbackLng: false,
  keySeparator: false,
  nsSeparator: false,
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

/**
 * Registers a module's messages under `<namespace>.<key>`. The English table must have exactly the Chinese
 * table's keys (the compiler checks), so no page can show an untranslated key in one language.
 */
export function defineMessages<K extends string>(
  namespace: string,
  zh: Record<K, string>,
  en: Record<K, string>,
): void {
  for (const [lang, table] of [
    ['zh-CN', zh],
    ['en', en],
  ] as const) {
    const prefixed = Object.fromEntries(
      Object.entries<string>(table).map(([k, v]) => [`${namespace}.${k}`, v]),
    );
    Object.assign(catalogs[lang], prefixed);
    i18next.addResourceBundle(lang, 'translation', prefixed, true, true);
  }
}

export function translator(lang: Lang): TFunction {
  return i18next.getFixedT(lang);
}

export function translate(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  // A message without placeholders, asked for without parameters, is its catalogue text: every page shows dozens,
  // and i18next's full lookup per label was 8% of a rendered page's CPU in the profile.
  const text = catalogs[lang][key];
  if (
    text !== undefined &&
    !text.includes('{{') &&
    !text.includes('$t(') &&
    Object.keys(params).length === 0
  ) {
    return text;
  }
  return i18next.t(key, { lng: lang, ...params });
}

export function hasMessage(key: string): boolean {
  return key in catalogs['zh-CN'];
}

/** The whole catalogue of one language (for the page-text check of the browser tests). */
export function catalogue(lang: Lang): Readonly<Record<string, string>> {
  return catalogs[lang];
}

/** `?lang=` wins, then the `lang` cookie, then Accept-Language; Chinese otherwise. */
export function pickLanguage(query?: unknown, cookie?: string, acceptLanguage?: string): Lang {
  for (const candidate of [query, cookie]) {
    if (typeof candidate === 'string' && (LANGUAGES as readonly string[]).includes(candidate)) {
      return candidate as Lang;
    }
  }
  if (acceptLanguage) {
    const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
    if (first.startsWith('en')) {
      return 'en';
    }
  }
  return DEFAULT_LANG;
}
