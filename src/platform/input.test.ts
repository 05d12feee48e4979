import { describe, expect, it } from 'vitest';
import {
  dateFromParts,
  isCalendarDate,
  replaceUnsafeTextDeep,
  textProblem,
  unsafeTextFields,
  withoutUnsafeText,
} from './input.ts';

describe('text Liaison can store', () => {
  it('keeps tabs, line breaks and any language, and refuses control and broken characters', () => {
    expect(textProblem('Line one\r\nLine two\tand Cymraeg: ŵ ŷ, 中文, 🏠')).toBeNull();
    for (const bad of ['a\u0000b', 'bell\u0007', 'esc\u001b[0m', 'del\u007f', 'c1\u0085', 'half \ud800 pair'])
      expect(textProblem(bad), JSON.stringify(bad)).not.toBeNull();
  });

  it('names each field that holds such a value by its path', () => {
    expect(unsafeTextFields({ name: 'ok', officer: { email: 'a\u0000' }, questions: ['fine', 'x\u0001'] })).toEqual([
      { field: 'officer.email', message: 'Remove the invisible control characters from this answer' },
      { field: 'questions.1', message: 'Remove the invisible control characters from this answer' },
    ]);
  });

  it('gives a form back without the characters it refused', () => {
    expect(withoutUnsafeText({ summary: 'lost \u0000my letter', 'bad\u0000key': 'x' })).toEqual({
      summary: 'lost my letter',
    });
  });

  it('replaces what it cannot store in a parsed email, leaving its bytes alone', () => {
    const content = Buffer.from([0, 1, 2]);
    const mail = { subject: 'Re: a\u0000b', to: [{ text: 'x\ud800' }], attachments: [{ content }] };
    replaceUnsafeTextDeep(mail);
    expect(mail.subject).toBe('Re: a\uFFFDb');
    expect(mail.to[0]?.text).toBe('x\uFFFD');
    expect(mail.attachments[0]?.content).toBe(content);
  });
});

describe('calendar dates', () => {
  it('are real days from 1900 to 2100', () => {
    for (const ok of ['1900-01-01', '2024-02-29', '2026-12-31', '2100-12-31'])
      expect(isCalendarDate(ok), ok).toBe(true);
    for (const bad of ['0000-01-01', '1899-12-31', '2101-01-01', '2026-02-29', '2026-11-31', '2026-13-01', '2026-1-1'])
      expect(isCalendarDate(bad), bad).toBe(false);
  });

  it('are read from day, month and year boxes', () => {
    expect(dateFromParts(' 7 ', '3', '2026')).toBe('2026-03-07');
    expect(dateFromParts('31', '11', '2026')).toBeNull();
    expect(dateFromParts('99', '1', '2026')).toBeNull();
    expect(dateFromParts('1', '1', '0000')).toBeNull();
    expect(dateFromParts('1', '1', '26')).toBeNull();
  });
});
