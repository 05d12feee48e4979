import { describe, expect, it } from 'vitest';
import { diffLines, diffSections } from './domain.ts';

describe('differences between draft versions', () => {
  it('shows kept, removed and added paragraphs in reading order', () => {
    const before = 'The council delayed the assessment.\nIt did not reply to letters.\nWe propose an apology.';
    const after = 'The council delayed the assessment.\nWe propose an apology.\nAnd a payment of £250.';
    expect(diffLines(before, after)).toEqual([
      { op: 'same', text: 'The council delayed the assessment.' },
      { op: 'removed', text: 'It did not reply to letters.' },
      { op: 'same', text: 'We propose an apology.' },
      { op: 'added', text: 'And a payment of £250.' },
    ]);
  });

  it('treats Windows line endings like any other and says which sections did not change', () => {
    const sections = { complaint: 'A\r\nB', findings: 'C', proposedRemedy: 'D', decision: 'E' };
    const changed = diffSections(sections, { ...sections, complaint: 'A\nB', decision: 'F' });
    expect(changed.filter((s) => s.changed).map((s) => s.key)).toEqual(['decision']);
    expect(changed.find((s) => s.key === 'decision')?.lines).toEqual([
      { op: 'removed', text: 'E' },
      { op: 'added', text: 'F' },
    ]);
  });
});
