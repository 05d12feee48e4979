import { formatDate } from '../../platform/dates.ts';
import type { ModuleManifest } from '../manifest.ts';
import { newsletterApi } from './newsletter.api.ts';
import { newsletterJobs } from './newsletter.jobs.ts';
import { newsletterRoutes } from './newsletter.routes.ts';
import { NewsletterService } from './newsletter.service.ts';

declare module '../../services.ts' {
  interface Services {
    newsletter: NewsletterService;
  }
}

/**
 * The Ombudsman Link newsletter: link officers receive it by virtue of the role, anyone else
 * subscribes on the public site (double opt-in); issues are composed in Markdown, sent through the
 * outbox in batches with their progress, archived on the public site and reported on.
 */
export const newsletterModule: ModuleManifest = {
  name: 'newsletter',
  // A request to leave the newsletter (its mailto: address) is not casework.
  inboundMail: (services) => ({ kind: 'claim', take: (id) => services.newsletter.fileInbound(id) }),
  services: ({ platform: { db, clock, logger }, config, services }) => ({
    newsletter: new NewsletterService(
      db.kysely,
      clock,
      {
        linkOfficers: services.linkOfficers,
        jobs: services.jobs,
        mail: services.mail,
        logger: logger.child({ module: 'newsletter' }),
        insertions: async () => {
          const publications = await services.publications.library.feed(5);
          const courses = await services.training.publishedCourses({});
          const sessions = courses
            .flatMap((c) => c.sessions.map((s) => ({ course: c.course, session: s })))
            .sort((a, b) => a.session.starts_at.getTime() - b.session.starts_at.getTime())
            .slice(0, 5);
          return [
            ...publications.map((p) => ({
              key: `publication:${p.slug}`,
              kind: 'Publication' as const,
              label: p.title,
              markdown: `- [${p.title}](${services.publications.url(p.slug)})`,
            })),
            ...sessions.map(({ course, session }) => ({
              key: `session:${session.id}`,
              kind: 'Training' as const,
              label: `${course.title}, ${formatDate(session.starts_at)}`,
              markdown: `- [${course.title}, ${formatDate(session.starts_at)}](${config.BASE_URL}/training/courses/${course.id})`,
            })),
          ];
        },
      },
      {
        baseUrl: config.BASE_URL,
        domain: config.MAIL_DOMAIN,
        secret: config.SESSION_SECRET,
        batchSize: 500,
        backlog: 2000,
        // The progress page's counts are shared for up to 2 s (its script asks every 2 s), never
        // longer than the staff home's shared panels are kept (0 in tests: read every time).
        progressCacheMs: Math.min(2000, config.DASHBOARD_CACHE_SECONDS * 1000),
      },
    ),
  }),
  jobs: (jobs, services, config) => jobs.register(...newsletterJobs(services.newsletter, config.JOB_POLL_SECONDS)),
  pages: newsletterRoutes,
  api: newsletterApi,
  navigation: [
    { face: 'public', row: 'primary', order: 45, text: 'Newsletter', href: '/newsletter' },
    {
      face: 'staff',
      row: 'more',
      order: 75,
      text: 'Newsletter',
      href: '/staff/newsletter',
      permission: 'newsletter:manage',
      description: 'Ombudsman Link: compose and send issues, follow their sending, subscribers and reports.',
    },
  ],
};
