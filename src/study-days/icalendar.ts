import ical, { escape, ICalEventStatus } from 'ical-generator';
import { DateTime, FixedOffsetZone, Info } from 'luxon';

export type CalendarEvent = {
  /** Stable across updates, so clients replace the event instead of adding a copy. */
  uid: string;
  /** Raise on every change (time, place, cancellation); clients ignore updates with a lower one. */
  sequence: number;
  startsAt: Date;
  endsAt: Date;
  summary: string;
  description?: string;
  location?: string;
  /** Absolute http(s) link back to the study day page. */
  url?: string;
  cancelled?: boolean;
  updatedAt: Date;
};

export type CalendarOptions = {
  name: string;
  /** IANA zone the events are shown in, e.g. Asia/Shanghai. */
  zone: string;
  /** Without the leading "-", e.g. //Cadre Academy//Study days//ZH. */
  prodId?: string;
  events: CalendarEvent[];
};

export class CalendarError extends Error {
  constructor(
    readonly code: 'INVALID_ZONE' | 'INVALID_EVENT',
    message: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}

const DEFAULT_PROD_ID = '//Cadre Academy//Study days//ZH';
// UID goes into the output unescaped, so only a safe, printable subset is allowed.
const UID_RE = /^[A-Za-z0-9@._:+-]{1,255}$/;

/** An iCalendar (RFC 5545) feed with times in the organisation's zone. */
export function buildCalendar(opts: CalendarOptions): string {
  const { zone } = opts;
  if (!Info.isValidIANAZone(zone)) {
    throw new CalendarError('INVALID_ZONE', `unknown time zone: ${zone}`);
  }
  opts.events.forEach(checkEvent);

  const years = opts.events.flatMap((e) => [e.startsAt, e.endsAt].map((d) => d.getUTCFullYear()));
  const firstYear = years.length > 0 ? Math.min(...years) - 1 : new Date().getUTCFullYear();
  const lastYear = years.length > 0 ? Math.max(...years) + 1 : firstYear;

  const calendar = ical({
    // The library writes NAME and X-WR-CALNAME unescaped.
    name: escape(opts.name, false),
    prodId: opts.prodId ?? DEFAULT_PROD_ID,
    // A calendar-level zone name would also write DTSTAMP and LAST-MODIFIED in local time, which
    // RFC 5545 forbids; so the zone goes on each event and the calendar only emits VTIMEZONE.
    timezone: { name: null, generator: (tzid) => vtimezone(tzid, firstYear, lastYear) },
    x: [['X-WR-TIMEZONE', zone]],
  });

  for (const event of opts.events) {
    calendar.createEvent({
      id: event.uid,
      sequence: event.sequence,
      // Luxon values, not Dates: with a Date the library would use the server's own zone.
      start: DateTime.fromJSDate(event.startsAt, { zone }),
      end: DateTime.fromJSDate(event.endsAt, { zone }),
      timezone: zone,
      summary: event.summary,
      description: event.description ?? null,
      location: event.location ? { title: event.location } : null,
      url: event.url ? uriValue(event.url) : null,
      status: event.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      // Without METHOD, DTSTAMP is the last revision time; using updatedAt keeps the feed stable.
      stamp: event.updatedAt,
      lastModified: event.updatedAt,
    });
  }
  return calendar.toString();
}

function checkEvent(event: CalendarEvent): void {
  if (!UID_RE.test(event.uid)) {
    throw new CalendarError('INVALID_EVENT', `uid must match ${String(UID_RE)}`);
  }
  if (!Number.isInteger(event.sequence) || event.sequence < 0) {
    throw new CalendarError(
      'INVALID_EVENT',
      `sequence of ${event.uid} must be a whole number >= 0`,
    );
  }
  for (const [field, value] of Object.entries({
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    updatedAt: event.updatedAt,
  })) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw new CalendarError('INVALID_EVENT', `${field} of ${event.uid} is not a valid date`);
    }
  }
  if (event.endsAt.getTime() < event.startsAt.getTime()) {
    throw new CalendarError('INVALID_EVENT', `${event.uid} ends before it starts`);
  }
}

function uriValue(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CalendarError('INVALID_EVENT', `url is not absolute: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CalendarError('INVALID_EVENT', 'url must be http or https');
  }
  // The library escapes URIs like text (\, \;), which breaks them; percent-encoding is equivalent.
  return parsed.href.replace(/,/g, '%2C').replace(/;/g, '%3B');
}

/**
 * VTIMEZONE for a zone over the given years, built from the runtime's zone data: RFC 5545 requires
 * one per TZID, and Outlook will not place events without it.
 */
function vtimezone(tzid: string, firstYear: number, lastYear: number): string {
  const from = DateTime.fromObject({ year: firstYear, month: 1, day: 1 }, { zone: 'utc' });
  const to = DateTime.fromObject({ year: lastYear + 1, month: 1, day: 1 }, { zone: 'utc' });
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone: tzid }).offset;
  const day = 24 * 60 * 60 * 1000;

  const initial = offsetAt(from.toMillis());
  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`];
  const observance = (at: number, offsetFrom: number, offsetTo: number): void => {
    const kind = DateTime.fromMillis(at, { zone: tzid }).isInDST ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART is the local time just before the change, i.e. in the old offset.
    const local = DateTime.fromMillis(at, { zone: FixedOffsetZone.instance(offsetFrom) });
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${local.toFormat("yyyyMMdd'T'HHmmss")}`,
      `TZOFFSETFROM:${formatOffset(offsetFrom)}`,
      `TZOFFSETTO:${formatOffset(offsetTo)}`,
      `END:${kind}`,
    );
  };

  observance(from.toMillis(), initial, initial);
  let previous = initial;
  for (let t = from.toMillis(); t < to.toMillis(); t += day) {
    const next = offsetAt(t + day);
    if (next === previous) {
      continue;
    }
    // Narrow the change down to the minute.
    let low = t;
    let high = t + day;
    while (high - low > 60 * 1000) {
      const mid = low + Math.floor((high - low) / 2);
      if (offsetAt(mid) === previous) {
        low = mid;
      } else {
        high = mid;
      }
    }
    const at = high - (high % (60 * 1000));
    observance(at, previous, next);
    previous = next;
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
