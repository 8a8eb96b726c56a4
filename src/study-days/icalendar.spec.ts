import { DateTime } from 'luxon';
import { sync, VEvent, VTimeZone } from 'node-ical';
import { buildCalendar, CalendarError, CalendarEvent, CalendarOptions } from './icalendar';

const SHANGHAI = 'Asia/Shanghai';

function studyDay(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    uid: 'study-day-1@cadre-academy',
    sequence: 0,
    startsAt: new Date('2027-01-05T01:00:00Z'),
    endsAt: new Date('2027-01-05T03:00:00Z'),
    summary: '主题党日：学习《城乡社区治理》',
    updatedAt: new Date('2026-12-20T08:30:00Z'),
    ...overrides,
  };
}

function calendar(overrides: Partial<CalendarOptions> = {}): string {
  return buildCalendar({ name: '第一党支部', zone: SHANGHAI, events: [studyDay()], ...overrides });
}

function parsedEvents(ics: string): VEvent[] {
  return Object.values(sync.parseICS(ics)).filter((c): c is VEvent => c?.type === 'VEVENT');
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CalendarError) {
      return error.code;
    }
    throw error;
  }
  return undefined;
}

function shanghaiTime(date: Date): string {
  return DateTime.fromJSDate(date, { zone: SHANGHAI }).toFormat('yyyy-MM-dd HH:mm');
}

describe('buildCalendar', () => {
  it('lists each event at its local time in Asia/Shanghai, with the TZID of the zone', () => {
    const ics = calendar();
    const [event] = parsedEvents(ics);

    expect(ics).toContain('DTSTART;TZID=Asia/Shanghai:20270105T090000');
    expect(ics).toContain('DTEND;TZID=Asia/Shanghai:20270105T110000');
    expect(event.uid).toBe('study-day-1@cadre-academy');
    expect(event.start.tz).toBe(SHANGHAI);
    expect(shanghaiTime(event.start)).toBe('2027-01-05 09:00');
    expect(shanghaiTime(event.end!)).toBe('2027-01-05 11:00');
    expect(event.start.toISOString()).toBe('2027-01-05T01:00:00.000Z');
  });

  it('describes the zone in a VTIMEZONE at UTC+8', () => {
    const parsed = Object.values(sync.parseICS(calendar()));
    const zone = parsed.find((c): c is VTimeZone => c?.type === 'VTIMEZONE');

    expect(zone?.tzid).toBe(SHANGHAI);
    expect(calendar()).toContain('TZOFFSETTO:+0800');
  });

  it('writes DTSTAMP and LAST-MODIFIED in UTC from updatedAt', () => {
    const ics = calendar();
    const [event] = parsedEvents(ics);

    expect(ics).toContain('DTSTAMP:20261220T083000Z');
    expect(ics).toContain('LAST-MODIFIED:20261220T083000Z');
    expect(event.dtstamp.toISOString()).toBe('2026-12-20T08:30:00.000Z');
  });

  it('marks a cancelled study day CANCELLED and keeps the others CONFIRMED', () => {
    const ics = calendar({
      events: [
        studyDay({ uid: 'held@cadre-academy' }),
        studyDay({ uid: 'off@cadre-academy', cancelled: true, sequence: 2 }),
      ],
    });
    const byUid = new Map(parsedEvents(ics).map((e) => [e.uid, e]));

    expect(byUid.get('held@cadre-academy')?.status).toBe('CONFIRMED');
    expect(byUid.get('off@cadre-academy')?.status).toBe('CANCELLED');
  });

  it('carries the sequence so calendar clients apply an update to the same event', () => {
    const first = parsedEvents(calendar({ events: [studyDay({ sequence: 0 })] }))[0];
    const moved = parsedEvents(
      calendar({
        events: [
          studyDay({
            sequence: 1,
            startsAt: new Date('2027-01-06T01:00:00Z'),
            endsAt: new Date('2027-01-06T03:00:00Z'),
          }),
        ],
      }),
    )[0];

    expect(first.uid).toBe(moved.uid);
    expect(Number(first.sequence)).toBe(0);
    expect(Number(moved.sequence)).toBe(1);
    expect(shanghaiTime(moved.start)).toBe('2027-01-06 09:00');
  });

  it('keeps Chinese text, commas, semicolons and line breaks intact', () => {
    const ics = calendar({
      name: '社区C1, 第一党支部; 日历',
      events: [
        studyDay({
          summary: '主题党日：学法律, 讲调解; 会应急',
          description: '议程：一、学习文件;\n二、讨论, 交流\n三、签到（请带手机）',
          location: '社区党群服务中心 3 楼, 会议室; 东侧',
          url: 'https://academy.example.cn/study-days/1?tab=roster,agenda',
        }),
      ],
    });
    const parsed = sync.parseICS(ics);
    const [event] = parsedEvents(ics);

    expect(event.summary).toBe('主题党日：学法律, 讲调解; 会应急');
    expect(event.description).toBe('议程：一、学习文件;\n二、讨论, 交流\n三、签到（请带手机）');
    expect(event.location).toBe('社区党群服务中心 3 楼, 会议室; 东侧');
    // Percent-encoded, because a URI value must not carry text escapes such as "\,".
    expect(ics).toContain(
      'URL;VALUE=URI:https://academy.example.cn/study-days/1?tab=roster%2Cagenda',
    );
    expect(parsed.vcalendar?.['WR-CALNAME']).toBe('社区C1, 第一党支部; 日历');
  });

  it('folds long lines without splitting a Chinese character', () => {
    const summary = '学习贯彻'.repeat(40);
    const ics = calendar({ events: [studyDay({ summary })] });

    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(parsedEvents(ics)[0].summary).toBe(summary);
  });

  it('gives the same feed for the same data, so it can be cached', () => {
    expect(calendar()).toBe(calendar());
  });

  it('writes the product id', () => {
    expect(calendar()).toContain('PRODID:-//Cadre Academy//Study days//ZH');
    expect(calendar({ prodId: '//Example//Feed//EN' })).toContain('PRODID:-//Example//Feed//EN');
  });

  it('builds an empty feed', () => {
    expect(parsedEvents(calendar({ events: [] }))).toEqual([]);
  });

  it('describes daylight saving changes for a zone that has them', () => {
    const ics = calendar({ zone: 'Europe/Berlin' });

    expect(ics).toContain('BEGIN:DAYLIGHT');
    expect(ics).toContain('DTSTART:20270328T020000');
    expect(ics).toContain('DTSTART;TZID=Europe/Berlin:20270105T020000');
    expect(parsedEvents(ics)[0].start.toISOString()).toBe('2027-01-05T01:00:00.000Z');
  });

  it.each<[string, Partial<CalendarOptions>, string]>([
    ['an unknown zone', { zone: 'Asia/Beijing' }, 'INVALID_ZONE'],
    ['a uid with a line break', { events: [studyDay({ uid: 'a\r\nX-EVIL:1' })] }, 'INVALID_EVENT'],
    ['a negative sequence', { events: [studyDay({ sequence: -1 })] }, 'INVALID_EVENT'],
    ['an invalid date', { events: [studyDay({ startsAt: new Date('x') })] }, 'INVALID_EVENT'],
    ['a javascript: url', { events: [studyDay({ url: 'javascript:alert(1)' })] }, 'INVALID_EVENT'],
    [
      'an end before the start',
      { events: [studyDay({ endsAt: new Date('2027-01-05T00:00:00Z') })] },
      'INVALID_EVENT',
    ],
  ])('refuses %s', (_label, overrides, code) => {
    expect(errorCode(() => calendar(overrides))).toBe(code);
  });
});
