/**
 * /health, /ready and /metrics, mounted before router authentication: orchestrators and
 * Prometheus call them without the router's secret. /metrics holds counters, durations and
 * operation names only, never a secret or a task payload.
 */
import { Router } from 'express';
import type { Metrics } from '../observability/metrics.js';

export interface Readiness {
  isReady(): boolean;
  mark(ready: boolean): void;
}

/**
 * Not ready until the listener is bound and `also()` holds (every configured provider has a
 * credential); not ready again from the first step of shutdown.
 */
export function createReadiness(also: () => boolean = () => true): Readiness {
  let ready = false;
  return {
    isReady: () => ready && also(),
    mark: (value) => {
      ready = value;
    },
  };
}

export function probes(readiness: Readiness, metrics: Pick<Metrics, 'registry'>): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', (_req, res) => {
    const ready = readiness.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
