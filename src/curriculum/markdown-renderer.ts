import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

export type RenderOptions = {
  /** The site's own host (e.g. academy.example.cn); absolute links to it are not marked external. */
  siteHost?: string;
};

const LINK_SCHEMES = ['http', 'https', 'mailto', 'tel'];
const IMAGE_SCHEMES = ['http', 'https'];
const ALIGN_CLASSES = ['align-left', 'align-center', 'align-right'];
const INLINE_TAGS = ['a', 'strong', 'em', 'code', 'img', 'br'];
const BLOCK_TAGS = [
  ...INLINE_TAGS,
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
];

const md = new MarkdownIt('commonmark', { html: false }).enable('table');

// Every link and image is parsed, then checked by the stricter rule below: an unsafe one then shows
// as its text, not as the raw markdown around a refused URL.
md.validateLink = () => true;

md.core.ruler.push('cadre_safe_urls', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'th_open' || token.type === 'td_open') {
      alignmentToClass(token);
    }
    if (!token.children) {
      continue;
    }
    // Links never nest in CommonMark, so the next link_close closes a refused link.
    let hideClose = false;
    token.children = token.children.map((child) => {
      if (child.type === 'link_open') {
        hideClose = !isSafeUrl(String(child.attrGet('href')), LINK_SCHEMES);
        child.hidden = hideClose;
      } else if (child.type === 'link_close') {
        child.hidden = hideClose;
        hideClose = false;
      } else if (
        child.type === 'image' &&
        !isSafeUrl(String(child.attrGet('src')), IMAGE_SCHEMES)
      ) {
        const alt = new state.Token('text', '', 0);
        alt.content = child.content;
        return alt;
      }
      return child;
    });
  }
});

// A wrapper lets a wide table scroll sideways on a phone instead of widening the page.
md.renderer.rules.table_open = () => '<div class="table-wrap">\n<table>\n';
md.renderer.rules.table_close = () => '</table>\n</div>\n';

/** Lesson markdown (CommonMark plus tables) as HTML that is safe to insert into a page. */
export function renderMarkdown(markdown: string, options: RenderOptions = {}): string {
  const html = md.render(typeof markdown === 'string' ? markdown : '');
  return sanitizeHtml(html, sanitizeOptions(BLOCK_TAGS, options));
}

/** One line (a question option, a title) as inline HTML, without a wrapping paragraph. */
export function renderInlineMarkdown(text: string, options: RenderOptions = {}): string {
  const html = md.renderInline(typeof text === 'string' ? text : '');
  return sanitizeHtml(html, sanitizeOptions(INLINE_TAGS, options));
}

// The second line of defence: even if markdown-it let something through, only this survives.
function sanitizeOptions(
  allowedTags: string[],
  { siteHost }: RenderOptions,
): sanitizeHtml.IOptions {
  return {
    allowedTags,
    allowedAttributes: {
      a: ['href', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'loading'],
      ol: ['start'],
    },
    allowedClasses: {
      div: ['table-wrap'],
      code: ['language-*'],
      th: ALIGN_CLASSES,
      td: ALIGN_CLASSES,
    },
    allowedSchemes: LINK_SCHEMES,
    allowedSchemesByTag: { img: IMAGE_SCHEMES },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: true,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => {
        const { target: _target, rel: _rel, ...rest } = attribs;
        return {
          tagName,
          attribs:
            rest.href && isExternal(rest.href, siteHost)
              ? { ...rest, target: '_blank', rel: 'noopener noreferrer' }
              : rest,
        };
      },
      // Lessons are read on cheap phones over slow links.
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, loading: 'lazy' } }),
    },
  };
}

/**
 * Allow-list check of a URL's scheme. Browsers drop tabs and newlines anywhere in a URL and spaces
 * and control characters around it, so those are removed first; the percent-decoded form is
 * checked too. A URL without a scheme is relative and allowed.
 */
function isSafeUrl(url: string, schemes: readonly string[] = LINK_SCHEMES): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    return false;
  }
  return [url, decoded].every((candidate) => {
    const compact = candidate.replace(/[\p{Cc} ]/gu, '');
    const colon = compact.indexOf(':');
    if (colon === -1) {
      return true;
    }
    const delimiter = compact.search(/[/?#\\]/);
    if (delimiter !== -1 && delimiter < colon) {
      // A colon after the path starts, as in /schedule?at=09:30, is not a scheme.
      return true;
    }
    return schemes.includes(compact.slice(0, colon).toLowerCase());
  });
}

function isExternal(href: string, siteHost: string | undefined): boolean {
  let resolved: URL;
  try {
    resolved = new URL(href, 'https://relative.invalid/');
  } catch {
    return false;
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
    return false;
  }
  const host = resolved.host.toLowerCase();
  return host !== 'relative.invalid' && host !== siteHost?.toLowerCase();
}

// markdown-it aligns table cells with a style attribute, and style attributes are not allowed.
function alignmentToClass(token: MarkdownIt.Token): void {
  const style = token.attrGet('style');
  if (style === null) {
    return;
  }
  token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
  const align = /^text-align:(left|center|right)$/.exec(String(style));
  if (align) {
    token.attrSet('class', `align-${align[1]}`);
  }
}
