import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeControl, type ControlMessage, type HelloRecord } from '../../shared/protocol';
import { DecodeThread } from './decodeThread';
import { HelloReader } from './helloReader';
import { ProblemReporter } from './problemReporter';
import { RemoteListenError } from './remoteListen';
import { batchSize, objectBatch, type RecordBatch } from './recordBatch';

/** One authenticated program connection. */
export interface ProtocolConnection {
  readonly id: number;
  readonly hello: HelloRecord;
  /** The session the token belongs to. */
  readonly sessionKey: string;
  /** The peer's address for a TCP connection (`10.0.0.2:51234`); undefined on the local socket. */
  readonly peer?: string;
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
  /**
   * A connection's next records, in order: its hello first, then one batch per read. Read
   * them with `recordsOf`, or fold the columns (`RecordIngest.addBatch`).
   */
  readonly onRecords: (c: ProtocolConnection, batch: RecordBatch) => void;
  /** Decode in a worker thread (the default; inline where none can start) or on this thread. */
  readonly decodeThread?: 'worker' | 'inline';
  /** Bytes of one connection read but not yet decoded and delivered, past which it is not read until they are (8 MiB). */
  readonly highWaterBytes?: number;
  readonly onDisconnect?: (c: ProtocolConnection) => void;
  /** Malformed lines, refused connections: already rate-limited. */
  readonly onProblem?: (message: string) => void;
}

export interface ListenerStats {
  records: number;
  connections: number;
  refused: number;
  /** Times a connection's socket stopped being read until decoding caught up. */
  pauses: number;
  errors: Record<string, number>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Undecoded bytes per connection past which its socket stops being read (it resumes below an eighth of it). */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

interface Connection extends ProtocolConnection {
  readonly sock: Socket;
  closed: boolean;
  paused: boolean;
}

/**
 * The extension's end of the log protocol: one per window. A Unix domain socket in a new
 * 0700 directory (a named pipe on Windows), optionally TCP on 127.0.0.1. A connection's
 * first line must be a hello with a token this listener issued (compared in constant
 * time); otherwise it is closed and the attempt reported.
 */
export class ProtocolListener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Map<number, Connection>();
  private readonly decoder: DecodeThread;
  private readonly highWater: number;
  private readonly tokens = new Map<string, { digest: Buffer; sessionKey: string }>();
  private readonly problems: ProblemReporter;
  private dir: string | undefined;
  private nextId = 1;
  private _address: string | undefined;
  private _tcpAddress: string | undefined;
  private remote: { server: Server; address: string; sockets: Set<Socket> } | undefined;
  readonly stats: ListenerStats = { records: 0, connections: 0, refused: 0, pauses: 0, errors: {} };

  constructor(private readonly options: ProtocolListenerOptions) {
    this.problems = new ProblemReporter((m) => options.onProblem?.(m));
    this.highWater = options.highWaterBytes ?? HIGH_WATER_BYTES;
    this.decoder = new DecodeThread({
      batch: (id, batch) => {
        const c = this.connections.get(id);
        if (!c) return;
        this.deliver(c, batch);
        if (c.paused && this.decoder.pending(id) < this.highWater / 8) {
          c.paused = false;
          c.sock.resume();
        }
      },
      ended: (id) => this.disconnected(id),
      lost: (why) => {
        this.stats.errors.internal = (this.stats.errors.internal ?? 0) + 1;
        this.problems.add('decode worker', `${why}; decoding on the main thread from now on (bytes it had not yet decoded were lost)`);
        for (const c of this.connections.values()) {
          if (!c.paused) continue;
          c.paused = false;
          c.sock.resume();
        }
      },
    });
  }

  /** Where records are decoded: a worker thread, or this thread. */
  get decodeMode(): 'worker' | 'inline' {
    return this.decoder.mode;
  }

  /** `unix:/path`, `pipe:\\.\pipe\name`; set once started. */
  get address(): string | undefined {
    return this._address;
  }

  get tcpAddress(): string | undefined {
    return this._tcpAddress;
  }

  /** `tcp:HOST:PORT` of the remote-ranks listener while one is open (see `listenRemote`). */
  get remoteAddress(): string | undefined {
    return this.remote?.address;
  }

  /**
   * Also accepts TCP on `host:port` (any interface the user names: ranks on other machines,
   * or an SSH tunnel's end), admitting only connections whose hello carries a token issued
   * for one of `keys`. Replaces a remote listener already open. Throws a RemoteListenError
   * that says what to change when the port is taken or the address is not this machine's.
   */
  async listenRemote(host: string, port: number, keys: ReadonlySet<string>): Promise<string> {
    await this.closeRemote();
    const sockets = new Set<Socket>();
    let server: Server;
    try {
      server = await this.listen({ host, port }, { keys, sockets });
    } catch (e) {
      throw new RemoteListenError(host, port, e as NodeJS.ErrnoException);
    }
    const a = server.address();
    const bound = a && typeof a === 'object' ? a.port : port;
    const address = `tcp:${host.includes(':') ? `[${host}]` : host}:${bound}`;
    this.remote = { server, address, sockets };
    return address;
  }

  /** Stops accepting remote ranks and closes the connections that came that way. */
  async closeRemote(): Promise<void> {
    const r = this.remote;
    if (!r) return;
    this.remote = undefined;
    const i = this.servers.indexOf(r.server);
    if (i >= 0) this.servers.splice(i, 1);
    for (const s of r.sockets) s.destroy();
    await new Promise<void>((resolve) => r.server.close(() => resolve()));
  }

