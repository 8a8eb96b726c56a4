import MarkdownIt from 'markdown-it';

/**
 * SECURITY-TESTS.md section G (cases 70-77): every payload a trainer could write into markdown, shared by the
 * end-to-end suite (test/security/markdown-xss.e2e-spec.ts) and the browser suite (test/browser/xss.browser-spec.ts).
 */
export interface XssPayload {
  /** Case number and index, e.g. `70-1`; the marker `XSS-70-1` is written beside the payload. */
  id: string;
  markdown: string;
}

const SVG_WITH_SCRIPT = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
).toString('base64');

const RAW: Array<[string, string[]]> = [
  [
    '70',
    [
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x](  javascript:alert(1))',
      '[x](java&#x09;script:alert(1))',
      '[x](java%0ascript:alert(1))',
      '[x](&#106;avascript:alert(1))',
      '[x](vbscript:msgbox(1))',
      '[x][r]\n\n[r]: javascript:alert(1)',
      '<javascript:alert(1)>',
      '[x](javascript&colon;alert(1))',
    ],
  ],
  [
    '71',
    [
      '![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '[x](data:text/html,<script>alert(1)</script>)',
      `![x](data:image/svg+xml;base64,${SVG_WITH_SCRIPT})`,
      '![x](x" onerror="alert(1))',
      '![x](https://x.example/a.png "t\\" onerror=\\"alert(1)")',
    ],
  ],
  [
    '72',
    [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '<a href="javascript:alert(1)">x</a>',
      '<details open ontoggle=alert(1)>',
      '<iframe src=javascript:alert(1)></iframe>',
      '<form action=https://evil.example><button formaction=javascript:alert(1)>x</button></form>',
      "<style>@import'//evil.example/x.css'; body{background:url(javascript:alert(1))}</style>",
      '<base href=//evil.example/>',
      '<meta http-equiv=refresh content="0;url=//evil.example">',
      '<input autofocus onfocus=alert(1)>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
      '</textarea><script>alert(1)</script>',
    ],
  ],
  [
    '73',
    [
      '<svg onload=alert(1)>',
      '<svg><script>alert(1)</script></svg>',
      '<svg><a xlink:href="javascript:alert(1)"><text y=20>x</text></a></svg>',
      '<svg><foreignObject><iframe src=javascript:alert(1)>',
      '![](evil.svg)',
    ],
  ],
  [
    '74',
    [
      '&lt;script&gt;alert(1)&lt;/script&gt;',
      '&amp;lt;b&amp;gt;double&amp;lt;/b&amp;gt;',
      '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
      '[x](ｊａｖａｓｃｒｉｐｔ:alert(1)) [y](jav\u0430script:alert(1))',
      '<div>[x](javascript:alert(1))</div>',
      '`</code><script>alert(1)</script>`',
      '| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <script>alert(1)</script> |',
      'x[^1]\n\n[^1]: <script>alert(1)</script> [y](javascript:alert(1))',
    ],
  ],
  [
    '75',
    [
      '# x" onmouseover="alert(1)',
      'x {.class onclick=alert(1)} {#id onmouseover=alert(1)}',
      '[x](https://x.example/ "a\\" onmouseover=\\"alert(1)")',
      ':smile: :<img src=x onerror=alert(1)>:',
      '$\\href{javascript:alert(1)}{x}$ $$\\href{javascript:alert(1)}{y}$$',
      '```mermaid\ngraph TD; A-->B; click A "javascript:alert(1)"\n```',
      '```js" onclick="alert(1)\n</code><script>alert(1)</script>\n```',
    ],
  ],
  [
    '76',
    [
      '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:#fff">请重新登录</div>',
      '| 居中 |\n|:-:|\n| 内容 |',
    ],
  ],
  ['77', ['[官方通知](https://evil.example/notice)']],
];

export const PAYLOADS: XssPayload[] = RAW.flatMap(([kase, list]) =>
  list.map((markdown, i) => ({ id: `${kase}-${i + 1}`, markdown })),
);

export const marker = (p: XssPayload): string => `XSS-${p.id}`;

/** A block of markdown: the marker paragraph, then the payload (so block syntax still starts a line). */
export const block = (p: XssPayload): string => `${marker(p)}\n\n${p.markdown}`;

/** One line (an option): the marker and the payload with its line breaks turned into spaces. */
export const line = (p: XssPayload): string => `${marker(p)} ${p.markdown.replace(/\n+/g, ' ')}`;

/** All payloads in one document (a course overview, a lesson written on the page). */
export const allPayloads = (payloads: XssPayload[] = PAYLOADS): string =>
  payloads.map(block).join('\n\n');

/** The external link of case 77, which must open without giving the other site the opener or the referrer. */
export const EXTERNAL_HREF = 'https://evil.example/notice';

