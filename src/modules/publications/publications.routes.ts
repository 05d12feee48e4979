import { Feed } from 'feed';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { zodFieldErrors } from '../../http/forms.ts';
import type { PageRoute } from '../../http/routes.ts';
import { renderFragment } from '../../http/views.ts';
import { sendDocument } from '../../http/uploads.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import type { Services } from '../../services.ts';
import { KIND_NAMES, PUBLICATION_KINDS, publicationPath } from './domain.ts';
import type { PublicationView } from './publications.library.ts';
import { libraryQuery } from './publications.schemas.ts';

/** The page of the information for link officers, kept by the relationship lead. */
export const LINK_OFFICER_PAGE = 'link-officers';

/** Public pages besides publications, listed in the sitemap. */
const SITE_PAGES = [
  '/',
  '/publications',
  '/link-officers',
  '/complain',
  '/link-officer-change',
  '/accessibility',
  '/privacy',
];

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const slugParams = z.object({ slug: z.string().max(120).regex(SLUG) });
const attachmentParams = z.object({ attachmentId: z.uuid() });
const KIND_ITEMS = PUBLICATION_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k] }));

const xmlEscape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/**
 * The library's search and filters (a text box, three lists and a button) show only the query's
 * values, the topics and the years, so they are rendered once for each and kept rather than on every
 * request. Bounded by count: the words searched for vary.
 */
const filterPanels = new LRUCache<string, string>({ max: 1000 });

function filterPanel(context: {
  query: { q?: string | undefined; kind?: string | undefined; topic?: string | undefined; year?: number | undefined };
  kinds: { value: string; text: string }[];
  topics: { value: string; text: string }[];
  years: number[];
}): string {
  const { query } = context;
  const key = JSON.stringify([query.q, query.kind, query.topic, query.year, context.topics, context.years[0]]);
  let html = filterPanels.get(key);
  if (html === undefined) {
    html = renderFragment('publications/views/partials/library-filters.njk', context);
    filterPanels.set(key, html);
  }
  return html;
}

/**
 * A publication's page body (title, text, corrections, questions, files, topics) is the same for
 * every reader of one revision: rendered once and kept.
 */
const bodies = new LRUCache<string, string>({ max: 500 });

function publicationBody(view: PublicationView): string {
  let html = bodies.get(view.revision);
  if (html === undefined) {
    html = renderFragment('publications/views/partials/publication-body.njk', { publication: view });
    bodies.set(view.revision, html);
  }
  return html;
}

