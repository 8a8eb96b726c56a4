import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { DEFAULT_LANG, Lang, translate } from '../i18n/i18n';

interface Options extends Handlebars.HelperOptions {
  data: { root?: { lang?: Lang; zone?: string } };
}

const langOf = (options: Options): Lang => options.data?.root?.lang ?? DEFAULT_LANG;
const zoneOf = (options: Options): string => options.data?.root?.zone ?? 'Asia/Shanghai';

function toDateTime(value: unknown, zone: string): DateTime | null {
  if (value instanceof Date) {
    return DateTime.fromJSDate(value, { zone });
  }
  if (typeof value === 'string' && value !== '') {
    const dt = DateTime.fromISO(value, { zone });
    return dt.isValid ? dt : null;
  }
  return null;
}

/** Helpers every template may use. All return escaped text; only `{{{ }}}` of sanitised HTML is ever raw. */
export function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('t', function (this: unknown, key: string, ...args: unknown[]) {
    const options = args.pop() as Options;
    const params = { ...(options.hash as Record<string, unknown>) };
    return translate(langOf(options), key, params);
  });
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('gt', (a: number, b: number) => a > b);
  hbs.registerHelper('lt', (a: number, b: number) => a < b);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('add', (a: number, b: number) => Number(a) + Number(b));
  hbs.registerHelper('percent', (value: number) => `${Math.round(Number(value) * 100)}%`);
  hbs.registerHelper('hours', (value: number) =>
    (Math.round(Number(value) * 100) / 100).toString(),
  );
  hbs.registerHelper('date', (value: unknown, options: Options) => {
    const dt = toDateTime(value, zoneOf(options));
    return dt
      ? dt.setLocale(langOf(options) === 'en' ? 'en-GB' : 'zh-CN').toLocaleString(DateTime.DATE_MED)
      : '';
  });
  hbs.registerHelper('datetime', (value: unknown, options: Options) => {
    const dt = toDateTime(value, zoneOf(options));
    return dt
      ? dt
          .setLocale(langOf(options) === 'en' ? 'en-GB' : 'zh-CN')
          .toFormat(langOf(options) === 'en' ? 'd LLL yyyy HH:mm' : 'yyyy年M月d日 HH:mm')
      : '';
  });
  hbs.registerHelper(
    'time',
    (value: unknown, options: Options) =>
      toDateTime(value, zoneOf(options))?.toFormat('HH:mm') ?? '',
  );
  hbs.registerHelper(
    'isoDate',
    (value: unknown, options: Options) => toDateTime(value, zoneOf(options))?.toISODate() ?? '',
  );
  hbs.registerHelper(
    'localInput',
    (value: unknown, options: Options) =>
      toDateTime(value, zoneOf(options))?.toFormat("yyyy-LL-dd'T'HH:mm") ?? '',
  );
  /** `{{label "kinds" value}}` looks up `kinds.<value>` in the catalogue. */
  hbs.registerHelper('label', (ns: string, value: unknown, options: Options) =>
    value === null || value === undefined || value === ''
      ? ''
      : translate(
          langOf(options),
          `${ns}.${typeof value === 'string' || typeof value === 'number' ? value : ''}`,
        ),
  );
  hbs.registerHelper('join', (list: unknown, sep: unknown) =>
    Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : '',
  );
}
