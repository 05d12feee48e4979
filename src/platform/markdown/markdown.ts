import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown written by staff, made into HTML that is safe to put on a public page and looks like the
 * rest of it (GOV.UK classes on headings, paragraphs, lists, tables and quotes).
 *
 * markdown-it turns the text into HTML (raw HTML in the text is parsed too, so that the sanitiser
 * decides what is kept rather than showing it as code); sanitize-html then keeps only what the
 * allow-list below names. Anything else goes: a script, style or iframe with what it holds, every
 * other unknown element leaving its text; event-handler and style attributes; links to anything but
 * http(s), mailto and tel addresses and addresses on this site.
 */

export interface Heading {
  /** The heading's anchor, unique in the document. */
  id: string;
  text: string;
  /** 2 to 6: a document's headings sit under the page's own h1. */
  level: number;
}

export interface RenderedMarkdown {
  html: string;
  headings: Heading[];
}

const parser = new MarkdownIt('default', { html: true, linkify: false, typographer: false });

/** Ids the page around the document uses: a heading never takes one. */
const RESERVED_IDS = new Set(['main-content', 'contents', 'content', 'top']);

/** "What we found" → "what-we-found": letters and digits of any script, joined by hyphens. */
export function anchorOf(text: string): string {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '');
  return words.join('-').slice(0, 80).replace(/-+$/, '') || 'section';
}

const HEADING_CLASSES: Record<number, string> = {
  2: 'govuk-heading-m',
  3: 'govuk-heading-s',
  4: 'govuk-heading-s',
  5: 'govuk-heading-s',
  6: 'govuk-heading-s',
};

/** Elements whose content is never text a reader should see: dropped with the element. */
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'noscript',
  'template',
  'textarea',
  'select',
  'option',
  'svg',
  'math',
  'title',
];

const withClass =
  (tag: string, className: string): sanitizeHtml.Transformer =>
  (_tagName, attribs) => {
    const kept: sanitizeHtml.Attributes = { class: className };
    if (tag === 'a' && attribs.href !== undefined) kept.href = attribs.href;
    if ((tag === 'th' || tag === 'td') && attribs.scope !== undefined) kept.scope = attribs.scope;
    return { tagName: tag, attribs: kept };
  };

/** An element kept without any attribute typed into the text. */
const bare =
  (tag: string): sanitizeHtml.Transformer =>
  () => ({ tagName: tag, attribs: {} });

function sanitiserOptions(anchors: Map<string, number>): sanitizeHtml.IOptions {
  const heading =
    (level: number): sanitizeHtml.Transformer =>
    (_tagName, attribs) => {
      const tag = `h${Math.max(2, level)}`;
      const kept: sanitizeHtml.Attributes = { class: HEADING_CLASSES[Math.max(2, level)] ?? 'govuk-heading-s' };
      // Only the anchors this renderer made, each once: an id typed into the text is dropped.
      const id = attribs.id;
      const left = id === undefined ? 0 : (anchors.get(id) ?? 0);
      if (id !== undefined && left > 0) {
        kept.id = id;
        anchors.set(id, left - 1);
      }
      return { tagName: tag, attribs: kept };
    };
  return {
    allowedTags: [
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'p',
      'br',
      'hr',
      'ul',
      'ol',
      'li',
      'a',
      'strong',
      'em',
      'b',
      'i',
      'code',
      'pre',
      'blockquote',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'sub',
      'sup',
    ],
    allowedAttributes: {
      a: ['href', 'class'],
      h2: ['id', 'class'],
      h3: ['id', 'class'],
      h4: ['id', 'class'],
      h5: ['id', 'class'],
      h6: ['id', 'class'],
      th: ['scope', 'class'],
      td: ['class'],
      '*': ['class'],
    },
    allowedClasses: { '*': [/^govuk-[a-z0-9_-]+$/] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: {},
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: DROPPED_WITH_CONTENT,
    parseStyleAttributes: false,
    transformTags: {
      h1: heading(2),
      h2: heading(2),
      h3: heading(3),
      h4: heading(4),
      h5: heading(5),
      h6: heading(6),
      p: withClass('p', 'govuk-body'),
      ul: withClass('ul', 'govuk-list govuk-list--bullet'),
      ol: withClass('ol', 'govuk-list govuk-list--number'),
      a: withClass('a', 'govuk-link'),
      blockquote: withClass('blockquote', 'govuk-inset-text'),
      hr: withClass('hr', 'govuk-section-break govuk-section-break--m govuk-section-break--visible'),
      table: withClass('table', 'govuk-table'),
      thead: withClass('thead', 'govuk-table__head'),
      tbody: withClass('tbody', 'govuk-table__body'),
      tr: withClass('tr', 'govuk-table__row'),
      th: withClass('th', 'govuk-table__header'),
      td: withClass('td', 'govuk-table__cell'),
      ...Object.fromEntries(
        ['li', 'strong', 'em', 'b', 'i', 'code', 'pre', 'sub', 'sup', 'br'].map((t) => [t, bare(t)]),
      ),
    },
  };
}

/**
 * Renders Markdown to safe HTML with GOV.UK classes. A document's headings start at h2 (the page's
 * title is its h1) and each gets an anchor, listed in `headings` for a contents list.
 */
export function renderMarkdown(source: string): RenderedMarkdown {
  const env = {};
  const tokens = parser.parse(source, env);
  const headings: Heading[] = [];
  const anchors = new Map<string, number>();
  const used = new Set(RESERVED_IDS);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.type !== 'heading_open') continue;
    const inline = tokens[i + 1];
    const text = inline?.type === 'inline' ? plainInline(inline.children ?? []) : '';
    const level = Math.max(2, Math.min(6, Number(token.tag.slice(1)) || 2));
    let id = anchorOf(text);
    for (let n = 2; used.has(id); n++) id = `${anchorOf(text)}-${n}`;
    used.add(id);
    anchors.set(id, 1);
    token.attrSet('id', id);
    headings.push({ id, text: text.trim(), level });
  }
  const html = sanitizeHtml(parser.renderer.render(tokens, parser.options, env), sanitiserOptions(anchors));
  return { html, headings };
}

type InlineToken = { type: string; content: string; children: InlineToken[] | null };

/** The words of an inline run, without its markup. */
function plainInline(children: readonly InlineToken[]): string {
  let out = '';
  for (const child of children) {
    if (child.type === 'text' || child.type === 'code_inline') out += child.content;
    else if (child.type === 'softbreak' || child.type === 'hardbreak') out += ' ';
    else if (child.type === 'html_inline') continue;
    else if (child.children) out += plainInline(child.children);
  }
  return out;
}

/**
 * The words of a Markdown document as plain text, one block a line: what is searched and what
 * search snippets are cut from. Markup is left out, including raw HTML tags; what is inside a
 * script or style never counts as words.
 */
export function markdownToText(source: string): string {
  const html = sanitizeHtml(parser.render(source), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: DROPPED_WITH_CONTENT,
    textFilter: (text) => text,
  });
  return decodeBasicEntities(html.replace(/\n{3,}/g, '\n\n')).trim();
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function decodeBasicEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}
