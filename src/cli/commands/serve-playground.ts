import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, parseArgs } from '../args.ts';
import { startStaticServer, type StaticServer } from '../static-server.ts';

const HELP = `usage: pvm2js serve-playground [--port N]

Serves the playground page (examples/web) and its browser bundle (dist/browser) on 127.0.0.1 and
prints its URL; stop it with Ctrl-C. Any static server rooted at the package works as well.

options:
  --port N    the port to listen on (default 8080; 0 picks a free one)`;

// Two levels up from dist/cli/commands or src/cli/commands: the package root.
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The playground's server: only the page and the bundle it loads, nothing else of the package. */
export async function startPlayground(port: number): Promise<{ server: StaticServer; url: string }> {
  const bundle = join(packageRoot, 'dist', 'browser', 'playground.js');
  if (!existsSync(bundle)) throw new UsageError(`the playground bundle ${bundle} is missing: run 'npm run build' first`);
  const server = await startStaticServer({
    mounts: { '/examples/web/': join(packageRoot, 'examples', 'web'), '/dist/browser/': join(packageRoot, 'dist', 'browser') },
    port,
  });
  return { server, url: `${server.url}/examples/web/` };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { port: { value: true } }, HELP);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const portText = args.get('port') ?? '8080';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port '${portText}' is not a port number (0..65535)`);
  let started;
  try {
    started = await startPlayground(port);
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use (try --port 0)`);
    throw e;
  }
  process.stdout.write(`playground: ${started.url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await started.server.close();
  return 0;
}