/** Case 74: entities are decoded once by markdown and escaped once in HTML, never turned into markup. */
export const ENTITY_EXPECTATIONS: Record<string, { html: string; text: string }> = {
  '74-1': { html: '&lt;script&gt;alert(1)&lt;/script&gt;', text: '<script>alert(1)</script>' },
  '74-2': {
    html: '&amp;lt;b&amp;gt;double&amp;lt;/b&amp;gt;',
    text: '&lt;b&gt;double&lt;/b&gt;',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Question banks holding every payload

/** One question per payload: the payload in the stem, in both options, in both options' feedback and in the general feedback. */
export function bankMarkdown(
  slug: string,
  course: string,
  quizzes = '[]',
  payloads: XssPayload[] = PAYLOADS,
): string {
  const questions = payloads.map((p) =>
    [
      `## 题目 ${marker(p)}`,
      'type: single',
      '',
      block(p),
      '',
      `- [x] ${line(p)}`,
      ...block(p)
        .split('\n')
        .map((l) => `  > ${l}`),
      '- [ ] 普通选项',
      ...block(p)
        .split('\n')
        .map((l) => `  > ${l}`),
      '',
      ...block(p)
        .split('\n')
        .map((l) => `> ${l}`),
      '',
    ].join('\n'),
  );
  return [
    '---',
    `slug: ${slug}`,
    'name: 载荷题库',
    'nameEn: Payload bank',
    `course: ${course}`,
    `quizzes: ${quizzes}`,
    '---',
    '',
    ...questions,
  ].join('\n');
}

const giftEscape = (s: string): string =>
  s.replace(/[\\~=#{}:]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

/** The same questions in GIFT, in the given text format (none: Moodle's own HTML-ish format). */
export function bankGift(
  format: '[markdown]' | '[html]' | '',
  payloads: XssPayload[] = PAYLOADS,
): string {
  return payloads
    .map(
      (p) =>
        `::${marker(p)}::${format}${giftEscape(block(p))}{=${giftEscape(line(p))}#${giftEscape(block(p))} ~普通选项#${giftEscape(block(p))} ####${giftEscape(block(p))}}\n`,
    )
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Checkers

const { unescapeAll } = new MarkdownIt().utils;

/** Tags the sanitisers may emit (lesson markdown, inline markdown, and the Moodle/HTML question formats). */
const SAFE_TAGS = new Set(
  [
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
    'b',
    'i',
    'u',
    'sub',
    'sup',
  ].map((t) => t.toLowerCase()),
);
const SAFE_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'title', 'target', 'rel'],
  img: ['src', 'alt', 'title', 'loading'],
  ol: ['start'],
  p: ['class'],
  div: ['class'],
  code: ['class'],
  th: ['class'],
  td: ['class'],
};
/** Classes are checked too (a class of the app's CSS could redress the page, case 76). */
const SAFE_CLASSES: Record<string, RegExp> = {
  div: /^table-wrap$/,
  code: /^language-\S*$/,
  th: /^align-(left|center|right)$/,
  td: /^align-(left|center|right)$/,
  // The editor's empty-preview placeholder, written by the template inside its content region.
  p: /^muted$/,
};
const URL_SCHEMES: Record<string, string[]> = {
  href: ['http', 'https', 'mailto', 'tel'],
  src: ['http', 'https'],
};

/** The catalogue of section G, looked for in the markup: tag and attribute names and decoded URL values. */
export const FORBIDDEN =
  /<script|\bon\w+\s*=|javascript:|vbscript:|data:text\/html|<iframe|<object|<embed|<form|<base|<meta|<style|expression\s*\(|url\(\s*javascript|srcdoc|formaction|xlink:href/i;

const URL_ATTRIBUTES = ['href', 'src', 'action', 'formaction', 'data', 'poster', 'xlink:href'];
const TAG = /<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const ATTRIBUTE = /([^\s=/"'>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** What a browser would see in a URL attribute: entities decoded, controls and spaces dropped. */
function browserUrl(value: string): string {
  return unescapeAll(value).replace(/[\p{Cc}\s]/gu, '');
}

/**
 * Everything in sanitised user HTML that could run or redress: a tag outside the allow-list, an attribute
 * outside the per-tag allow-list, a URL whose scheme is not allowed, a target=_blank without rel=noopener
 * noreferrer, a `<` that is not a tag (unparsed markup), or any pattern of section G in the markup.
 */
export function unsafeMarkup(html: string, siteOrigin?: string): string[] {
  const found: string[] = [];
  // Tag and attribute names with the URL values a browser would follow; other values (title, alt) are text.
  let skeleton = '';
  let tagCount = 0;
  for (const m of html.matchAll(TAG)) {
    tagCount += 1;
    const [, closing, rawName, attributes] = m;
    const name = rawName.toLowerCase();
    skeleton += `<${closing}${name}`;
    if (!SAFE_TAGS.has(name)) {
      found.push(`tag <${name}>`);
    }
    const attrs = new Map<string, string>();
    for (const a of attributes.matchAll(ATTRIBUTE)) {
      const attr = a[1].toLowerCase();
      const value = a[2] ?? a[3] ?? a[4] ?? '';
      attrs.set(attr, value);
      skeleton += ` ${attr}=${URL_SCHEMES[attr] ? `"${browserUrl(value)}"` : '""'}`;
      if (!(SAFE_ATTRIBUTES[name] ?? []).includes(attr)) {
        found.push(`attribute ${attr} on <${name}>`);
      } else if (attr === 'class' && !SAFE_CLASSES[name]?.test(unescapeAll(value))) {
        found.push(`class "${value}" on <${name}>`);
      }
      const schemes = URL_SCHEMES[attr];
      if (schemes) {
        const url = browserUrl(value);
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
        if (scheme && !schemes.includes(scheme)) {
          found.push(`${attr}=${url}`);
        }
      }
    }
    skeleton += '>';
    if (name === 'a' && attrs.get('target') === '_blank') {
      const rel = (attrs.get('rel') ?? '').split(/\s+/);
      if (!rel.includes('noopener') || !rel.includes('noreferrer')) {
        found.push(`target=_blank without rel="noopener noreferrer"`);
      }
    }
    if (name === 'a' && siteOrigin) {
      const href = attrs.get('href');
      if (href && /^https?:\/\//i.test(href) && !href.startsWith(siteOrigin)) {
        const rel = (attrs.get('rel') ?? '').split(/\s+/);
        if (!rel.includes('noopener') || !rel.includes('noreferrer')) {
          found.push(`external link without rel="noopener noreferrer": ${href}`);
        }
      }
    }
  }
  if ((html.match(/</g) ?? []).length !== tagCount) {
    found.push('a "<" that is not a tag');
  }
  const hit = FORBIDDEN.exec(skeleton);
  if (hit) {
    found.push(`pattern ${hit[0]}`);
  }
  return [...new Set(found)];
}

/**
 * Every string of a JSON answer that holds HTML: the keys named `html`/`...Html`. Other strings (the markdown
 * source a trainer wrote, a title) are text, which JSON carries as is and pages escape.
 */
export function htmlStrings(value: unknown, key = ''): Array<[string, string]> {
  if (typeof value === 'string') {
    return /html$/i.test(key) ? [[key, value]] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((v) => htmlStrings(v, key));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => htmlStrings(v, k));
  }
  return [];
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

/** The inner HTML of every element of a page marked `data-user-content` (where sanitised content is put). */
export function userContentRegions(page: string): string[] {
  const regions: string[] = [];
  const open = /<([a-zA-Z][\w-]*)\b[^>]*\bdata-user-content\b[^>]*>/g;
  for (const start of page.matchAll(open)) {
    const from = (start.index ?? 0) + start[0].length;
    const scan = new RegExp(TAG.source, 'g');
    scan.lastIndex = from;
    let depth = 1;
    let end = page.length;
    for (let m = scan.exec(page); m; m = scan.exec(page)) {
      const name = m[2].toLowerCase();
      if (VOID.has(name) || m[0].endsWith('/>')) {
        continue;
      }
      depth += m[1] ? -1 : 1;
      if (depth === 0) {
        end = m.index;
        break;
      }
    }
    regions.push(page.slice(from, end));
  }
  return regions;
}

/**
 * Problems of a whole page (templates and content): inline script or handlers, script from elsewhere, frames,
 * objects, base or refresh tags, inline style, javascript:/vbscript:/data:text/html URLs, forms posting away.
 */
export function pageProblems(page: string): string[] {
  const found: string[] = [];
  for (const m of page.matchAll(TAG)) {
    const [whole, closing, rawName, attributes] = m;
    const name = rawName.toLowerCase();
    if (closing) {
      continue;
    }
    if (
      ['iframe', 'object', 'embed', 'base', 'style', 'frame', 'frameset', 'applet'].includes(name)
    ) {
      found.push(`tag <${name}>`);
    }
    const attrs = new Map<string, string>();
    for (const a of attributes.matchAll(ATTRIBUTE)) {
      attrs.set(a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
    }
    if (name === 'script') {
      const src = attrs.get('src') ?? '';
      const rest = page.slice((m.index ?? 0) + whole.length, (m.index ?? 0) + whole.length + 9);
      if (!src.startsWith('/static/') || rest !== '</script>') {
        found.push(`script ${whole}`);
      }
    }
    if (name === 'meta' && attrs.has('http-equiv')) {
      found.push(`meta ${whole}`);
    }
    if (name === 'form') {
      const action = unescapeAll(attrs.get('action') ?? '');
      if (!action.startsWith('/') || action.startsWith('//')) {
        found.push(`form action ${action}`);
      }
    }
    for (const [attr, value] of attrs) {
      if (/^on/.test(attr) || ['style', 'srcdoc', 'formaction', 'xlink:href'].includes(attr)) {
        found.push(`attribute ${attr} on <${name}>`);
      }
      if (
        URL_ATTRIBUTES.includes(attr) &&
        /^(javascript|vbscript|data:text\/html)/i.test(browserUrl(value))
      ) {
        found.push(`${attr}=${value}`);
      }
    }
  }
  return [...new Set(found)];
}
