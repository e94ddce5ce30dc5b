/**
 * The task dashboard: static files from public/dashboard/ and the graphql-ws browser client
 * from the installed package, so the page works offline with no build step and no CDN.
 * The page is public HTML; its data comes from /graphql, which keeps every check it has
 * (router secret, limits). Mounted only when config.dashboard allows it (server.ts).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';
import type { SampleTask } from '../emulator/index.js';

/** Package root is one level above both src/ and dist/, like schema/. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../public/dashboard/', import.meta.url));

/** Where the page imports the graphql-ws client from (public/dashboard/live.js names it). */
export const GRAPHQL_WS_PATH = '/vendor/graphql-ws/';

export interface DashboardOptions {
  /**
   * Sample tasks to offer, only when the built-in emulator answers for them: with real
   * providers they would be ids nobody has, so samples.json is then not served at all.
   */
  readonly samples: readonly SampleTask[] | null;
}

/**
 * Self only: no inline script or style, no third-party origin. CSP 3 lets 'self' in
 * connect-src match ws:/wss: on the same host, which the subscription socket needs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
};

/**
 * The directory of graphql-ws's ESM browser client and the chunk it imports. Resolved
 * through the package's own exports, so an upgrade that renames the chunk still works.
 */
export function graphqlWsClientFiles(): { readonly dir: string; readonly files: readonly string[] } {
  const dir = dirname(createRequire(import.meta.url).resolve('graphql-ws/client'));
  // client.js imports './common-<hash>.js' and nothing else (graphql-ws 6); the server chunks stay unserved.
  const files = readdirSync(dir).filter((name) => name === 'client.js' || /^common-[\w-]+\.js$/.test(name));
  return { dir, files };
}

export function dashboardRouter(options: DashboardOptions): Router {
  const router = express.Router({ strict: true });
  router.use(securityHeaders);
  // Relative URLs in the page (./dashboard.js) need the trailing slash.
  router.get('/', (req, res, next) => {
    const url = new URL(req.originalUrl, 'http://dashboard.invalid');
    if (!url.pathname.endsWith('/')) {
      res.redirect(301, `${url.pathname}/${url.search}`);
      return;
    }
    next();
  });
  router.get('/samples.json', (_req, res) => {
    if (!options.samples) {
      res.status(404).json({ samples: [], reason: 'no built-in emulator serves sample tasks here' });
      return;
    }
    res.setHeader('cache-control', 'no-store');
    res.json({ samples: options.samples });
  });
  const client = graphqlWsClientFiles();
  for (const file of client.files) {
    router.get(`${GRAPHQL_WS_PATH}${file}`, (_req, res) => {
      res.type('text/javascript').sendFile(file, { root: client.dir });
    });
  }
  router.use(
    express.static(DASHBOARD_DIR, { index: 'index.html', dotfiles: 'ignore', redirect: false, fallthrough: true }),
  );
  router.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return router;
}