  async start(): Promise<void> {
    if (this.options.decodeThread !== 'inline') await this.decoder.start();
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

  /**
   * Issues a token for a session; records from connections that present it go to that session.
   * `token` admits one kept from before (the remote ranks' token outlives a window).
   */
  issueToken(sessionKey: string, token: string = randomBytes(24).toString('base64url')): string {
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
    this.decoder.dispose();
    for (const id of [...this.connections.keys()]) this.disconnected(id);
    for (const srv of this.servers) srv.close();
    this.servers.length = 0;
    this.remote = undefined;
    this.problems.dispose();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private listen(target: string | { host: string; port: number }, only?: RemoteAdmission): Promise<Server> {
    return new Promise((resolve, reject) => {
      const srv = createServer((sock) => this.accept(sock, only));
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

  /** Counts `batch`'s refused lines, then hands its records on. */
  private deliver(c: Connection, batch: RecordBatch): void {
    for (const r of batch.refused ?? []) {
      this.stats.errors[r.code] = (this.stats.errors[r.code] ?? 0) + r.count;
      this.problems.add(`malformed lines from pid ${c.hello.pid}`, r.message, r.count);
    }
    const n = batchSize(batch);
    if (n === 0) return;
    this.stats.records += n;
    try {
      this.options.onRecords(c, batch);
    } catch (e) {
      this.stats.errors.internal = (this.stats.errors.internal ?? 0) + n;
      this.problems.add('record handling errors', `pid ${c.hello.pid}: ${n} records could not be handled: ${(e as Error)?.message ?? e}`);
    }
  }

  private disconnected(id: number): void {
    const c = this.connections.get(id);
    if (!c) return;
    this.connections.delete(id);
    c.closed = true;
    this.options.onDisconnect?.(c);
  }

  private findToken(presented: string): string | undefined {
    const d = digest(presented);
    let found: string | undefined;
    // Compare against every token, always, in constant time per comparison.
    for (const { digest: known, sessionKey } of this.tokens.values()) if (timingSafeEqual(d, known)) found = sessionKey;
    return found;
  }

  private accept(sock: Socket, only?: RemoteAdmission): void {
    this.sockets.add(sock);
    only?.sockets.add(sock);
    const peer = sock.remoteAddress ? `${sock.remoteAddress}:${sock.remotePort}` : 'local socket';
    let conn: Connection | undefined;
    let refused = false;
    const refuse = (why: string) => {
      refused = true;
      this.stats.refused++;
      this.problems.add('refused connections', `refused a connection from ${peer}: ${why}`);
      sock.destroy();
    };
    const helloTimer = setTimeout(() => refuse('no hello within the time allowed'), this.options.helloTimeoutMs ?? 5000);
    helloTimer.unref?.();
    // Until the hello: gather its line (no more than a line's cap), authenticate, and only
    // then hand the connection's bytes to the decode thread.
    const reader = new HelloReader();
    const hello = (chunk: Buffer): void => {
      const r = reader.push(chunk);
      if (r.kind === 'more') return;
      if (r.kind === 'refuse') return refuse(r.why);
      const sessionKey = this.findToken(r.hello.token);
      if (sessionKey === undefined) return refuse('wrong token');
      if (only && !only.keys.has(sessionKey)) return refuse('that token is not for remote ranks');
      clearTimeout(helloTimer);
      conn = this.connect(sock, r.hello, sessionKey, sock.remoteAddress ? peer : undefined);
      if (r.rest.length > 0) this.forward(conn, r.rest);
    };
    sock.on('data', (chunk: Buffer) => {
      if (conn) this.forward(conn, chunk);
      else if (!refused) hello(chunk);
    });
    sock.on('error', () => undefined); // a program that dies mid-write: the close below is enough
    sock.on('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(sock);
      only?.sockets.delete(sock);
      if (conn && !conn.closed) {
        conn.closed = true;
        // Disconnected once its last bytes are decoded and delivered.
        this.decoder.end(conn.id);
      }
    });
  }

  private connect(sock: Socket, hello: HelloRecord, sessionKey: string, peer: string | undefined): Connection {
    const c: Connection = {
      id: this.nextId++,
      hello,
      sessionKey,
      peer,
      sock,
      closed: false,
      paused: false,
      send: (m: ControlMessage) => !c.closed && sock.write(encodeControl(m)),
      close: () => sock.destroy(),
    };
    this.connections.set(c.id, c);
    this.decoder.open(c.id, hello.pid);
    this.stats.connections++;
    this.options.onConnect?.(c);
    // A recording keeps the hello, never its token.
    this.deliver(c, objectBatch([hello], Buffer.from(JSON.stringify({ ...hello, token: undefined }) + '\n')));
    return c;
  }

  /** Hands bytes to the decode thread; past the high-water mark, stops reading until it catches up. */
  private forward(c: Connection, chunk: Buffer): void {
    this.decoder.push(c.id, chunk);
    if (!c.paused && this.decoder.pending(c.id) > this.highWater) {
      c.paused = true;
      this.stats.pauses++;
      c.sock.pause();
    }
  }
}

/** What the remote listener admits: tokens of these keys; and the sockets it accepted, closed with it. */
interface RemoteAdmission {
  readonly keys: ReadonlySet<string>;
  readonly sockets: Set<Socket>;
}

