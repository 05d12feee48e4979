/** The report's chart: a bar per authority kind, delivered, bounced and unsubscribed side by side. */

export interface ReportRow {
  authority_kind: string | null;
  recipients: number;
  delivered: number;
  bounced: number;
  unsubscribed: number;
}

export const kindLabel = (kind: string | null) => kind ?? 'Subscribers (not link officers)';

export function reportChart(rows: readonly ReportRow[]) {
  const left = 220;
  const right = 700;
  const barHeight = 14;
  const groupHeight = barHeight * 3 + 16;
  const top = 36;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.delivered, r.bounced, r.unsubscribed)));
  const scale = (n: number) => Math.round(((right - left) * n) / max);
  const groups = rows.map((r, i) => {
    const y = top + i * groupHeight;
    const bar = (value: number, n: number) => ({
      x: left,
      y: y + n * barHeight,
      width: scale(value),
      height: barHeight - 2,
      value,
    });
    return {
      label: kindLabel(r.authority_kind),
      labelY: y + barHeight * 1.5 + 5,
      title: `${kindLabel(r.authority_kind)}: ${r.delivered} delivered, ${r.bounced} bounced, ${r.unsubscribed} unsubscribed`,
      delivered: bar(r.delivered, 0),
      bounced: bar(r.bounced, 1),
      unsubscribed: bar(r.unsubscribed, 2),
    };
  });
  return { width: 760, height: top + rows.length * groupHeight + 8, left, right, groups };
}
