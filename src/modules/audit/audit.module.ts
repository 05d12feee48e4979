import { setAuditRoles } from '../../platform/audit/audit.ts';
import type { ModuleManifest } from '../manifest.ts';
import { auditRole } from './acting-role.ts';
import { auditApi } from './audit.api.ts';
import { auditRoutes } from './audit.routes.ts';
import { AuditService } from './audit.service.ts';

declare module '../../services.ts' {
  interface Services {
    audit: AuditService;
  }
}

// A person's audit rows record the role whose permission allowed the action (`ACTION_PERMISSIONS`).
setAuditRoles(auditRole);

/** The audit log: who did what and when. Rows are written by each module's services. */
export const auditModule: ModuleManifest = {
  name: 'audit',
  services: ({ platform: { db } }) => ({ audit: new AuditService(db.kysely) }),
  pages: auditRoutes,
  api: auditApi,
  navigation: [
    {
      face: 'staff',
      row: 'more',
      order: 60,
      text: 'Audit log',
      href: '/staff/audit',
      permission: 'audit:read',
      description: 'Who did what and when, searchable by person, record and date.',
    },
  ],
};
