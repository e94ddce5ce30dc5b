/**
 * The server side of a WebSocket that knows how much of its output the client has read. The
 * kernel buffers tens of megabytes for a client that stops reading, so unsent bytes alone show a
 * slow reader only after that much work; a ping sent behind the output comes back only once the
 * client has read everything before it (RFC 6455 requires a Pong for every Ping).
 */
import { setTimeout as wait } from 'node:timers/promises';
import { WebSocket } from 'ws';

type SendData = Parameters<WebSocket['send']>[0];
type SendOptions = Parameters<WebSocket['send']>[1];

function byteLength(data: SendData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

export class ReadSocket extends WebSocket {
  /** Bytes handed to the socket, and how many of them the client is known to have read. */
  #sent = 0;
  #read = 0;
  #pong: Promise<void> | null = null;
  #pings = 0;

  /**
   * A write that fails means the connection is gone (ws closes it itself), and the message went
   * nowhere, as graphql-ws treats a send to a closed socket. Left an error, graphql-ws prints it
   * to stderr with its stack as an "internal error", once for every message still queued.
   */
  override send(data: SendData, second?: unknown, third?: unknown): void {
    const options = typeof second === 'function' ? {} : ((second ?? {}) as SendOptions);
    const callback = (typeof second === 'function' ? second : third) as (() => void) | undefined;
    this.#sent += byteLength(data);
    super.send(data, options, () => callback?.());
  }

  /** Bytes sent that the client has not been seen to read. */
  get unreadBytes(): number {
    return this.#sent - this.#read;
  }

  /**
   * True once the client has read all but `allowance` bytes of what it was sent; false if it has
   * not within `waitMs`, or the socket closed.
   */
  async caughtUp(allowance: number, waitMs: number): Promise<boolean> {
    if (this.unreadBytes <= allowance) return this.readyState === this.OPEN;
    const timeout = new AbortController();
    const gaveUp = wait(waitMs, false, { signal: timeout.signal, ref: false }).catch(() => false);
    try {
      while (this.readyState === this.OPEN && this.unreadBytes > allowance) {
        if ((await Promise.race([this.#acknowledged().then(() => true), gaveUp])) === false) return false;
      }
      return this.readyState === this.OPEN;
    } finally {
      timeout.abort();
    }
  }

  /** One ping at a time, behind everything sent so far; settles when its pong comes or the socket closes. */
  #acknowledged(): Promise<void> {
    if (this.#pong) return this.#pong;
    const mark = this.#sent;
    this.#pings += 1;
    const payload = `read:${this.#pings}`;
    this.#pong = new Promise<void>((resolve) => {
      const settle = (): void => {
        this.off('pong', onPong);
        this.off('close', settle);
        this.#pong = null;
        resolve();
      };
      const onPong = (data: Buffer): void => {
        if (data.toString() !== payload) return;
        this.#read = Math.max(this.#read, mark);
        settle();
      };
      this.on('pong', onPong);
      this.once('close', settle);
      this.ping(payload);
    });
    return this.#pong;
  }
}
