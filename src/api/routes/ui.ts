/**
 * The web pages: the dashboard at /ui/ and the customer portal at /portal/ — the same built files (dist/ui,
 * from ui/ by scripts/build-ui.mjs), read once at start. A strict Content-Security-Policy: scripts, styles and
 * API calls from this origin only, nothing inline; the portal may be framed by the origins of
 * HOOKD_PORTAL_FRAME_ANCESTORS, the dashboard by no one.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

const FILES = {
  '': { name: 'index.html', type: 'text/html; charset=utf-8' },
  'app.js': { name: 'app.js', type: 'text/javascript; charset=utf-8' },
  'app.css': { name: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/** Where the built pages are: dist/ui, beside dist/api (built) or two folders up from src/api/routes (tests run the sources). */
function readPages(): Map<string, Buffer> | null {
  for (const base of ['../../ui/', '../../../dist/ui/']) {
    try {
      const dir = new URL(base, import.meta.url);
      return new Map(Object.values(FILES).map((f) => [f.name, readFileSync(new URL(f.name, dir))]));
    } catch {
      // not built here
    }
  }
  return null;
}

export function pagePolicy(frameAncestors: readonly string[]): string {
  const ancestors = frameAncestors.length === 0 ? "'none'" : frameAncestors.join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

export async function uiRoutes(app: FastifyInstance, deps: { portalFrameAncestors: readonly string[] }): Promise<void> {
  const pages = readPages();
  const serve = (reply: FastifyReply, file: keyof typeof FILES, portal: boolean) => {
    const f = FILES[file];
    const body = pages?.get(f.name);
    if (!body) return reply.code(503).type('text/plain; charset=utf-8').send('The web pages are not built: run npm run build.');
    const ancestors = portal ? deps.portalFrameAncestors : [];
    reply.header('Content-Security-Policy', pagePolicy(ancestors));
    // X-Frame-Options knows no list of origins: DENY unless the portal may be embedded (then the CSP decides).
    if (ancestors.length === 0) reply.header('X-Frame-Options', 'DENY');
    return reply.type(f.type).send(body);
  };
  for (const [prefix, portal] of [
    ['/ui', false],
    ['/portal', true],
  ] as const) {
    for (const file of Object.keys(FILES) as Array<keyof typeof FILES>) {
      app.get(`${prefix}/${file}`, { schema: { hide: true } }, async (req, reply) => {
        // The app ignores trailing slashes: /ui gets here too, and the page's relative links need /ui/.
        if (file === '' && !req.url.split('?')[0]!.endsWith('/')) return reply.redirect(`${prefix}/${req.url.slice(prefix.length)}`);
        return serve(reply, file, portal);
      });
    }
  }
}
