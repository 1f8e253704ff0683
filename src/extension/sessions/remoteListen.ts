import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { isLoopback, isWildcard, parseListenAddress } from '../../engine/protocol/remoteListen';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { Disposable } from '../util/dispose';
import { REMOTE_KEY, type SessionManager } from './sessionManager';

/** Where the remote ranks' token is kept between windows (VS Code's secret storage). */
export const REMOTE_TOKEN_SECRET = 'headroom.remote.token';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * Ranks on other machines reporting to this window (setting `headroom.remote.listen`, off by
 * default): the window's listener also accepts TCP on the address named, admitting only
 * connections with the remote token. Applied at once when the setting changes. The token is
 * kept in the editor's secret storage, so ranks started days ago with it reconnect to a
 * reloaded or restarted window by themselves (the client retries its address); **Reset Remote
 * Token** replaces it and shuts the old one out. It is never logged; **Copy Remote Connection
 * Settings** puts it on the clipboard.
 */
export class RemoteListenService extends Disposable {
  private applied = '';
  private warnedOpen = false;
  private chain: Promise<void> = Promise.resolve();
  private token: string | undefined;
  /** `tcp:HOST:PORT` listened on, once listening (editor tests read it). */
  address: string | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      config.onDidChange(({ previous, current }) => {
        if (previous.remoteListen !== current.remoteListen) void this.apply();
      }),
    );
    this._register(vscode.commands.registerCommand(CommandId.CopyRemoteConnection, () => copyRemoteConnection(this)));
    this._register(vscode.commands.registerCommand(CommandId.ResetRemoteToken, () => this.resetToken()));
    if (config.current.remoteListen) void this.apply();
  }

  /**
   * A new remote token, stored, and the old one no longer admitted (ranks already connected
   * with it stay until they disconnect). For a token that was shared too widely.
   */
  resetToken(): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        const listener = await this.sessions.ensureListener();
        if (this.token) listener.revokeToken(this.token);
        this.token = undefined;
        await this.store(undefined);
        await this.admitToken();
        this.log.info('remote ranks: the remote token was reset; ranks must be started with the new one');
        void vscode.window.showInformationMessage('Headroom: the remote token was reset. Copy Remote Connection Settings gives the new one; ranks started with the old one are refused.');
      })
      .catch((e: unknown) => this.log.error(`remote ranks: ${(e as Error)?.message ?? e}`));
    return this.chain;
  }

  /** The remote token, admitted by the listener: the stored one, or a new one stored now. */
  private async admitToken(): Promise<string> {
    if (this.token) return this.token;
    let token = await this.stored();
    if (!token) {
      token = randomBytes(24).toString('base64url');
      await this.store(token);
    }
    (await this.sessions.ensureListener()).issueToken(REMOTE_KEY, token);
    this.token = token;
    return token;
  }

  private async stored(): Promise<string | undefined> {
    try {
      const t = await this.secrets.get(REMOTE_TOKEN_SECRET);
      return t && TOKEN_SHAPE.test(t) ? t : undefined;
    } catch (e) {
      this.log.warn(`remote ranks: the secret storage cannot be read (${(e as Error)?.message ?? e}); this window's remote token lasts until it closes`);
      return undefined;
    }
  }

  private async store(token: string | undefined): Promise<void> {
    try {
      if (token) await this.secrets.store(REMOTE_TOKEN_SECRET, token);
      else await this.secrets.delete(REMOTE_TOKEN_SECRET);
    } catch (e) {
      this.log.warn(`remote ranks: the secret storage cannot be written (${(e as Error)?.message ?? e}); this window's remote token lasts until it closes`);
    }
  }

  /** Resolves once the current setting is in effect (listening, or off, or refused with a message). */
  apply(): Promise<void> {
    this.chain = this.chain.then(() => this.applyNow()).catch((e: unknown) => this.log.error(`remote ranks: ${(e as Error)?.message ?? e}`));
    return this.chain;
  }

  /** What a node needs in its environment to report here: `HEADROOM_ADDR=tcp:HOST:PORT HEADROOM_TOKEN=...`. */
  async connectionSettings(): Promise<{ text: string; addr: string } | undefined> {
    await this.chain;
    if (!this.address) return undefined;
    const token = await this.admitToken();
    const m = /^tcp:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(this.address);
    const host = m ? m[1].replace(/^\[|\]$/g, '') : '';
    // A wildcard address cannot be connected to: the nodes need a name of this machine.
    const addr = m && isWildcard(host) ? `tcp:${hostname()}:${m[2]}` : this.address;
    return { text: `HEADROOM_ADDR=${addr} HEADROOM_TOKEN=${token}`, addr };
  }

  private async applyNow(): Promise<void> {
    const want = this.config.current.remoteListen;
    if (want === this.applied) return;
    this.applied = want;
    const listener = await this.sessions.ensureListener();
    if (!want) {
      if (this.address) this.log.info(`remote ranks: stopped listening on ${this.address}`);
      this.address = undefined;
      await listener.closeRemote();
      return;
    }
    const where = parseListenAddress(want);
    if ('error' in where) {
      this.address = undefined;
      await listener.closeRemote();
      void vscode.window.showErrorMessage(`Headroom: headroom.remote.listen: ${where.error}.`);
      return;
    }
    await this.admitToken(); // the token is admitted before anyone can present it
    try {
      this.address = await listener.listenRemote(where.host, where.port, new Set([REMOTE_KEY]));
    } catch (e) {
      this.address = undefined;
      this.log.error((e as Error).message);
      void vscode.window.showErrorMessage(`Headroom: ${(e as Error).message}.`);
      return;
    }
    this.log.info(`remote ranks: listening on ${this.address} (the remote token is required)`);
    if (!isLoopback(where.host) && !this.warnedOpen) {
      this.warnedOpen = true;
      void vscode.window.showWarningMessage(
        `Headroom listens for remote ranks on ${where.host}:${where.port}: the port is reachable from the network, and only the remote token protects it. Prefer 127.0.0.1 with SSH port forwarding.`,
      );
    }
  }
}

/** Copies the nodes' environment to the clipboard, or says how to turn remote ranks on. */
export async function copyRemoteConnection(remote: RemoteListenService): Promise<void> {
  const s = await remote.connectionSettings();
  if (!s) {
    const open = 'Open Settings';
    const pick = await vscode.window.showInformationMessage('Headroom is not listening for remote ranks: set headroom.remote.listen (e.g. 127.0.0.1:5151) first.', open);
    if (pick === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'headroom.remote.listen');
    return;
  }
  await vscode.env.clipboard.writeText(s.text);
  void vscode.window.showInformationMessage(`Headroom: copied HEADROOM_ADDR=${s.addr} and the remote token. Set both in the ranks' environment on the node; they reconnect by themselves after a window reload.`);
}
