import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecodeFailure, decodeRecord, encodeControl, type ControlMessage, type HelloRecord, type ProtocolRecord } from '../../../shared/protocol';
import { LineSplitter } from './lineSplitter';
import { ProblemReporter } from './problemReporter';

/** One authenticated program connection. */
export interface ProtocolConnection {
  readonly id: number;
  readonly hello: HelloRecord;
  /** The session the token belongs to. */
  readonly sessionKey: string;
  send(message: ControlMessage): boolean;
  close(): void;
}

export interface ProtocolListenerOptions {
  /** Also listen on 127.0.0.1 (containers, other ranks). */
  readonly tcp?: boolean;
  readonly maxConnections?: number;
  /** Time a connection has to present its hello. */
  readonly helloTimeoutMs?: number;
  readonly onConnect?: (c: ProtocolConnection) => void;
  readonly onRecord: (c: ProtocolConnection, r: ProtocolRecord) => void;
  readonly onDisconnect?: (c: ProtocolConnection) => void;
  /** Malformed lines, refused connections: already rate-limited. */
  readonly onProblem?: (message: string) => void;
}

export interface ListenerStats {
  records: number;
  connections: number;
  refused: number;
  errors: Record<string, number>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The extension's end of the log protocol: one per window. A Unix domain socket in a new
 * 0700 directory (a named pipe on Windows), optionally TCP on 127.0.0.1. A connection's
 * first line must be a hello with a token this listener issued (compared in constant
 * time); otherwise it is closed and the attempt reported.
 */
export class ProtocolListener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly tokens = new Map<string, { digest: Buffer; sessionKey: string }>();
  private readonly problems: ProblemReporter;
  private dir: string | undefined;
  private nextId = 1;
  private _address: string | undefined;
  private _tcpAddress: string | undefined;
  readonly stats: ListenerStats = { records: 0, connections: 0, refused: 0, errors: {} };

  constructor(private readonly options: ProtocolListenerOptions) {
    this.problems = new ProblemReporter((m) => options.onProblem?.(m));
  }

  /** `unix:/path`, `pipe:\\.\pipe\name`; set once started. */
  get address(): string | undefined {
    return this._address;
  }

  get tcpAddress(): string | undefined {
    return this._tcpAddress;
  }

  async start(): Promise<void> {
    if (process.platform === 'win32') {
      const name = `\\\\.\\pipe\\headroom-${randomBytes(12).toString('hex')}`;
      await this.listen(name);
      this._address = `pipe:${name}`;
    } else {
      // mkdtemp makes the directory 0700: only this user can reach the socket inside.
      this.dir = mkdtempSync(join(process.env.XDG_RUNTIME_DIR || tmpdir(), 'headroom-'));
      chmodSync(this.dir, 0o700);
      const path = join(this.dir, 'hr.sock');
      await this.listen(path);
      this._address = `unix:${path}`;
    }
    if (this.options.tcp) {
      const srv = await this.listen({ host: '127.0.0.1', port: 0 });
      const a = srv.address();
      if (a && typeof a === 'object') this._tcpAddress = `tcp:127.0.0.1:${a.port}`;
    }
  }

  /** Issues a token for a session; records from connections that present it go to that session. */
  issueToken(sessionKey: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { digest: digest(token), sessionKey });
    return token;
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The environment a launched program needs to reach this listener with `token`. */
  env(token: string): Record<string, string> {
    const addr = [this._address, this._tcpAddress].filter(Boolean).join(',');
    return { HEADROOM_ADDR: addr, HEADROOM_TOKEN: token };
  }

  dispose(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const srv of this.servers) srv.close();
    this.servers.length = 0;
    this.problems.dispose();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private listen(target: string | { host: string; port: number }): Promise<Server> {
    return new Promise((resolve, reject) => {
      const srv = createServer((sock) => this.accept(sock));
      srv.maxConnections = this.options.maxConnections ?? 512;
      srv.once('error', reject);
      const done = () => {
        srv.off('error', reject);
        srv.on('error', (e) => this.problems.add('listener errors', `listener: ${e.message}`));
        this.servers.push(srv);
        resolve(srv);
      };
      if (typeof target === 'string') srv.listen(target, done);
      else srv.listen(target.port, target.host, done);
    });
  }

