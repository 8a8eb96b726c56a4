import { jsonChunks, recycle } from './json-chunks';

const jsonBytes = (value: object, depth: number): Buffer =>
  Buffer.concat(jsonChunks(value, depth).chunks);

/** jsonChunks must be JSON.stringify to the byte, at every depth of splitting. */
function expectSameAsStringify(value: object): void {
  const expected = Buffer.from(JSON.stringify(value));
  for (const depth of [0, 1, 2, 3, 6]) {
    expect(jsonBytes(value, depth).toString('utf8')).toBe(expected.toString('utf8'));
    expect(jsonBytes(value, depth).equals(expected)).toBe(true);
  }
}

describe(jsonChunks.name, () => {
  it('writes a report-shaped body exactly as JSON.stringify: Chinese names, ASCII cells, nulls', () => {
    expectSameAsStringify({
      year: 2026,
      org: { id: 'city', name: '示范市', kind: 'city' },
      branches: [
        {
          id: 'b1',
          name: '第一党支部',
          trail: '东城区 / 和平街道',
          months: [
            { month: '2026-01', held: true, attendanceRate: 0.9, evidence: { plan: true } },
            { month: '2026-02', held: false, attendanceRate: null, evidence: {} },
          ],
        },
        { id: 'b2', name: 'Branch "two"\n', months: [] },
      ],
      rollup: [],
    });
  });

  it('leaves out what JSON.stringify leaves out and writes null where it writes null', () => {
    const sym = Symbol('s');
    expectSameAsStringify({
      skippedUndefined: undefined,
      skippedFunction: () => 1,
      [sym]: 'symbol keys are not written',
      list: [undefined, () => 1, sym, NaN, Infinity, -0, null, 'x'],
      nested: { deeper: { deepest: [1, { a: undefined, b: 2 }] } },
      escapes: '\u2028 \u0000 \\ "quoted" 😀',
    });
  });

  it('serialises values with toJSON (dates, custom) through toJSON, as JSON.stringify does', () => {
    expectSameAsStringify({
      at: new Date('2026-12-07T01:02:03.004Z'),
      custom: { toJSON: () => ({ shown: '是' }) },
      list: [new Date(0), { toJSON: () => 'text' }],
    });
    expectSameAsStringify([{ a: 1 }, [2, [3]], '四']);
  });

  it('fills chunks across their boundaries, a piece longer than a chunk whole, and counts every byte', () => {
    const body = {
      // ~2.6 MB of ASCII and Chinese pieces: three chunks, with pieces split nowhere.
      branches: Array.from({ length: 6000 }, (_, i) => ({
        id: `b${i}`,
        name: `第${i}党支部`,
        cells: Array.from({ length: 12 }, (__, m) => ({ month: m + 1, held: (i + m) % 3 === 0 })),
      })),
      // One piece of ~3 MB, longer than a chunk: a million three-byte characters, then two-byte ones.
      long: '是'.repeat(1_000_000) + 'é'.repeat(10),
    };
    const expected = Buffer.from(JSON.stringify(body));
    const { chunks, length } = jsonChunks(body);
    expect(length).toBe(expected.length);
    expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(expected.length);
    expect(chunks.length).toBeGreaterThan(2);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
    expect(chunks.some((c) => c.length > 1 << 20)).toBe(true);
  });

  it('writes the next JSON into the buffers of one recycled, over what they held', () => {
    const report = (tag: string) => ({
      tag,
      rows: Array.from({ length: 30_000 }, (_, i) => ({
        id: `${tag}-${i}`,
        name: `${tag}支部${i}`,
      })),
    });
    const first = jsonChunks(report('a'));
    expect(first.chunks.length).toBeGreaterThan(1);
    const reused = new Set(first.buffers.map((b) => b.buffer));
    recycle(first);
    expect(first.chunks).toEqual([]);
    const second = jsonChunks(report('bb'));
    expect(second.buffers.some((b) => reused.has(b.buffer))).toBe(true);
    expect(Buffer.concat(second.chunks).equals(Buffer.from(JSON.stringify(report('bb'))))).toBe(
      true,
    );
  });
});
