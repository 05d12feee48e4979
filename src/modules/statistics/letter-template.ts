/**
 * The annual review letter's template: Markdown with placeholders such as `{{upheldRate}}`, filled in
 * with an authority's figures. Pure: the placeholders a template may use, the check that names any
 * other before anything is generated, and the filling in.
 */
import { SERVICE_AREA_NAMES, isServiceArea } from '../authorities/domain.ts';
import { percent, rateInWords, ratesOf, statisticsYear, type Counts, type SimilarAuthorities } from './domain.ts';

export const PLACEHOLDERS = {
  authority: 'The authority’s name',
  chiefExecutive: 'The chief executive’s name',
  year: 'The year, such as 2026–27',
  period: 'The year’s dates, such as 1 April 2026 to 31 March 2027',
  received: 'Complaints and enquiries received',
  decided: 'Decisions made',
  notForUs: '“Not for us” decisions',
  assessedAndClosed: 'Assessed and closed',
  investigated: 'Detailed investigations',
  upheld: 'Upheld',
  upheldRate: 'The uphold rate in words (or the numbers, under the minimum volume)',
  satisfactoryRemedyRate: 'The satisfactory remedy rate in words',
  complianceRate: 'The compliance rate in words',
  remediesCompliedLate: 'Remedies complied with late',
  publicReports: 'Public reports',
  similarKind: 'The kind of similar authorities',
  similarUpheldRate: 'Similar authorities’ uphold rate',
  similarComplianceRate: 'Similar authorities’ compliance rate',
  figuresTable: 'A table of the year’s figures',
  decisions: 'A list of the upheld decisions of the year (at most five)',
  performanceUrl: 'The address of the authority’s performance page',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;

const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders a template uses that are not known, in order of first use. */
export function unknownPlaceholders(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(PATTERN)) {
    const name = match[1] ?? '';
    if (!(name in PLACEHOLDERS) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}

export const DEFAULT_TEMPLATE = `# Annual review letter {{year}}

Dear {{chiefExecutive}},

This letter sets out the complaints and enquiries about {{authority}} that reached us from {{period}}, and what we decided. We hope it helps you and your councillors to see how well complaints are handled and where services could improve.

## Your figures

{{figuresTable}}

## Compared with similar authorities

Your uphold rate was {{upheldRate}}. For {{similarKind}} authorities taken together it was {{similarUpheldRate}}.

Your compliance with our recommendations was {{complianceRate}}; for similar authorities it was {{similarComplianceRate}}. {{remediesCompliedLate}} remedies were put in place after the date agreed.

A rate over fewer than 10 cases is given as its numbers only: so few cases say little about an authority.

## Decisions we would draw your attention to

{{decisions}}

The figures, what each one counts and those of other authorities are published at {{performanceUrl}}.

Yours sincerely,

The Ombudsman
`;

export interface LetterFacts {
  authority: string;
  chiefExecutive: string;
  year: number;
  counts: Counts;
  similar: SimilarAuthorities;
  similarKindName: string;
  decisions: { reference: string; serviceArea: string; decidedOn: string; outcome: string }[];
  performanceUrl: string;
}

const OUTCOME_WORDS: Record<string, string> = {
  'upheld-injustice': 'upheld: fault causing injustice',
  'upheld-no-injustice': 'upheld: fault, no injustice',
  'remedied-by-authority': 'upheld: already put right by the authority',
};

/** A table cell may not hold a pipe or a line break. */
const cell = (s: string) => s.replace(/[|\n\r]/g, ' ');

/** Fills a template (already checked) with an authority's facts; a placeholder it does not know is left as written. */
export function fillTemplate(template: string, f: LetterFacts): string {
  const y = statisticsYear(f.year);
  const rates = ratesOf(f.counts);
  const similar = (v: number | null) => (v === null ? 'not available (no cases)' : percent(v));
  const table = [
    '| Figure | Number |',
    '| --- | ---: |',
    `| Complaints and enquiries received | ${f.counts.received} |`,
    `| Decisions made | ${f.counts.decided} |`,
    `| “Not for us” | ${f.counts.notForUs} |`,
    `| Assessed and closed | ${f.counts.assessedAndClosed} |`,
    `| Detailed investigations | ${f.counts.investigated} |`,
    `| Upheld | ${f.counts.upheld} |`,
    `| Remedies due | ${f.counts.remediesDue} |`,
    `| Remedies complied with | ${f.counts.remediesComplied} |`,
    `| Public reports | ${f.counts.publicReports} |`,
  ].join('\n');
  const decisions =
    f.decisions.length === 0
      ? 'We upheld no complaints about you this year.'
      : f.decisions
          .map(
            (d) =>
              `- ${cell(d.reference)}, ${isServiceArea(d.serviceArea) ? SERVICE_AREA_NAMES[d.serviceArea].toLowerCase() : d.serviceArea}, decided ${d.decidedOn}: ${OUTCOME_WORDS[d.outcome] ?? d.outcome}`,
          )
          .join('\n');
  const values: Record<Placeholder, string> = {
    authority: f.authority,
    chiefExecutive: f.chiefExecutive,
    year: y.label,
    period: `1 April ${f.year} to 31 March ${f.year + 1}`,
    received: String(f.counts.received),
    decided: String(f.counts.decided),
    notForUs: String(f.counts.notForUs),
    assessedAndClosed: String(f.counts.assessedAndClosed),
    investigated: String(f.counts.investigated),
    upheld: String(f.counts.upheld),
    upheldRate: rateInWords(rates.upheld),
    satisfactoryRemedyRate: rateInWords(rates.satisfactoryRemedy),
    complianceRate: rateInWords(rates.compliance),
    remediesCompliedLate: String(f.counts.remediesCompliedLate),
    publicReports: String(f.counts.publicReports),
    similarKind: f.similarKindName.toLowerCase(),
    similarUpheldRate: similar(f.similar.upheldRate),
    similarComplianceRate: similar(f.similar.complianceRate),
    figuresTable: table,
    decisions,
    performanceUrl: f.performanceUrl,
  };
  return template.replace(PATTERN, (whole, name: string) => (name in values ? values[name as Placeholder] : whole));
}

export type LetterBlock =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; numeric: boolean[] };

const splitRow = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

/**
 * A filled letter's blocks, for the PDF: headings, paragraphs, lists and tables (the subset of Markdown
 * a letter uses). Inline markup is left to `plain`, the caller's Markdown-to-text.
 */
export function letterBlocks(markdown: string, plain: (s: string) => string): LetterBlock[] {
  const blocks: LetterBlock[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: plain(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: plain(heading[2] ?? '') });
    } else if (/^\s*\|/.test(line) && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      flush();
      const header = splitRow(line).map(plain);
      const numeric = splitRow(lines[i + 1] ?? '').map((c) => c.endsWith(':'));
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && /^\s*\|/.test(lines[i] ?? '')) rows.push(splitRow(lines[i++] ?? '').map(plain));
      i -= 1;
      blocks.push({ kind: 'table', header, rows, numeric });
    } else if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const items: string[] = [];
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i] ?? ''))
        items.push(plain((lines[i++] ?? '').replace(/^\s*[-*]\s+/, '')));
      i -= 1;
      blocks.push({ kind: 'list', items });
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}