  /** Hands `batch` to onRecord in order and empties it; a record that throws is reported and skipped. */
  private deliver(c: ProtocolConnection, batch: ProtocolRecord[]): void {
    let i = 0;
    while (i < batch.length) {
      try {
        for (; i < batch.length; i++) this.options.onRecord(c, batch[i]);
      } catch (e) {
        this.stats.errors.internal = (this.stats.errors.internal ?? 0) + 1;
        this.problems.add('record handling errors', `pid ${c.hello.pid}: a ${batch[i].type} record could not be handled: ${(e as Error)?.message ?? e}`);
        i++;
      }
    }
    batch.length = 0;
  }

  private findToken(presented: string): string | undefined {
    const d = digest(presented);
    let found: string | undefined;
    // Compare against every token, always, in constant time per comparison.
    for (const { digest: known, sessionKey } of this.tokens.values()) if (timingSafeEqual(d, known)) found = sessionKey;
    return found;
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    let conn: (ProtocolConnection & { closed: boolean }) | undefined;
    const peer = sock.remoteAddress ? `${sock.remoteAddress}:${sock.remotePort}` : 'local socket';
    const refuse = (why: string) => {
      this.stats.refused++;
      this.problems.add('refused connections', `refused a connection from ${peer}: ${why}`);
      sock.destroy();
    };
    const helloTimer = setTimeout(() => refuse('no hello within the time allowed'), this.options.helloTimeoutMs ?? 5000);
    helloTimer.unref?.();
    const splitter = new LineSplitter(
      (line, bytes) => {
        if (line.length === 0 || (line.length === 1 && line === '\r')) return;
        const r = decodeRecord(line, bytes);
        if (!conn) {
          if (r instanceof DecodeFailure || r.type !== 'hello') return refuse('the first line was not a hello');
          const sessionKey = this.findToken(r.token);
          if (sessionKey === undefined) return refuse('wrong token');
          clearTimeout(helloTimer);
          const hello = r;
          const c = {
            id: this.nextId++,
            hello,
            sessionKey,
            closed: false,
            send: (m: ControlMessage) => !c.closed && sock.write(encodeControl(m)),
            close: () => sock.destroy(),
          };
          conn = c;
          this.stats.connections++;
          this.options.onConnect?.(c);
          this.options.onRecord(c, hello);
          return;
        }
        if (r instanceof DecodeFailure) {
          this.stats.errors[r.code] = (this.stats.errors[r.code] ?? 0) + 1;
          this.problems.add(`malformed lines from pid ${conn.hello.pid}`, `pid ${conn.hello.pid}: ${r.code}: ${r.message.slice(0, 200)}`);
          return;
        }
        this.stats.records++;
        batch.push(r);
      },
      (bytes) => {
        this.stats.errors['too-long'] = (this.stats.errors['too-long'] ?? 0) + 1;
        if (!conn) return refuse('first line too long');
        this.problems.add(`malformed lines from pid ${conn.hello.pid}`, `pid ${conn.hello.pid}: too-long: a line of ${bytes} bytes was dropped`);
      },
    );
    // A chunk's records are decoded first and handed on together: one tight loop of
    // JSON.parse, then one of ingest, is faster than alternating them line by line.
    const batch: ProtocolRecord[] = [];
    sock.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      if (batch.length !== 0 && conn) this.deliver(conn, batch);
    });
    sock.on('error', () => undefined); // a program that dies mid-write: the close below is enough
    sock.on('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(sock);
      if (conn && !conn.closed) {
        conn.closed = true;
        this.options.onDisconnect?.(conn);
      }
    });
  }
}
