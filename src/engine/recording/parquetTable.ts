// One Parquet file written a row group at a time: rows are buffered column by column and
// handed to hyparquet-writer (snappy pages, statistics, a Thrift footer pyarrow, pandas and
// polars read) every `rowGroupRows`, so an export never holds more than one group per table.

import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { ByteWriter, ParquetWriter, type KeyValue, type SchemaElement } from 'hyparquet-writer';

/** What a column holds; every one but the required time may be null. */
export type ColumnKind = 'timestamp' | 'int64' | 'int32' | 'double' | 'string';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Only the time column: rows without one are never added. */
  readonly required?: boolean;
}

/** A cell as the row builders give it: anything that is not of the column's kind is stored as null. */
export type Cell = number | string | null | undefined;

/** Rows per row group: large enough for fast scans, small enough that one group per table stays a few MB. */
export const DEFAULT_ROW_GROUP_ROWS = 65_536;

/** A ByteWriter that appends what it holds to the file after each row group, then starts empty again. */
class FileSink extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 20);
  }

  flush(): void {
    let done = 0;
    while (done < this.index) done += writeSync(this.fd, new Uint8Array(this.buffer, done, this.index - done));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
  }
}

function schemaElement(c: ColumnSpec): SchemaElement {
  const repetition_type = c.required ? 'REQUIRED' : 'OPTIONAL';
  switch (c.kind) {
    case 'timestamp':
      // Milliseconds since the epoch, UTC: pandas reads datetime64[ms, UTC], polars Datetime(ms, UTC).
      return { name: c.name, type: 'INT64', repetition_type, converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } };
    case 'int64':
      return { name: c.name, type: 'INT64', repetition_type };
    case 'int32':
      return { name: c.name, type: 'INT32', repetition_type };
    case 'double':
      return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'string':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
  }
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** The cell as the column's physical value, or null where it is not one (hostile or missing fields). */
function physical(kind: ColumnKind, v: Cell): number | bigint | string | null {
  if (kind === 'string') return typeof v === 'string' ? v : null;
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  switch (kind) {
    case 'timestamp':
    case 'int64':
      return Math.abs(v) <= Number.MAX_SAFE_INTEGER ? BigInt(Math.round(v)) : null;
    case 'int32':
      return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX ? v : null;
    case 'double':
      return v;
  }
}

/** Writes one table to `path` (through `path.partial`, renamed when complete, so a failed export leaves no half file). */
export class ParquetTableWriter {
  private readonly fd: number;
  private readonly writer: ParquetWriter;
  private readonly buffers: Cell[][];
  private buffered = 0;
  private total = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    metadata: readonly KeyValue[] = [],
    private readonly rowGroupRows = DEFAULT_ROW_GROUP_ROWS,
  ) {
    this.fd = openSync(`${path}.partial`, 'w');
    const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }, ...columns.map(schemaElement)];
    this.writer = new ParquetWriter({ writer: new FileSink(this.fd), schema, kvMetadata: metadata.length ? [...metadata] : undefined, createdBy: 'headroom' });
    this.buffers = columns.map(() => []);
  }

  /** Rows written so far, buffered ones included. */
  get rows(): number {
    return this.total;
  }

  /** One row, a cell per column in the order of the specs. */
  add(row: readonly Cell[]): void {
    for (let i = 0; i < this.columns.length; i++) this.buffers[i].push(row[i]);
    this.buffered++;
    this.total++;
    if (this.buffered >= this.rowGroupRows) this.flushGroup();
  }

  private flushGroup(): void {
    if (this.buffered === 0) return;
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffers[i].map((v) => physical(c.kind, v)) }));
    void this.writer.write({ columnData, rowGroupSize: this.buffered });
    for (const b of this.buffers) b.length = 0;
    this.buffered = 0;
  }

  /** Writes the last group and the footer, and puts the file in place. */
  close(): void {
    if (this.closed) return;
    try {
      this.flushGroup();
      void this.writer.finish();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
    renameSync(`${this.path}.partial`, this.path);
  }

  /** Gives up: closes and removes the partial file. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    rmSync(`${this.path}.partial`, { force: true });
  }
}
