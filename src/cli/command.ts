/** One command of Liaison's command line (`src/cli/index.ts` lists them). */
export interface Command {
  summary: string;
  usage: string;
  /**
   * What to do instead when a running Liaison holds the embedded database, said after a colon in
   * the one-line refusal, such as "use its page … or stop it and run this again".
   */
  whileRunning?: string;
  run(args: string[]): Promise<number>;
}
