// Names the file dialogs propose: pure, so they are unit-tested.

/** `train-2026-12-02.csv` for a run of train.py on that day (local date). */
export function csvName(program: string, day: Date): string {
  const stem = program.replace(/\.(pyw?|ndjson|jsonl)$/i, '').replace(/[^\w.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '') || 'headroom';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${stem}-${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}.csv`;
}

/** `train-2026-12-02.parquet`: the base the Parquet export's four files are named after. */
export function parquetName(program: string, day: Date): string {
  return csvName(program, day).replace(/\.csv$/, '.parquet');
}
