// A window reload (or a crashed extension host) while programs run: the new window takes up
// the runs the old one was monitoring, in the same recording, with the time between marked as
// a gap. Programs reconnect by themselves (the client looks for the window again), and join
// the resumed run by pid.
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type * as vscode from 'vscode';
import { addGapEvent, gapRecord, WINDOW_RELOADED } from '../../engine/recording/gapRecord';
import { openRun } from '../../engine/recording/openRun';
import { programName } from '../../engine/session/adoption';
import { canonicalPath, type MonitoringSession } from '../../engine/session/monitoringSession';
import { Disposable } from '../util/dispose';
import { linuxStartedAt, resumeCandidate, type ResumeCandidate } from './resumeCandidates';
import type { SessionManager } from './sessionManager';

/** The workspace's runs that were live (or detached by a closing window): their recordings. */
export const LIVE_RECORDINGS_KEY = 'headroom.liveRecordings';
/** Recordings not written to for this long are not resumed. */
const MAX_AGE_MS = 24 * 3600 * 1000;

/** A run the workspace remembers: its recording, and the extension host that monitored it. */
interface Remembered {
  readonly path: string;
  readonly host: number;
}

function parseRemembered(v: unknown): Remembered[] {
  if (!Array.isArray(v)) return [];
  return v.filter((e): e is Remembered => typeof e?.path === 'string' && Number.isInteger(e?.host)).slice(0, 64);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remembers, per workspace, the recordings of the runs this window monitors; at activation
 * resumes those whose root process still runs and that did not end. Only this workspace's:
 * another window's runs are that window's.
 */
export class SessionResumer extends Disposable {
  private remembered: string;

  constructor(
    private readonly sessions: SessionManager,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const earlier = parseRemembered(memento.get<unknown>(LIVE_RECORDINGS_KEY));
    this.remembered = JSON.stringify(earlier);
    this._register(sessions.onDidChangeSessions(() => this.remember()));
    for (const e of earlier) this.tryResume(e);
    this.remember();
  }

  private tryResume({ path, host }: Remembered): void {
    const { candidate, why } = resumeCandidate(path, { host: hostname(), now: Date.now(), maxAgeMs: MAX_AGE_MS, alive: pidAlive, startedAt: linuxStartedAt });
    if (!candidate) {
      this.log.info(`not resuming ${path}: ${why}`);
      return;
    }
    // A host that let go wrote a detach; one killed is dead. One alive with no detach (a host
    // the server keeps for a while after its window went) still monitors the run: leave it.
    if (!candidate.detached && host !== process.pid && pidAlive(host)) {
      this.log.info(`not resuming ${path}: extension host ${host} still monitors it`);
      return;
    }
    if (this.sessions.all().some((s) => s.live && s.rootPid === candidate.header.rootPid)) return;
    try {
      this.resume(candidate);
    } catch (e) {
      this.log.warn(`could not resume ${path}: ${(e as Error).message}`);
    }
  }

  private resume(c: ResumeCandidate): void {
    // A host killed mid-line left half a line: end it, so the lines appended after stay whole.
    if (!c.endsWithNewline) appendFileSync(c.path, '\n');
    const h = c.header;
    const name = h.name ?? programName(h.command, h.rootPid);
    const session = this.sessions.start({ name, source: 'connected', pid: h.rootPid, command: h.command, recordingPath: c.path, held: true });
    this.log.info(`resuming ${name} (root pid ${h.rootPid}) in ${c.path}: it ran on while the window reloaded`);
    void this.load(session, c)
      .catch((e: unknown) => this.log.warn(`${name}: the earlier part of the run could not be loaded (${(e as Error).message}); monitoring goes on`))
      .finally(() => {
        if (!session.live) return; // the window closed meanwhile
        session.start();
        session.releaseBatches();
      });
  }

  /** The run so far into the session's store (not into its recording: it is there already), then the gap. */
  private async load(session: MonitoringSession, c: ResumeCandidate): Promise<void> {
    // Every part of the run (a day-long run has rotated), through their indexes.
    const run = await openRun(c.path, { canonicalPath, into: session });
    for (const n of run.notes) this.log.warn(`${session.name}: ${n}`);
    const gap = gapRecord(c.lastT, Date.now(), WINDOW_RELOADED);
    session.monitor?.record(gap);
    addGapEvent(session.store, gap);
  }

  /** Keeps the workspace's list of runs to resume: those live now, and those a closing window detached. */
  private remember(): void {
    const runs: Remembered[] = [];
    for (const s of this.sessions.all()) {
      const path = s.monitor?.recordingPath;
      if ((s.live || s.detached) && path) runs.push({ path, host: process.pid });
    }
    const text = JSON.stringify(runs);
    if (text === this.remembered) return;
    this.remembered = text;
    void this.memento.update(LIVE_RECORDINGS_KEY, runs);
  }
}
