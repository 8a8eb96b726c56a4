import { barChart } from './bar-chart';
import { heatMap } from './heat-map';
import { clip, esc } from './svg';
import { trendLine } from './trend-line';

describe('server-side charts', () => {
  it('makes an accessible heat map with a symbol in every cell', () => {
    const svg = heatMap({
      id: 'grid',
      title: '支部规范化',
      desc: '12 个月',
      columns: ['1', '2'],
      rows: [
        {
          label: '第一支部',
          cells: [
            { level: 'green', text: '1月 已开展' },
            { level: 'red', text: '2月 未开展' },
          ],
        },
      ],
    });
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="grid-title">支部规范化</title>');
    expect(svg).toContain('<desc id="grid-desc">12 个月</desc>');
    expect(svg).toContain('aria-labelledby="grid-title grid-desc"');
    expect(svg).toContain('>✓</text>');
    expect(svg).toContain('>✗</text>');
    expect(svg).toContain('<title>2月 未开展</title>');
  });

  it('escapes every text it is given', () => {
    const svg = barChart({
      id: 'x"><script>',
      title: '<b>&',
      desc: '"',
      bars: [{ label: '<img onerror=1>', value: 2 }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(esc(`'"<>&`)).toBe('&#39;&quot;&lt;&gt;&amp;');
  });

  it('scales bars to the largest value or the target and draws the target line', () => {
    const svg = barChart({
      id: 'hours',
      title: 'hours',
      desc: 'per branch',
      bars: [
        { label: 'a', value: 16 },
        { label: 'b', value: 8 },
      ],
      target: { value: 32, label: '32' },
    });
    // 16 of 32 fills half of the 240-unit bar area.
    expect(svg).toContain('width="120"');
    expect(svg).toContain('width="60"');
    expect(svg).toContain('stroke-dasharray');
  });

  it('draws a trend line and breaks it at missing values', () => {
    const svg = trendLine({
      id: 't',
      title: 'trend',
      desc: 'months',
      points: [
        { label: '1', value: 1 },
        { label: '2', value: 2 },
        { label: '3', value: null },
        { label: '4', value: 4 },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('role="img"');
  });

  it('clips long labels counting CJK characters as two columns', () => {
    expect(clip('第一第二第三', 6)).toBe('第一第…');
    expect(clip('short', 10)).toBe('short');
  });
});
