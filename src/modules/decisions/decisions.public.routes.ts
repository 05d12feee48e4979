import type { Services } from '../../services.ts';
import { form, page } from '../../http/page-route.ts';
import type { PageRoute } from '../../http/routes.ts';
import { commentForm, linkParams, reviewRequestForm } from './decisions.schemas.ts';

/** The complainant's link: their draft to comment on, or their final decision and a review to ask for. */
export function decisionsPublicRoutes(services: Services): PageRoute[] {
  const { decisions } = services;

  return [
    page({
      url: '/decision/:token',
      access: 'public',
      params: linkParams,
      handler: async ({ params: { token } }, _request, reply) => {
        const final = await decisions.finalByLink(token);
        if (final) return reply.render('decisions/views/public-final.njk', { final, token });
        const view = await decisions.draftByLink(token);
        return reply.render('decisions/views/public-draft.njk', { ...view, token });
      },
    }),
    form({
      url: '/decision/:token/comments',
      access: 'public',
      params: linkParams,
      body: commentForm,
      back: ({ params }) => `/decision/${params.token}#comments`,
      action: async ({ params: { token }, body }) => {
        const result = await decisions.commentByLink(token, body);
        return {
          to: `/decision/${token}`,
          notice: body.noComments
            ? 'Thank you. You have told us you have no comments.'
            : result.late
              ? 'Thank you. Your comments arrived after the deadline, but we have kept them and will consider them.'
              : 'Thank you. We have your comments.',
        };
      },
    }),
    form({
      url: '/decision/:token/review',
      access: 'public',
      params: linkParams,
      body: reviewRequestForm,
      back: ({ params }) => `/decision/${params.token}#review`,
      action: async ({ params: { token }, body }) => {
        await decisions.requestReviewByLink(token, body.grounds);
        return {
          to: `/decision/${token}`,
          notice: 'We have your request for a review. A manager who was not involved will decide it.',
        };
      },
    }),
  ];
}
