import type { Tx } from '../../platform/db/database.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import type { Actor } from '../accounts/domain.ts';
import { audit, type PublicReportsContext } from './context.ts';
import { ALERT_ROLE_NAMES, type AlertRole } from './domain.ts';
import type { ReportRow } from './public-reports.repository.ts';

export interface Alerted {
  role: AlertRole;
  roleName: string;
  name: string;
  email: string;
  /** True when no officer holds the role and the chief executive was alerted in their place. */
  fallback: boolean;
}

/**
 * Alerts the chief executive, the monitoring officer and the head of service for the case's service
 * area (the chief executive standing in for a role nobody holds): one letter to the three, and a
 * record per recipient with the address and, where they have a portal account, who to mark seen.
 */
export async function alert(
  ctx: PublicReportsContext,
  trx: Tx,
  actor: Actor,
  report: ReportRow,
  occasion: 'draft' | 'final' | 'further',
  round: number,
  letter: { subject: string; text: string },
): Promise<Alerted[]> {
  const repo = ctx.repo.with(trx);
  const complaint = await repo.complaint(report.complaint_id);
  if (!complaint) throw notFound('The complaint');
  const officers = await repo.seniorOfficers(report.authority_id);
  const ce = officers.find((o) => o.role === 'chief-executive');
  const holder = (role: AlertRole) =>
    role === 'head-of-service'
      ? officers.find((o) => o.role === role && o.service_area === complaint.service_area)
      : officers.find((o) => o.role === role);
  const alerted: Alerted[] = [];
  for (const role of ['chief-executive', 'monitoring-officer', 'head-of-service'] as const) {
    const officer = holder(role) ?? ce;
    if (!officer) continue;
    alerted.push({
      role,
      roleName: ALERT_ROLE_NAMES[role],
      name: officer.name,
      email: officer.email,
      fallback: officer.role !== role,
    });
  }
  if (alerted.length === 0) {
    throw conflict('The authority has no chief executive recorded: add one to its directory entry first');
  }
  const itemId = await ctx.correspondence.write(trx, {
    complaintId: report.complaint_id,
    kind: 'public-report-alert',
    addressees: ['chief-executive', 'monitoring-officer', 'head-of-service'],
    subject: letter.subject,
    text: letter.text,
    actor,
  });
  const users = await repo.portalUsersByEmail(
    report.authority_id,
    alerted.map((a) => a.email.toLowerCase()),
  );
  const now = ctx.clock.now();
  for (const a of alerted) {
    await repo.insertAlert({
      report_id: report.id,
      authority_id: report.authority_id,
      occasion,
      round,
      role: a.role,
      officer_name: a.name,
      email: a.email,
      fallback: a.fallback,
      correspondence_item_id: itemId,
      portal_user_id: users.get(a.email.toLowerCase()) ?? null,
      created_at: now,
    });
  }
  await audit(trx, actor, `public-report.alerted-${occasion}`, report.id, report.authority_id);
  return alerted;
}
