import { describe, expect, it } from 'vitest';
import { anchorOf, markdownToText, renderMarkdown } from './markdown.ts';

const html = (source: string) => renderMarkdown(source).html;

describe('renderMarkdown: what never reaches a page', () => {
  it('drops a script and what it holds, keeping the words around it', () => {
    const out = html('Hello <script>alert("x")</script> world');
    expect(out).not.toMatch(/<script/i);
    expect(out).not.toContain('alert');
    expect(out).toContain('Hello');
    expect(out).toContain('world');
  });

  it('drops event-handler attributes and keeps the element’s text', () => {
    const out = html('<b onclick="steal()">Bold</b> and <img src=x onerror=alert(1)> after');
    expect(out).not.toMatch(/onclick|onerror|<img/i);
    expect(out).toContain('<b>Bold</b>');
    expect(out).toContain('after');
  });

  it('keeps the words “onerror=” when they are text', () => {
    expect(html('Never write onerror= in a page')).toContain('Never write onerror= in a page');
  });

  it('takes javascript: addresses off links, in Markdown and in HTML, in any letter case', () => {
    const out = html(
      '[one](javascript:alert(1)) <a href="javascript:alert(2)">two</a> <a href="JaVaScRiPt:alert(3)">three</a> ' +
        '<a href="  javascript:alert(4)">four</a> [five](data:text/html;base64,PHNjcmlwdD4=)',
    );
    expect(out.toLowerCase()).not.toContain('href="javascript');
    expect(out).not.toMatch(/href="\s*(javascript|data):/i);
    expect(out).toContain('two');
    expect(out).toContain('three');
  });

  it('drops iframes, objects and styles with their content', () => {
    const out = html(
      'Before <iframe src="https://example.com">fallback</iframe> <object data="x">obj</object> <style>p{}</style> after',
    );
    expect(out).not.toMatch(/iframe|object|style|fallback|obj/i);
    expect(out).toContain('Before');
    expect(out).toContain('after');
  });

  it('drops style attributes and classes that are not GOV.UK’s, and ids typed into the text', () => {
    const out = html('<p style="position:fixed" class="evil govuk-body" id="main-content">Text</p>');
    expect(out).not.toMatch(/style=|evil|main-content/);
    expect(out).toContain('Text');
  });

  it('keeps ordinary and mail links, and links on this site, and refuses protocol-relative ones', () => {
    const out = html(
      '[a](https://example.org/x) [b](mailto:someone@example.org) [c](/publications/x) [d](//evil.example)',
    );
    expect(out).toContain('href="https://example.org/x"');
    expect(out).toContain('href="mailto:someone@example.org"');
    expect(out).toContain('href="/publications/x"');
    expect(out).not.toContain('evil.example');
  });

  it('leaves text that merely looks like markup inside text alone, escaped', () => {
    expect(html('Use the form "class=" & keep < and >')).toContain('Use the form "class=" &amp; keep &lt; and &gt;');
  });
});

describe('renderMarkdown: GOV.UK styles and anchors', () => {
  it('renders tables as GOV.UK tables', () => {
    const out = html('| Year | Complaints |\n|---|---|\n| 2026 | 412 |');
    expect(out).toContain('<table class="govuk-table">');
    expect(out).toContain('<th class="govuk-table__header">Year</th>');
    expect(out).toContain('<td class="govuk-table__cell">412</td>');
  });

  it('renders lists, block quotes and paragraphs with GOV.UK classes', () => {
    const out = html('Para\n\n- one\n- two\n\n1. first\n\n> quoted');
    expect(out).toContain('<p class="govuk-body">Para</p>');
    expect(out).toContain('<ul class="govuk-list govuk-list--bullet">');
    expect(out).toContain('<ol class="govuk-list govuk-list--number">');
    expect(out).toContain('<blockquote class="govuk-inset-text">');
  });

  it('starts headings at h2, gives each a unique anchor and lists them', () => {
    const rendered = renderMarkdown(
      '# Summary\n\n## What we found\n\n## What we found\n\n### Our *advice*\n\n## Contents',
    );
    expect(rendered.html).toContain('<h2 class="govuk-heading-m" id="summary">Summary</h2>');
    expect(rendered.html).not.toContain('<h1');
    expect(rendered.headings).toEqual([
      { id: 'summary', text: 'Summary', level: 2 },
      { id: 'what-we-found', text: 'What we found', level: 2 },
      { id: 'what-we-found-2', text: 'What we found', level: 2 },
      { id: 'our-advice', text: 'Our advice', level: 3 },
      { id: 'contents-2', text: 'Contents', level: 2 },
    ]);
  });

  it('makes anchors of any script and of headings with no letters', () => {
    expect(anchorOf('Côte d’Ivoire: 2026 review')).toBe('côte-d-ivoire-2026-review');
    expect(anchorOf('!!!')).toBe('section');
  });
});

describe('markdownToText', () => {
  it('gives the words without markup, and nothing of a script', () => {
    const text = markdownToText(
      '## Heading\n\nSome **bold** [link](https://example.org) <script>evil()</script> & more',
    );
    expect(text).toContain('Heading');
    expect(text).toContain('Some bold link');
    expect(text).toContain('& more');
    expect(text).not.toMatch(/evil|\*\*|https:/);
  });
});
