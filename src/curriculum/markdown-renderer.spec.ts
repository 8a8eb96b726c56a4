import MarkdownIt from 'markdown-it';
import { renderInlineMarkdown, renderMarkdown } from './markdown-renderer';

const ALLOWED_TAGS = new Set([
  'a',
  'strong',
  'em',
  'code',
  'img',
  'br',
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'ul',
  'ol',
  'li',
  'pre',
  'hr',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);
const { unescapeAll } = new MarkdownIt().utils;

/**
 * Everything in the output that a browser could run: tags outside the allow-list, event handler
 * or style attributes, and href/src values whose scheme is not http(s), mailto or tel.
 */
function executableParts(html: string): string[] {
  const found: string[] = [];
  for (const [, name, attributes] of html.matchAll(/<\/?([a-zA-Z][\w:-]*)([^>]*)>/g)) {
    if (!ALLOWED_TAGS.has(name.toLowerCase())) {
      found.push(`tag ${name}`);
    }
    for (const [, attribute, value] of attributes.matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) {
      if (/^(on|style$|srcdoc$|formaction$|xlink)/i.test(attribute)) {
        found.push(`attribute ${attribute}`);
      }
      if (/^(href|src)$/i.test(attribute)) {
        // What a browser would see: entities decoded, tabs, newlines and controls dropped.
        const url = unescapeAll(value ?? '').replace(/[\p{Cc} ]/gu, '');
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
        if (scheme && !['http', 'https', 'mailto', 'tel'].includes(scheme)) {
          found.push(`${attribute}=${url}`);
        }
      }
    }
  }
  return found;
}

describe(renderMarkdown.name, () => {
  describe('against script injection', () => {
    it('uses a checker that does flag executable markup', () => {
      const raw = '<a href="java&#x09;script:alert(1)" onclick="x"><svg><img src="data:x">';

      expect(executableParts(raw)).toEqual([
        'href=javascript:alert(1)',
        'attribute onclick',
        'tag svg',
        'src=data:x',
      ]);
    });

    it.each([
      ['a script tag', '<script>alert(1)</script>'],
      ['an image with onerror', '<img src=x onerror=alert(1)>'],
      ['a javascript: link', '[x](javascript:alert(1))'],
      ['an upper-case JAVASCRIPT: link', '[x](JAVASCRIPT:alert(1))'],
      ['a mixed-case link', '[x](JaVaScRiPt:alert(1))'],
      ['a link with leading spaces', '[x](  javascript:alert(1))'],
      ['a link with an entity for j', '[x](&#106;avascript:alert(1))'],
      ['a link with an encoded tab', '[x](java&#x09;script:alert(1))'],
      ['a link with a percent-encoded newline', '[x](java%0ascript:alert(1))'],
      ['a link with an entity colon', '[x](javascript&colon;alert(1))'],
      ['a link in angle brackets', '[x](<javascript:alert(1)>)'],
      ['a vbscript: link', '[x](vbscript:msgbox(1))'],
      ['a data: HTML link', '[x](data:text/html,<script>alert(1)</script>)'],
      ['a reference-style link', '[x][r]\n\n[r]: javascript:alert(1)'],
      ['a javascript: autolink', '<javascript:alert(1)>'],
      ['an SVG data image', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
      ['an HTML data image', '![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
      ['a javascript: image', '![x](javascript:alert(1))'],
      ['an image breaking out of src', '![x](x" onerror="alert(1))'],
      ['an image breaking out of its title', '![x](https://x.cn/a.png "t\\" onerror=\\"alert(1)")'],
      ['inline SVG with a script', '<svg><script>alert(1)</script></svg>'],
      ['inline SVG with onload', '<svg onload=alert(1)>'],
      ['an SVG link', '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'],
      ['a raw link with an encoded tab', '<a href="java&#x09;script:alert(1)">x</a>'],
      ['an iframe', '<iframe src=javascript:alert(1)></iframe>'],
      ['details with ontoggle', '<details open ontoggle=alert(1)>'],
      ['a style tag', '<style>@import "//evil.example/x.css"</style>'],
      ['a style attribute', '<div style="position:fixed;top:0;left:0">登录</div>'],
      ['a base tag', '<base href="//evil.example/">'],
      ['a form', '<form action="//evil.example"><button formaction="javascript:alert(1)">x'],
      ['a meta refresh', '<meta http-equiv=refresh content="0;url=//evil.example">'],
      ['mutation XSS', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
      ['a link inside raw HTML', '<div>[x](javascript:alert(1))</div>'],
      ['a code span closing its tag', '`</code><script>alert(1)</script>`'],
      [
        'a fence closing its tag',
        '```js" onclick="alert(1)\n</code><script>alert(1)</script>\n```',
      ],
      ['HTML in a table cell', '| a |\n|---|\n| <img src=x onerror=alert(1)> |'],
      ['a heading with an attribute', '# x" onmouseover="alert(1)'],
    ])('renders nothing executable for %s', (_label, source) => {
      const html = renderMarkdown(source);

      expect(executableParts(html)).toEqual([]);
      expect(html).not.toMatch(/<(script|svg|iframe|style|base|meta|form|object|embed)/i);
    });

    it('shows raw HTML as text', () => {
      expect(renderMarkdown('<img src=x onerror=alert(1)>')).toBe(
        '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n',
      );
    });

    it('keeps the text of a refused link and drops the link', () => {
      expect(renderMarkdown('请看[通知](javascript:alert(1))。')).toBe('<p>请看通知。</p>\n');
    });

    it('shows a refused image as its alt text', () => {
      expect(renderMarkdown('![示意图](data:image/png;base64,iVBORw0KGgo=)')).toBe(
        '<p>示意图</p>\n',
      );
    });

    it('escapes entities once, without decoding them into markup', () => {
      expect(renderMarkdown('&lt;script&gt; a & b < c')).toBe(
        '<p>&lt;script&gt; a &amp; b &lt; c</p>\n',
      );
    });
  });

  describe('content', () => {
    it('renders headings at their own levels', () => {
      expect(renderMarkdown('# 一级\n\n### 三级\n\n###### 六级')).toBe(
        '<h1>一级</h1>\n<h3>三级</h3>\n<h6>六级</h6>\n',
      );
    });

    it('wraps tables for sideways scrolling and aligns cells with classes, not styles', () => {
      const html = renderMarkdown('| 项目 | 学时 |\n|:--|--:|\n| 初任培训 | 2.5 |');

      expect(html).toBe(
        '<div class="table-wrap">\n<table>\n<thead>\n<tr>\n' +
          '<th class="align-left">项目</th>\n<th class="align-right">学时</th>\n' +
          '</tr>\n</thead>\n<tbody>\n<tr>\n' +
          '<td class="align-left">初任培训</td>\n<td class="align-right">2.5</td>\n' +
          '</tr>\n</tbody>\n</table>\n</div>\n',
      );
    });

    it('renders ordered and bullet lists', () => {
      expect(renderMarkdown('3. 学习\n4. 讨论\n\n- 签到\n- 请假')).toBe(
        '<ol start="3">\n<li>学习</li>\n<li>讨论</li>\n</ol>\n<ul>\n<li>签到</li>\n<li>请假</li>\n</ul>\n',
      );
    });

    it('keeps Chinese text, emphasis and code', () => {
      expect(renderMarkdown('**依法办事**是社区工作者的*基本功*，见 `第三条`。')).toBe(
        '<p><strong>依法办事</strong>是社区工作者的<em>基本功</em>，见 <code>第三条</code>。</p>\n',
      );
    });

    it('keeps the language class of a code block', () => {
      expect(renderMarkdown('```yaml\nhours: 2\n```')).toBe(
        '<pre><code class="language-yaml">hours: 2\n</code></pre>\n',
      );
    });

    it('opens external links in a new tab without giving them the opener', () => {
      expect(renderMarkdown('[官方通知](https://www.gov.cn/zhengce/)')).toBe(
        '<p><a href="https://www.gov.cn/zhengce/" target="_blank" rel="noopener noreferrer">' +
          '官方通知</a></p>\n',
      );
    });

    it('marks an autolink to another host as external too', () => {
      expect(renderMarkdown('<https://www.gov.cn>')).toContain('rel="noopener noreferrer"');
    });

    it('keeps links within the site in the same tab', () => {
      expect(renderMarkdown('[下一课](/courses/law/lessons/2) [日程](/days?at=09:30)')).toBe(
        '<p><a href="/courses/law/lessons/2">下一课</a> <a href="/days?at=09:30">日程</a></p>\n',
      );
      expect(
        renderMarkdown('[本站](https://academy.example.cn/x)', { siteHost: 'academy.example.cn' }),
      ).toBe('<p><a href="https://academy.example.cn/x">本站</a></p>\n');
    });

    it('allows mailto and tel links', () => {
      expect(renderMarkdown('[电话](tel:12345) [邮件](mailto:office@example.cn)')).toBe(
        '<p><a href="tel:12345">电话</a> <a href="mailto:office@example.cn">邮件</a></p>\n',
      );
    });

    it('renders http(s) and relative images, loaded lazily', () => {
      expect(
        renderMarkdown('![流程图](/media/flow.png "调解流程") ![x](https://cdn.example.cn/a.jpg)'),
      ).toBe(
        '<p><img src="/media/flow.png" alt="流程图" title="调解流程" loading="lazy" /> ' +
          '<img src="https://cdn.example.cn/a.jpg" alt="x" loading="lazy" /></p>\n',
      );
    });

    it('renders blockquotes and rules', () => {
      expect(renderMarkdown('> 案例：邻里纠纷\n\n---')).toBe(
        '<blockquote>\n<p>案例：邻里纠纷</p>\n</blockquote>\n<hr />\n',
      );
    });

    it('treats a missing text as empty', () => {
      expect(renderMarkdown(undefined as unknown as string)).toBe('');
    });
  });
});

describe(renderInlineMarkdown.name, () => {
  it('renders one line without a paragraph', () => {
    expect(renderInlineMarkdown('**调解**与`仲裁`')).toBe(
      '<strong>调解</strong>与<code>仲裁</code>',
    );
  });

  it('leaves block syntax as text', () => {
    expect(renderInlineMarkdown('# 不是标题')).toBe('# 不是标题');
    expect(renderInlineMarkdown('| a | b |')).toBe('| a | b |');
  });

  it('renders nothing executable', () => {
    for (const source of [
      '<script>alert(1)</script>',
      '[x](javascript:alert(1))',
      '![x](data:image/svg+xml;base64,PHN2Zz4=)',
      '<img src=x onerror=alert(1)>',
    ]) {
      expect(executableParts(renderInlineMarkdown(source))).toEqual([]);
    }
  });

  it('marks external links', () => {
    expect(renderInlineMarkdown('见[民法典](https://flk.npc.gov.cn)')).toBe(
      '见<a href="https://flk.npc.gov.cn" target="_blank" rel="noopener noreferrer">民法典</a>',
    );
  });
});
