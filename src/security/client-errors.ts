/**
 * Requests Node's HTTP parser refuses before any handler runs (headers over 16 KB, a malformed
 * request line, a request that did not arrive in time), answered in GraphQL's error shape and
 * reported like every other refusal, where Node would send a bare status and log nothing.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type ClientErrorReason = 'headers_too_large' | 'bad_http_request' | 'request_timeout';

export interface ClientErrorAnswer {
  readonly status: number;
  readonly reason: ClientErrorReason;
  readonly message: string;
}

/** Pure: what a parser error is answered with. */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      reason: 'headers_too_large',
      message:
        'Request headers (a GET query string included) are larger than the server accepts; send the operation as a POST body',
    };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, reason: 'request_timeout', message: 'The request did not arrive in time' };
  }
  return { status: 400, reason: 'bad_http_request', message: 'The request is not valid HTTP' };
}

export function rawGraphQLErrorResponse(answer: ClientErrorAnswer): string {
  const body = JSON.stringify({ errors: [{ message: answer.message, extensions: { code: 'BAD_USER_INPUT' } }] });
  return (
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}

export function answerClientErrors(server: Server, onRefused: (answer: ClientErrorAnswer) => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that reset or half-closed the connection has nobody left to read an answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = clientErrorAnswer(error.code);
    socket.end(rawGraphQLErrorResponse(answer));
    onRefused(answer);
  });
}
