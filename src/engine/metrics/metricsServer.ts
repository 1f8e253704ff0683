import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from './exposition';

/** Limits that keep a slow or hostile scraper from holding the process that samples. */
export interface MetricsServerLimits {
  /** Open connections at once; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Time a client gets to send its request line and headers. */
  readonly headersTimeoutMs: number;
  /** Time a connection may sit without reading or writing (a scraper that stops reading). */
  readonly idleTimeoutMs: number;
  /** Bytes of request line plus headers; more is answered 431 and closed. */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_METRICS_LIMITS: MetricsServerLimits = { maxConnections: 16, headersTimeoutMs: 5_000, idleTimeoutMs: 5_000, maxHeaderBytes: 8 * 1024 };

/** How often node checks the header and request timeouts (its default, 30 s, lets a slowloris hold a slot that long). */
const CHECK_INTERVAL_MS = 500;

/** Parses `HOST:PORT` (`[::1]:9400` for IPv6); undefined when it is not one. */
export function parseListenAddress(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(s.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

/**
 * Serves `/metrics` from text rendered elsewhere (once per sampling tick): a request only
 * copies the cached buffer, so scrapes cost the sampling loop nothing and a scraper that
 * never reads only fills its own socket until the idle timeout closes it.
 */
export class MetricsServer {
  private readonly server: Server;
  private body = Buffer.alloc(0);
  private readonly sockets = new Set<Socket>();
  /** Requests answered, and connections refused for being over the limit. */
  readonly counts = { requests: 0, refused: 0 };

  constructor(readonly limits: MetricsServerLimits = DEFAULT_METRICS_LIMITS) {
    this.server = createServer({ maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.headersTimeoutMs, keepAliveTimeout: limits.idleTimeoutMs, connectionsCheckingInterval: CHECK_INTERVAL_MS }, (req, res) => this.answer(req, res));
    this.server.maxConnections = limits.maxConnections;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.setTimeout(limits.idleTimeoutMs, () => s.destroy());
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('drop', () => this.counts.refused++);
    // A request the parser rejects (oversized header, bad request line): a short answer, then closed.
    this.server.on('clientError', (err: NodeJS.ErrnoException, s: Socket) => {
      if (s.writable && err.code !== 'ECONNRESET') s.end(err.code === 'HPE_HEADER_OVERFLOW' ? 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      s.destroy();
    });
  }

  /** Listens on `host`:`port`; resolves with the address bound (port 0 picks one). */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The text the next scrapes get. */
  update(text: string): void {
    this.body = Buffer.from(text, 'utf8');
  }

  /** Closes the listener and every open connection. */
  dispose(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.counts.requests++;
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
    if (path !== '/metrics') return this.plain(res, 404, 'Headroom serves /metrics only\n');
    res.writeHead(200, { 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Content-Length': this.body.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : this.body);
  }

  private plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), Connection: 'close', ...headers });
    res.end(text);
  }
}
