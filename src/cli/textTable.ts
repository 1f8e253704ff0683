/** A plain-text table: a header, a rule, the rows; `right(i)` columns padded on the left. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], right: (column: number) => boolean): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (right(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}
