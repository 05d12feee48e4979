import { describe, expect, it } from 'vitest';
import { logFilterItems, logNextHref, logRows, type LogRecord } from './presenters.ts';

const record = (over: Partial<LogRecord> = {}): LogRecord => ({
  id: '11111111-1111-4111-8111-111111111111',
  reference: 'CMP-1',
  statutory_route: null,
  received_on: '2026-03-04',
  service_area: 'housing',
  stage: 1,
  closed_on: null,
  complaint_id: null,
  next_due_on: '2026-03-18',
  due: 'due-soon',
  ...over,
});

describe('the complaints log, shaped for its page', () => {
  it('writes out each record’s dates, area and badges in words', () => {
    const [row] = logRows([record({ statutory_route: 'adult-social-care', complaint_id: 'c', stage: 2 })]);
    expect(row).toEqual({
      href: '/portal/local-complaints/11111111-1111-4111-8111-111111111111',
      reference: 'CMP-1',
      statutory: true,
      received: '4 March 2026',
      area: 'Housing',
      stage: 2,
      closed: false,
      withOmbudsman: true,
      nextDue: '18 March 2026',
      due: { text: 'Due soon', tagClass: 'govuk-tag--yellow' },
    });
  });

  it('shows no deadline or badge for a record with nothing due', () => {
    const [row] = logRows([record({ next_due_on: null, due: null, closed_on: '2026-04-01' })]);
    expect(row).toMatchObject({ nextDue: null, due: null, closed: true });
    expect(logRows([record({ due: 'overdue' })])[0]?.due).toEqual({ text: 'Overdue', tagClass: 'govuk-tag--red' });
  });

  it('keeps the filters on the next page’s address and selects the ones asked for', () => {
    expect(logNextHref({ serviceArea: 'housing', stage: 2, reference: undefined }, 'a b')).toBe(
      '/portal/local-complaints?serviceArea=housing&stage=2&cursor=a%20b',
    );
    expect(logNextHref({}, 'c')).toBe('/portal/local-complaints?cursor=c');
    expect(logNextHref({ stage: 1 }, null)).toBeNull();
    const items = logFilterItems({ stage: 2, state: 'overdue' });
    expect(items.stageItems.filter((i) => 'selected' in i && i.selected).map((i) => i.text)).toEqual(['Stage 2']);
    expect(items.stateItems.filter((i) => 'selected' in i && i.selected).map((i) => i.text)).toEqual(['Overdue']);
    expect(items.areaItems.some((i) => 'selected' in i && i.selected)).toBe(false);
  });
});