/** The public library, each publication's page, its files, the Atom feed, the sitemap and the link officers' page. */
export function publicationRoutes(services: Services): PageRoute[] {
  const { publications } = services;
  const { library } = publications;
  const base = publications.settings.baseUrl.replace(/\/$/, '');
  const thisYear = () => Number(new Date().toISOString().slice(0, 4));

  const slugParam = (request: FastifyRequest): string => {
    const parsed = slugParams.safeParse(request.params);
    if (!parsed.success) throw notFound('The publication');
    return parsed.data.slug;
  };

  return [
    {
      method: 'GET',
      url: '/publications',
      access: 'public',
      publicCache: true,
      handler: async (request, reply) => {
        const parsed = libraryQuery.safeParse(request.query ?? {});
        if (!parsed.success) throw new DomainError('validation', 'There is a problem', zodFieldErrors(parsed.error));
        const query = parsed.data;
        const topics = await library.topics();
        if (query.topic && !topics.has(query.topic))
          throw new DomainError('validation', 'There is a problem', [
            { field: 'topic', message: 'Choose a topic from the list' },
          ]);
        const result = await library.library(query);
        const filters = new URLSearchParams();
        for (const key of ['q', 'kind', 'topic'] as const) if (query[key]) filters.set(key, query[key]);
        if (query.year) filters.set('year', String(query.year));
        const nextHref = result.next
          ? `/publications?${new URLSearchParams([...filters, ['cursor', result.next]]).toString()}`
          : null;
        const years: number[] = [];
        for (let y = thisYear(); y >= 2015; y--) years.push(y);
        return reply.render('publications/views/library.njk', {
          query,
          result,
          nextHref,
          filtered: filters.size > 0,
          later: Boolean(query.cursor),
          firstHref: `/publications${filters.size > 0 ? `?${filters.toString()}` : ''}`,
          filtersHtml: filterPanel({
            query,
            kinds: KIND_ITEMS,
            topics: [...topics].map(([value, text]) => ({ value, text })),
            years,
          }),
        });
      },
    },
    {
      method: 'GET',
      url: '/publications.atom',
      access: 'public',
      handler: async (_request, reply) => {
        const entries = await library.feed();
        const updated = entries[0]?.changed_at ?? new Date(0);
        const feed = new Feed({
          title: 'Publications',
          description: 'New and corrected focus reports, guidance notes and other publications of the ombudsman',
          id: `${base}/publications`,
          link: `${base}/publications`,
          language: 'en-GB',
          updated,
          copyright: 'The ombudsman',
          feedLinks: { atom: `${base}/publications.atom` },
        });
        for (const entry of entries) {
          const corrected = entry.corrected_at !== null;
          feed.addItem({
            // Atom's titles and summaries here are HTML: the text is escaped so that it reads as typed.
            title: xmlEscape(corrected ? `${entry.title} (corrected)` : entry.title),
            id: `${base}${publicationPath(entry.slug)}`,
            link: `${base}${publicationPath(entry.slug)}`,
            description: xmlEscape(entry.summary),
            date: entry.changed_at,
            published: entry.published_at ?? entry.changed_at,
            category: [{ name: KIND_NAMES[entry.kind as keyof typeof KIND_NAMES] ?? entry.kind }],
          });
        }
        return reply.type('application/atom+xml; charset=utf-8').send(feed.atom1());
      },
    },
    {
      method: 'GET',
      url: '/sitemap.xml',
      access: 'public',
      handler: async (_request, reply) => {
        const entries = await library.sitemap();
        const urls = [
          ...SITE_PAGES.map((p) => `<url><loc>${xmlEscape(`${base}${p}`)}</loc></url>`),
          ...entries.map(
            (e) =>
              `<url><loc>${xmlEscape(`${base}${publicationPath(e.slug)}`)}</loc>` +
              `<lastmod>${new Date(e.changed_at).toISOString()}</lastmod></url>`,
          ),
        ];
        return reply
          .type('application/xml; charset=utf-8')
          .send(
            `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`,
          );
      },
    },
    {
      method: 'GET',
      url: '/publications/:slug',
      access: 'public',
      publicCache: true,
      handler: async (request, reply) => {
        const found = await library.page(slugParam(request));
        if (found.kind === 'moved') return reply.redirect(publicationPath(found.slug), 301);
        if (found.kind === 'gone') return reply.code(410).render('publications/views/gone.njk', { gone: found });
        return reply.render('publications/views/publication.njk', {
          publication: found.view,
          preview: false,
          bodyHtml: publicationBody(found.view),
        });
      },
    },
    {
      method: 'GET',
      url: '/publications/:slug/files/:attachmentId',
      access: 'public',
      handler: async (request, reply) => sendAttachment(services, request, reply, slugParam(request)),
    },
    {
      method: 'GET',
      url: '/link-officers',
      access: 'public',
      publicCache: true,
      handler: async (_request, reply) => {
        const [page, latest] = await Promise.all([
          library.sitePage(LINK_OFFICER_PAGE),
          library.latest(['focus-report', 'guidance-note', 'good-practice-guide'], 6),
        ]);
        if (!page) throw notFound();
        return reply.render('publications/views/link-officers.njk', {
          page,
          latest: latest.map((l) => ({
            title: l.title,
            url: publicationPath(l.slug),
            kindName: KIND_NAMES[l.kind as keyof typeof KIND_NAMES] ?? l.kind,
            publishedAt: l.published_at,
          })),
        });
      },
    },
  ];
}

async function sendAttachment(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string,
): Promise<FastifyReply> {
  const parsed = attachmentParams.safeParse(request.params);
  if (!parsed.success) throw notFound('The file');
  const { attachmentId } = parsed.data;
  const { document, stream } = await services.publications.library.openAttachment(request.actor, slug, attachmentId);
  return sendDocument(reply, document, stream);
}
