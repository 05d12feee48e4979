// Liaison's command line: `npm run cli -- <command> [options]`. The platform's commands are in
// ./commands; a module adds its own with its manifest's `commands`.
import { ConfigError } from '../config.ts';
import { EXIT_IN_USE, PortUnavailableError } from '../main.ts';
import { DataFolderLockedError } from '../platform/db/database.ts';
import { demoCodeCommand, demoCommand } from './commands/demo.ts';
import { migrateCommand } from './commands/migrate.ts';
import { MODULES } from '../modules/index.ts';
import type { Command } from './command.ts';

const commands: Record<string, Command> = {
  migrate: migrateCommand,
  demo: demoCommand,
  'demo:code': demoCodeCommand,
  ...Object.fromEntries(MODULES.flatMap((m) => Object.entries(m.commands ?? {}))),
};

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command: ${name}\n` : '');
    console.error('Usage: npm run cli -- <command> [options]\n\nCommands:');
    for (const [key, c] of Object.entries(commands))
      console.error(`  ${key.padEnd(16)} ${c.summary}\n  ${''.padEnd(16)} ${c.usage}`);
    return 64;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78;
    }
    // What someone else holds is said in one line, without a stack trace.
    if (error instanceof DataFolderLockedError) {
      console.error(command.whileRunning ? error.heldBy(command.whileRunning) : error.message);
      return EXIT_IN_USE;
    }
    if (error instanceof PortUnavailableError) {
      console.error(error.message);
      return EXIT_IN_USE;
    }
    throw error;
  }
}

process.exitCode = await main();
