// A static file server on 127.0.0.1 for the playground and the browser test: URL prefixes mapped to
// directories, nothing outside them (no `..`), a few content types, optional headers per path
// (the browser test serves one page under a Content-Security-Policy).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

export interface StaticServerOptions {
  /** URL prefix ('/', '/blobs/') → directory; the longest matching prefix wins. */
  mounts: Record<string, string>;
  /** Extra response headers for a path. */
  headers?: (path: string) => Record<string, string>;
  port?: number;
}

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

function resolvePath(mounts: Record<string, string>, path: string): string | undefined {
  const prefix = Object.keys(mounts)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return undefined;
  const root = mounts[prefix]!;
  const rest = normalize(decodeURIComponent(path.slice(prefix.length)));
  if (rest.startsWith('..') || rest.includes(`${sep}..`)) return undefined;
  const file = join(root, rest);
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) return statSync(join(file, 'index.html')).isFile() ? join(file, 'index.html') : undefined;
    return stat.isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = request.method === 'GET' || request.method === 'HEAD' ? resolvePath(options.mounts, path) : undefined;
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...(options.headers?.(path) ?? {}),
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
