/** One log line and one count for every request refused before Apollo (or by Node's parser). */
import type { Logger } from 'pino';
import type { Metrics, RefusalReason } from '../observability/metrics.js';

export type RecordRefusal = (requestId: string, status: number, reason: RefusalReason) => void;

export function refusalRecorder(metrics: Pick<Metrics, 'httpRefused'>, logger: Logger): RecordRefusal {
  return (requestId, status, reason) => {
    metrics.httpRefused(reason);
    logger.info({ requestId, status, reason }, 'request refused');
  };
}
