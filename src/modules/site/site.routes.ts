import type { PageRoute } from '../../http/routes.ts';

const page = (url: string, template: string): PageRoute => ({
  method: 'GET',
  url,
  access: 'public',
  handler: async (_request, reply) => reply.render(`site/views/${template}`),
});

/** The public site's fixed pages. */
export function siteRoutes(): PageRoute[] {
  return [
    page('/', 'index.njk'),
    page('/accessibility', 'accessibility.njk'),
    page('/privacy', 'privacy.njk'),
    // The cookies page became the privacy settings page (the privacy module); old links still arrive.
    {
      method: 'GET',
      url: '/cookies',
      access: 'public',
      handler: async (_request, reply) => reply.redirect('/privacy-settings', 301),
    },
  ];
}
