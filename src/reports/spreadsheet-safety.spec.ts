import {
  csvField,
  neutralise,
  safeCell,
  safeFileName,
  toCsv,
  UTF8_BOM,
} from './spreadsheet-safety';

describe('spreadsheet safety', () => {
  it.each(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx', '\rx', '=HYPERLINK("http://x","y")'])(
    'prefixes a quote to the formula-like text %j',
    (text) => {
      expect(neutralise(text)).toBe(`'${text}`);
    },
  );

  it('leaves ordinary text, Chinese and inner symbols alone', () => {
    expect(neutralise('王秀英')).toBe('王秀英');
    expect(neutralise('a=b')).toBe('a=b');
    expect(neutralise('')).toBe('');
  });

  it('keeps numbers as numbers, including negative ones', () => {
    expect(safeCell(-3.5)).toBe(-3.5);
    expect(safeCell(0)).toBe(0);
    expect(safeCell(Number.NaN)).toBeNull();
    expect(safeCell(null)).toBeNull();
    expect(safeCell('-3')).toBe("'-3");
  });

  it('quotes CSV fields with commas, quotes and line breaks after neutralising', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField(undefined)).toBe('');
  });

  it('writes a CSV document with a BOM and CRLF line ends', () => {
    const csv = toCsv(
      ['姓名', '学时'],
      [
        ['李小红', 12],
        ['@x', -1],
      ],
    );
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv).toBe(`${UTF8_BOM}姓名,学时\r\n李小红,12\r\n'@x,-1\r\n`);
  });

  it('makes safe download names', () => {
    expect(safeFileName('regularity-2026', 'csv')).toBe('regularity-2026.csv');
    expect(safeFileName('../../etc/passwd\r\nX: y', 'xlsx')).toBe('etc-passwd-X-y.xlsx');
    expect(safeFileName('排名', 'csv')).toBe('report.csv');
  });
});
