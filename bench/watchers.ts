// People watching pages, in a process of their own: `watch()` in bench/newsletter.ts starts it so
// that the times it measures are not those of a benchmark process that is also a busy SMTP sink.
// Reads its settings as JSON from argv[2]; loads the pages until its stdin closes, then prints the
// times (ms) of each page's 200 answers and the number of errors as one line of JSON.
interface Settings {
  base: string;
  cookie: string;
  pages: string[];
  watchers: number;
  pauseMs: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
const times: Record<string, number[]> = Object.fromEntries(settings.pages.map((p) => [p, []]));
let errors = 0;
let stopping = false;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function watcher(offset: number): Promise<void> {
  for (let i = offset; !stopping; i++) {
    const page = settings.pages[i % settings.pages.length] ?? '/';
    const started = performance.now();
    try {
      const res = await fetch(`${settings.base}${page}`, { headers: { cookie: settings.cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
      else times[page]?.push(performance.now() - started);
    } catch {
      errors++;
    }
    if (settings.pauseMs > 0) await sleep(settings.pauseMs);
  }
}

const running = Promise.all(Array.from({ length: settings.watchers }, (_, i) => watcher(i)));
process.stdin.resume();
process.stdin.on('end', () => {
  stopping = true;
  void running.then(() => {
    process.stdout.write(`${JSON.stringify({ times, errors })}\n`);
    process.exit(0);
  });
});
