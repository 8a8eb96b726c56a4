import i18next, { TFunction } from 'i18next';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';

const catalogs: Record<Lang, Record<string, string>> = { 'zh-CN': {}, en: {} };
/** Keys that have plural or context variants (`key_other`, `key_male`...): i18next picks among them. */
const variants = new Set<string>();

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
    for (const k of Object.keys(prefixed)) {
      const cut = k.lastIndexOf('_');
      if (cut > 0) {
        variants.add(k.slice(0, cut));
      }
    }
    i18next.addResourceBundle(lang, 'translation', prefixed, true, true);
    plainMessages[lang].clear();
  }
}

export function translator(lang: Lang): TFunction {
  return i18next.getFixedT(lang);
}

/**
 * Messages without parameters as last translated, per language: a page asks for the same few dozen labels on
 * every render, a catalogue page for each of its 60 cards (~4% of its CPU went to looking them up again).
 * Forgotten whenever messages are registered.
 */
const plainMessages: Record<Lang, Map<string, string>> = { 'zh-CN': new Map(), en: new Map() };

export function translate(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  if (hasAny(params)) {
    return translateNow(lang, key, params);
  }
  const known = plainMessages[lang].get(key);
  if (known !== undefined) {
    return known;
  }
  const text = translateNow(lang, key, params);
  if (catalogs[lang][key] !== undefined) {
    plainMessages[lang].set(key, text); // only the catalogue's keys: never grows with whatever key is asked
  }
  return text;
}

function hasAny(params: Record<string, unknown>): boolean {
  for (const _ in params) {
    return true;
  }
  return false;
}

function translateNow(lang: Lang, key: string, params: Record<string, unknown>): string {
  // Every page shows dozens of messages, and i18next's full lookup (plural rules, option merging, path walking)
  // was 8% of a rendered page's CPU, and 30% of the catalogue's with its per-course counts. A message with no
  // placeholders is its catalogue text; one with only plain `{{name}}` placeholders, each given a string or a
  // number, is filled in here. Anything else (nesting, formats, plural or context variants, i18next options)
  // goes to i18next. The i18n spec checks both paths agree on every message of the catalogue.
  const text = catalogs[lang][key];
  if (text !== undefined && !text.includes('$t(') && !variants.has(key)) {
    const filled = fillPlainPlaceholders(text, params);
    if (filled !== undefined) {
      return filled;
    }
  }
  return i18next.t(key, { lng: lang, ...params });
}

/** Parameter names that are i18next options rather than values: with any of them, i18next decides. */
const I18NEXT_OPTIONS = new Set([
  'context',
  'defaultValue',
  'lng',
  'lngs',
  'ns',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'interpolation',
  'replace',
  'ordinal',
  'keySeparator',
  'nsSeparator',
  'skipInterpolation',
  'fallbackLng',
]);

const PLACEHOLDER = /{{(.*?)}}/g;
const PLAIN_NAME = /^\w+$/;

/** `text` with each `{{name}}` replaced by its string or number; undefined when anything else is asked. */
function fillPlainPlaceholders(text: string, params: Record<string, unknown>): string | undefined {
  for (const name in params) {
    if (I18NEXT_OPTIONS.has(name)) {
      return undefined;
    }
  }
  if (!text.includes('{{')) {
    return text;
  }
  let plain = true;
  const filled = text.replace(PLACEHOLDER, (whole, inner: string) => {
    const name = inner.trim();
    const value = params[name];
    if (!PLAIN_NAME.test(name) || (typeof value !== 'string' && typeof value !== 'number')) {
      plain = false;
      return whole;
    }
    return String(value);
  });
  return plain ? filled : undefined;
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
