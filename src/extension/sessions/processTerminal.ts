import { spawn, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';

/**
 * A terminal showing a process Headroom started itself: the exact pid from the first
 * instant, its exit code, Ctrl+C forwarded as SIGINT. Output before the terminal opens is
 * kept and shown once it does.
 */
export class ProcessTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  readonly child: ChildProcess;
  private opened = false;
  private backlog: string[] = [];
  private exitCode: number | undefined;

  constructor(
    file: string,
    args: readonly string[],
    options: { cwd?: string; env: Record<string, string> },
    onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
  ) {
    this.child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env, PYTHONUNBUFFERED: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = (d: Buffer) => this.write(d.toString('utf8'));
    this.child.stdout?.on('data', out);
    this.child.stderr?.on('data', out);
    this.child.on('error', (e) => {
      this.write(`\r\nHeadroom could not start ${file}: ${e.message}\r\n`);
      this.finish(127);
      onExit(127, null);
    });
    this.child.on('exit', (code, signal) => {
      this.write(`\r\n[process exited with ${signal ?? code}]\r\n`);
      onExit(code, signal);
      this.finish(code ?? 1);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  open(): void {
    this.opened = true;
    for (const s of this.backlog.splice(0)) this.writeEmitter.fire(s);
    if (this.exitCode !== undefined) this.closeEmitter.fire(this.exitCode);
  }

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  handleInput(data: string): void {
    if (data === '\x03') {
      this.child.kill('SIGINT');
      return;
    }
    this.child.stdin?.write(data === '\r' ? '\n' : data);
    this.write(data === '\r' ? '\r\n' : data);
  }

  private write(s: string): void {
    const text = s.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.writeEmitter.fire(text);
    else this.backlog.push(text);
  }

  private finish(code: number): void {
    this.exitCode = code;
    // Leave the output readable: the terminal closes when the user closes it.
    if (this.opened) this.writeEmitter.fire('');
  }
}
