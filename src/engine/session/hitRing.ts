/** How many of a location's last hits are kept for hovers and growth. */
export const RECENT = 10;

/** One hit of a location, for hovers. */
export interface Hit {
  readonly t: number;
  readonly pid: number;
  readonly rss: number;
  readonly delta: number;
  readonly label?: string;
}

/** The last hits of one location, in columns: recording a hit allocates nothing. */
export class HitRing {
  private readonly t = new Float64Array(RECENT);
  private readonly rss = new Float64Array(RECENT);
  private readonly delta = new Float64Array(RECENT);
  private readonly pid = new Int32Array(RECENT);
  private readonly label: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private next = 0;
  /** Hits held, up to RECENT. */
  size = 0;

  /** Records a hit, overwriting the oldest once full. */
  push(t: number, pid: number, rss: number, delta: number, label: string | undefined): void {
    const i = this.next;
    this.t[i] = t;
    this.pid[i] = pid;
    this.rss[i] = rss;
    this.delta[i] = delta;
    this.label[i] = label;
    this.next = i + 1 === RECENT ? 0 : i + 1;
    if (this.size < RECENT) this.size++;
  }

  /** Oldest first. */
  hits(): Hit[] {
    const out: Hit[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + RECENT) % RECENT;
      out.push({ t: this.t[i], pid: this.pid[i], rss: this.rss[i], delta: this.delta[i], label: this.label[i] });
    }
    return out;
  }
}
