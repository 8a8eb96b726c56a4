import { contentDisposition } from './content-disposition';

/** The parts of a header value built by contentDisposition, as a client reads them. */
function parse(value: string): { type: string; ascii: string; utf8: string } {
  const match =
    /^(attachment|inline); filename="([\x20-\x7e]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)$/.exec(
      value,
    );
  if (!match) {
    throw new Error(`not a valid Content-Disposition value: ${value}`);
  }
  return { type: match[1], ascii: match[2], utf8: decodeURIComponent(match[3]) };
}

describe(contentDisposition.name, () => {
  it('gives an ASCII name as both filename and filename*', () => {
    expect(contentDisposition('attachment', 'hours-2026.csv')).toBe(
      `attachment; filename="hours-2026.csv"; filename*=UTF-8''hours-2026.csv`,
    );
  });

  it('keeps a Chinese name exactly in filename* (RFC 5987) with an ASCII stand-in', () => {
    const parsed = parse(contentDisposition('attachment', '名单.xlsx'));

    expect(parsed).toEqual({ type: 'attachment', ascii: '__.xlsx', utf8: '名单.xlsx' });
    expect(contentDisposition('attachment', '名单.xlsx')).toContain(
      "filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx",
    );
  });

  it.each([
    ['a path', '../../x', 'x'],
    ['a Windows path', '..\\..\\win.ini', 'win.ini'],
    ['a right-to-left override', 'a\u202Egpj.exe', 'agpj.exe'],
    ['control characters and a header break', 'a\r\nSet-Cookie: x=1.csv', 'aSet-Cookie: x=1.csv'],
    ['quotes and a backslash in the name', 'a"b\\c.csv', 'c.csv'],
    ['a reserved device name', 'CON', 'CON'],
    ['nothing left', '../', 'download'],
  ])('neutralises %s', (_label, name, expected) => {
    const value = contentDisposition('attachment', name);
    const parsed = parse(value);

    expect(parsed.utf8).toBe(expected);
    expect(value).not.toMatch(/[\r\n\u202e]/);
    expect(parsed.ascii).not.toMatch(/["\\/]/);
  });

  it('carries a 300-character name whole and keeps quotes out of the plain filename', () => {
    const long = `${'长'.repeat(296)}.png`;
    const parsed = parse(contentDisposition('inline', long));

    expect(parsed.utf8).toBe(long);
    expect(parsed.ascii).toBe(`${'_'.repeat(296)}.png`);
    expect(parse(contentDisposition('attachment', `it's "x" (1)*.csv`))).toEqual({
      type: 'attachment',
      ascii: "it's _x_ (1)*.csv",
      utf8: `it's "x" (1)*.csv`,
    });
  });
});
