import { describe, expect, it } from 'vitest';
import {
  londonInstant,
  londonYear,
  MATCH_END,
  MATCH_START,
  parseTimeOfDay,
  questionsFromText,
  slugOf,
  snippetHtml,
  stateOf,
} from './domain.ts';

describe('slugOf', () => {
  it('makes a readable address of a title', () => {
    expect(slugOf('Out of sight: complaints about home care (2026)')).toBe(
      'out-of-sight-complaints-about-home-care-2026',
    );
    expect(slugOf('Councils’ duty & care: Côte review')).toBe('councils-duty-and-care-cote-review');
  });

  it('cuts a long title at the end of a word', () => {
    const slug = slugOf('word '.repeat(60));
    expect(slug.length).toBeLessThanOrEqual(120);
    expect(slug.endsWith('-')).toBe(false);
    expect(slug.endsWith('word')).toBe(true);
  });

  it('is empty for a title with no Latin letters or digits', () => {
    expect(slugOf('—?!')).toBe('');
  });
});

describe('stateOf', () => {
  const now = new Date('2027-03-01T12:00:00Z');
  it('is scheduled until its time, then published', () => {
    expect(stateOf({ status: 'published', published_at: new Date('2027-03-02T09:00:00Z') }, now)).toBe('scheduled');
    expect(stateOf({ status: 'published', published_at: new Date('2027-03-01T12:00:00Z') }, now)).toBe('published');
    expect(stateOf({ status: 'draft', published_at: null }, now)).toBe('draft');
  });
});

describe('London times', () => {
  it('reads a time in GMT and in British Summer Time', () => {
    expect(londonInstant('2027-01-15', 9, 30)?.toISOString()).toBe('2027-01-15T09:30:00.000Z');
    expect(londonInstant('2027-07-15', 9, 30)?.toISOString()).toBe('2027-07-15T08:30:00.000Z');
  });

  it('has no 1:30am on the morning the clocks go forward, and the first of two when they go back', () => {
    expect(londonInstant('2027-03-28', 1, 30)).toBeNull();
    expect(londonInstant('2027-10-31', 1, 30)?.toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  it('reads times as people type them', () => {
    expect(parseTimeOfDay('9am')).toEqual({ hour: 9, minute: 0 });
    expect(parseTimeOfDay('9:30 pm')).toEqual({ hour: 21, minute: 30 });
    expect(parseTimeOfDay('12am')).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay('12pm')).toEqual({ hour: 12, minute: 0 });
    expect(parseTimeOfDay('14:05')).toEqual({ hour: 14, minute: 5 });
    expect(parseTimeOfDay('noon')).toEqual({ hour: 12, minute: 0 });
    expect(parseTimeOfDay('25:00')).toBeNull();
    expect(parseTimeOfDay('13pm')).toBeNull();
    expect(parseTimeOfDay('soon')).toBeNull();
  });

  it('runs a year from London midnight to London midnight', () => {
    const { from, to } = londonYear(2027);
    expect(from.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(to.toISOString()).toBe('2028-01-01T00:00:00.000Z');
  });
});

describe('snippetHtml', () => {
  it('escapes the text and marks the matches', () => {
    expect(snippetHtml(`a <b> & ${MATCH_START}complaints${MATCH_END} "x"`)).toBe(
      'a &lt;b&gt; &amp; <mark>complaints</mark> &quot;x&quot;',
    );
  });

  it('closes a mark left open', () => {
    expect(snippetHtml(`${MATCH_START}care`)).toBe('<mark>care</mark>');
  });
});

describe('questionsFromText', () => {
  it('takes one question a line without its number or bullet', () => {
    expect(questionsFromText('1. How many?\n\n- Who checks?\n  Why not?  ')).toEqual([
      'How many?',
      'Who checks?',
      'Why not?',
    ]);
  });
});
