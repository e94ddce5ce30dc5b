/**
 * The ceiling of goal 4: a plain `node:http` server, in a process of its own, that answers
 * every request with one constant answer, the exact bytes and headers of the subgraph's
 * cached answer to the throughput query. It reads each request's body to the end, as any
 * server answering a POST must, and does nothing else: no routing, no parsing, no log line,
 * no metrics. What one Node process on this machine can answer is the figure the cached
 * path is held against (docs/BENCHMARKS.md, measurement 4).
 *
 *   node dist/bench/bench/node-http-reference.js --port N --body <base64> [--header name=value]...
 *
 * The bench passes the headers a client needs of the cached answer (content-type and
 * cache-control); content-length follows from the body. The subgraph's per-exchange headers
 * (x-request-id, age) are not sent: producing them is work the reference does not do.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    body: { type: 'string' },
    header: { type: 'string', multiple: true, default: [] },
  },
});
if (values.body === undefined) throw new Error('--body <base64> is required');
const body = Buffer.from(values.body, 'base64');
const headers: Record<string, string> = { 'content-length': String(body.length) };
for (const pair of values.header) {
  const at = pair.indexOf('=');
  if (at <= 0) throw new Error(`--header wants name=value (got ${JSON.stringify(pair)})`);
  headers[pair.slice(0, at).toLowerCase()] = pair.slice(at + 1);
}

const server = http.createServer((req, res) => {
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
  req.resume();
});
const port = Number(values.port);
server.listen(port, '127.0.0.1', () => process.stdout.write(`node:http reference ready on port ${port}\n`));

const stop = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
