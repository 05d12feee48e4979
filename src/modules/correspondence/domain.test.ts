import { describe, expect, it } from 'vitest';
import { letterPdf, wrapText } from '../../platform/mail/letter-pdf.ts';
import {
  addresseesPhrase,
  bareAddress,
  caseReferenceInSubject,
  deliveryStatus,
  deliverySummary,
  isLetter,
  kindName,
  textToHtml,
} from './domain.ts';

describe('case references in subjects', () => {
  it('are found as written, without spaces or with dashes, and normalised', () => {
    expect(caseReferenceInSubject('Re: Enquiry about complaint 26 001 234')).toBe('26 001 234');
    expect(caseReferenceInSubject('RE: our ref 26001234 - response')).toBe('26 001 234');
    expect(caseReferenceInSubject('Response 26-001-234')).toBe('26 001 234');
  });
  it('are not read out of longer numbers or absent ones', () => {
    expect(caseReferenceInSubject('Call 0207946095812')).toBeNull();
    expect(caseReferenceInSubject('Re: your letter')).toBeNull();
    expect(caseReferenceInSubject(null)).toBeNull();
  });
});

describe('a recipient’s delivery status', () => {
  const base = { outboxStatus: 'sent' as const, attempts: 1, bouncedAt: null, openedAt: null };
  it('follows the outbox, showing a retried message as deferred', () => {
    expect(deliveryStatus(base)).toBe('sent');
    expect(deliveryStatus({ ...base, outboxStatus: 'queued', attempts: 0 })).toBe('queued');
    expect(deliveryStatus({ ...base, outboxStatus: 'queued', attempts: 2 })).toBe('deferred');
    expect(deliveryStatus({ ...base, outboxStatus: 'held', attempts: 0 })).toBe('held');
  });
  it('is bounced once a delivery report says so, whatever the relay answered', () => {
    expect(deliveryStatus({ ...base, bouncedAt: new Date() })).toBe('bounced');
  });
  it('is opened once the recipient has read it in the portal', () => {
    expect(deliveryStatus({ ...base, openedAt: new Date() })).toBe('opened');
  });
});

describe('letters and bodies', () => {
  it('are letters when addressed to the chief executive', () => {
    expect(isLetter(['chief-executive'])).toBe(true);
    expect(isLetter(['link-officers'])).toBe(false);
  });
  it('escape everything in the HTML version and keep paragraphs', () => {
    const html = textToHtml('Dear <officer>,\n\nPlease reply & send.\nThanks', { title: 'Enquiry' });
    expect(html).toContain('&lt;officer&gt;');
    expect(html).toContain('Please reply &amp; send.<br>Thanks');
    expect(html).toContain('lang="en-GB"');
  });
  it('take the bare address from a display form', () => {
    expect(bareAddress('Jo Bloggs <Jo@Council.example>')).toBe('jo@council.example');
    expect(bareAddress('jo@council.example')).toBe('jo@council.example');
    expect(bareAddress('nobody')).toBeNull();
  });
  it('become valid PDF documents, wrapped and paginated', () => {
    const pdf = letterPdf({
      title: 'Final decision',
      body: `Dear Chief Executive,\n\n${'word '.repeat(3000)}`,
    }).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(Number(/\/Count (\d+)/.exec(pdf)?.[1])).toBeGreaterThan(1);
    const start = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(start, start + 4)).toBe('xref');
    for (const line of wrapText('x'.repeat(300))) expect(line.length).toBeLessThanOrEqual(86);
  });
});

describe('an outgoing item on the timeline', () => {
  it('names whom it was for by role, with the authority', () => {
    expect(addresseesPhrase(['link-officers'], 'Anytown Council')).toBe('the link officers of Anytown Council');
    expect(addresseesPhrase(['link-officers', 'chief-executive'], 'Anytown Council')).toBe(
      'the link officers of Anytown Council and the chief executive of Anytown Council',
    );
    expect(addresseesPhrase(['complainant'], 'Anytown Council')).toBe('the complainant');
  });

  it('sums its deliveries up by status', () => {
    expect(deliverySummary([])).toBe('Not sent yet: recipients are found when it goes out');
    expect(deliverySummary(['sent', 'bounced', 'sent'])).toBe('Delivery: 2 sent, 1 bounced');
    expect(deliverySummary(['opened'])).toBe('Delivery: 1 opened in the portal');
  });
});

describe('an item kind’s name', () => {
  it('is the name people read, or the kind as stored when it has none', () => {
    expect(kindName('draft-decision')).toBe('Draft decision');
    expect(kindName('something-new')).toBe('something-new');
  });
});
