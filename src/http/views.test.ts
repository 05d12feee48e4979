import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { createViewEnvironment, renderFragment, stripIndentation } from './views.ts';

const env = createViewEnvironment();
const render = (source: string, context: Record<string, unknown> = {}) => nunjucks.compile(source, env).render(context);

describe('page rendering', () => {
  it('renders a GOV.UK component as GOV.UK Frontend writes it, and a fragment as a page is rendered', () => {
    const tag =
      '{% from "govuk/components/tag/macro.njk" import govukTag %}{{ govukTag({ text: name, classes: "govuk-tag--grey" }) }}';
    const html = '<strong class="govuk-tag govuk-tag--grey">\nAnn &amp; Bob\n</strong>\n';
    expect(render(tag, { name: 'Ann & Bob' })).toBe(html);
    expect(renderFragment('errors/404.njk', { signedIn: false })).toBe(
      env.render('errors/404.njk', { signedIn: false }),
    );
  });

  it('sends pages without the indentation of their templates, every word still apart from the next', () => {
    expect(stripIndentation('<p>\n    Hello\n\t  world\n</p>\n\n   \n<a href="/x">\n  Next</a>')).toBe(
      '<p>\nHello\nworld\n</p>\n<a href="/x">\nNext</a>',
    );
    const page = env.render('errors/404.njk', { signedIn: false });
    expect(page).toContain('Page not found');
    // The layout and a GOV.UK component (the service navigation), both loaded without indentation.
    expect(page).toContain('<div class="govuk-service-navigation__container">');
    expect(page).not.toMatch(/^[ \t]+\S/m);
  });

  it('gives loops their loop variables, row by row and in nested loops', () => {
    const html = render(
      '{% for a in rows %}[{{ loop.index }}/{{ loop.length }}{% if loop.first %} first{% endif %}{% if loop.last %} last{% endif %}:' +
        '{% for b in a %}{{ loop.index0 }}{{ b }}{{ loop.revindex }}{{ loop.revindex0 }}{% endfor %}]{% endfor %}',
      { rows: [['x', 'y'], ['z']] },
    );
    expect(html).toBe('[1/2 first:0x211y10][2/2 last:0z10]');
  });

  it('keeps a value set inside a block where the page can read it, and a loop’s own values inside the loop', () => {
    const html = render(
      '{% set total = 0 %}{% if true %}{% set total = 5 %}{% endif %}{{ total }}|' +
        '{% for n in [1, 2] %}{% set seen = n %}{{ seen }}{% endfor %}|{{ seen }}|' +
        '{% set block %}<b>{{ name }}</b>{% endset %}{{ block | safe }}',
      { name: 'A&B' },
    );
    expect(html).toBe('5|12||<b>A&amp;B</b>');
  });

  it('escapes every character that could end an attribute or start markup, and leaves other text alone', () => {
    expect(render('{{ v }}', { v: `<script>"O'Brien" & \\</script>` })).toBe(
      '&lt;script&gt;&quot;O&#39;Brien&quot; &amp; &#92;&lt;/script&gt;',
    );
    expect(render('{{ v }}', { v: 'Siân Ffoulkes – 13 January 2027' })).toBe('Siân Ffoulkes – 13 January 2027');
    expect(render('{{ v | safe }}', { v: '<em>kept</em>' })).toBe('<em>kept</em>');
  });

  it('shows an instant as its London date and an ISO text, whether it comes as a date or as text', () => {
    // 23:30 on 31 March 2027 UTC is already 1 April in London (summer time).
    const instant = new Date('2027-03-31T23:30:00Z');
    for (const value of [instant, instant.toISOString(), '2027-03-31T23:30:00+00:00']) {
      expect(render('{{ v | date }}|{{ v | isoDate }}', { v: value })).toBe('1 April 2027|2027-03-31T23:30:00.000Z');
    }
    expect(render('{{ v | date }}', { v: '2027-03-31' })).toBe('31 March 2027');
    expect(render('{{ v | date }}|{{ v | isoDate }}', { v: 'not a date' })).toBe('|');
  });
});
