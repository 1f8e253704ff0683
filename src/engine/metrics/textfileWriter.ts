import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes the exposition text for node_exporter's textfile collector: to a temporary name in
 * the same directory, then renamed over `<name>.prom`, so the collector never reads half a file
 * (it ignores files not ending in .prom, the temporary one included).
 */
export class TextfileWriter {
  readonly path: string;
  private readonly tmp: string;

  constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'headroom';
    this.path = join(dir, `${safe}.prom`);
    this.tmp = join(dir, `.${safe}.prom.${process.pid}.tmp`);
  }

  /** Replaces the file's content with `text` at once. Throws what the file system throws. */
  write(text: string): void {
    writeFileSync(this.tmp, text);
    renameSync(this.tmp, this.path);
  }
}
