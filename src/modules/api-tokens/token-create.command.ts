import { ROLES } from '../accounts/domain.ts';
import { ApiTokensService } from './api-tokens.service.ts';
import { systemClock } from '../../platform/clock.ts';
import type { Command } from '../../cli/command.ts';
import { onDatabase, option } from '../../cli/shared.ts';

/**
 * Makes an API token from the server's command line, for setting up an integration before anyone
 * can sign in. Prints the token alone on the last line, so a script can take it with `tail -n 1`.
 */
export const tokenCreateCommand: Command = {
  summary: 'Create an API token and print it once',
  usage: `npm run cli -- token:create --role <${ROLES.join('|')}> [--authority <authority id>] [--name <name>]`,
  whileRunning:
    'create the token on its API tokens page, /staff/tokens, signed in as an administrator, or stop it and run this again',
  run: async (args) => {
    const role = option(args, 'role');
    if (!role) {
      console.error(`--role is required: one of ${ROLES.join(', ')}`);
      return 64;
    }
    return onDatabase(async (db) => {
      const tokens = new ApiTokensService(db.kysely, systemClock);
      const created = await tokens.createFromCommandLine({
        name: option(args, 'name') ?? `Command line token (${role})`,
        role,
        authorityId: option(args, 'authority') ?? null,
      });
      console.log(`Created API token ‘${created.name}’ (id ${created.id}) for role ${role}.`);
      console.log('Store it now: it will not be shown again.');
      console.log(created.token);
      return 0;
    });
  },
};
