import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { ApiRoute } from '../http/api-route.ts';
import type { PageRoute } from '../http/routes.ts';
import type { Command } from '../cli/command.ts';
import type { DemoLoader } from '../cli/demo-fixtures.ts';
import type { JobQueue } from '../platform/jobs/queue.ts';
import type { ParsedMessage } from '../platform/mail/parse.ts';
import type { CaseTab, Platform, Services } from '../services.ts';
import type { Permission } from './accounts/domain.ts';
import type { TimelineSource } from './complaints/complaints.service.ts';

/**
 * A module describes itself once, in `<name>.module.ts`, and is listed once in `src/modules/index.ts`.
 * The composition root, the HTTP application, the OpenAPI document, the navigation, the command line
 * and the demo all loop over that list; none of them names a module.
 */
export interface ModuleManifest {
  /** The module's folder name. */
  name: string;
  /**
   * Builds the module's services from the platform and the services of the modules listed before
   * it (asking for a later one fails at start-up, naming both). Returns them by name; the names are
   * declared by augmenting `Services` (see `src/services.ts`).
   */
  services?: (context: ModuleContext) => Partial<Services>;
  /** Once every module is built: subscribes to other modules' events (a final decision, an allocation). */
  connect?: (services: Services) => void;
  /** Registers the module's jobs and schedules. */
  jobs?: (jobs: JobQueue, services: Services, config: Config) => void;
  /**
   * Adds to every request before the routes run, through Fastify's hooks (e.g. what the layout shows
   * on every page: set `request.layout.<key>`, read in templates as `layout.<key>`).
   */
  plugins?: (app: FastifyInstance, services: Services) => void | Promise<void>;
  /** Page routes (staff, portal and public faces). */
  pages?: (services: Services) => PageRoute[];
  /** JSON API routes under `/api/v1`; they are also the OpenAPI document. */
  api?: (services: Services) => ApiRoute[];
  /** Header navigation entries. */
  navigation?: NavEntry[];
  /** Tabs the module adds to the staff case page. */
  caseTabs?: CaseTab[];
  /** Entries the module adds to a case's timeline. */
  timeline?: (services: Services) => TimelineSource;
  /** Takes the inbound emails meant for it (see `InboundMailHandler`). */
  inboundMail?: (services: Services) => InboundMailHandler;
  /** Demo data, loaded in list order after the modules before it. */
  demo?: DemoLoader[];
  /** Command-line commands (`npm run cli -- <name>`). */
  commands?: Record<string, Command>;
}

/**
 * A module's part in inbound email. Each stored message is offered to every module's handler in
 * turn, those that `claim` first (in list order), then the one `catch-all` (correspondence: a case's
 * email or the holding pen); the first that takes it ends the turn.
 */
export interface InboundMailHandler {
  kind: 'claim' | 'catch-all';
  /** True when the module took the message (it is then offered to no other). */
  take: (inboundId: string, parsed: ParsedMessage) => Promise<boolean>;
}

export interface ModuleContext {
  platform: Platform;
  config: Config;
  /** The services built so far (the platform's and those of the modules listed earlier). */
  services: Services;
}

/**
 * One entry of the header navigation. `primary` items sit in the face's one row (keep it short:
 * areas used every day); `more` items are listed, with their description, on the face's More page.
 * The public face shows its items to everyone; `permission` is then left out.
 */
export interface NavEntry {
  face: 'staff' | 'portal' | 'public';
  row: 'primary' | 'more';
  /** Position in its row: lower comes first (Home is 0). */
  order: number;
  text: string;
  href: string;
  permission?: Permission;
  /** For `more` items: one line saying what the area is for. */
  description?: string;
}
