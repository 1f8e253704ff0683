import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { isLoopback, isWildcard, parseListenAddress } from '../../engine/protocol/remoteListen';
import { CommandId } from '../commands';
import type { ConfigService } from '../config';
import { Disposable } from '../util/dispose';
import { WINDOW_KEY, type SessionManager } from './sessionManager';

/**
 * Ranks on other machines reporting to this window (setting `headroom.remote.listen`, off by
 * default): the window's listener also accepts TCP on the address named, admitting only
 * connections with the window token. Applied at once when the setting changes. The token is
 * never logged; **Copy Remote Connection Settings** puts it on the clipboard.
 */
export class RemoteListenService extends Disposable {
  private applied = '';
  private warnedOpen = false;
  private chain: Promise<void> = Promise.resolve();
  /** `tcp:HOST:PORT` listened on, once listening (editor tests read it). */
  address: string | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      config.onDidChange(({ previous, current }) => {
        if (previous.remoteListen !== current.remoteListen) void this.apply();
      }),
    );
    this._register(vscode.commands.registerCommand(CommandId.CopyRemoteConnection, () => copyRemoteConnection(this)));
    if (config.current.remoteListen) void this.apply();
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
    const { token } = await this.sessions.windowEnvironment();
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
    await this.sessions.windowEnvironment(); // the window token exists before anyone can present it
    try {
      this.address = await listener.listenRemote(where.host, where.port, new Set([WINDOW_KEY]));
    } catch (e) {
      this.address = undefined;
      this.log.error((e as Error).message);
      void vscode.window.showErrorMessage(`Headroom: ${(e as Error).message}.`);
      return;
    }
    this.log.info(`remote ranks: listening on ${this.address} (the window token is required)`);
    if (!isLoopback(where.host) && !this.warnedOpen) {
      this.warnedOpen = true;
      void vscode.window.showWarningMessage(
        `Headroom listens for remote ranks on ${where.host}:${where.port}: the port is reachable from the network, and only the window token protects it. Prefer 127.0.0.1 with SSH port forwarding.`,
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
  void vscode.window.showInformationMessage(`Headroom: copied HEADROOM_ADDR=${s.addr} and this window's token. Set both in the ranks' environment on the node.`);
}
