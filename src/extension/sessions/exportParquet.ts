// Headroom: Export Recording as Parquet...: a recording as four Parquet files (samples,
// processes, events, gpu) next to the name the user picks, for pandas, polars or DuckDB.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { exportRecordingParquet, parquetBaseOf, type ParquetExportResult } from '../../engine/recording/parquetExport';
import { plainLabel } from '../../shared/format';
import { parquetName } from '../util/fileNames';

/**
 * Exports `recording` to the files named after `target` (asked for with a save dialog that
 * proposes `<program>-<date>.parquet` in `startDir` when absent). Undefined when cancelled or failed (said once).
 */
export async function exportParquet(recording: string, program: string, startDir: vscode.Uri, target?: vscode.Uri): Promise<ParquetExportResult | undefined> {
  if (!existsSync(recording)) {
    void vscode.window.showWarningMessage(`Headroom: the recording ${plainLabel(recording, 200)} is not there any more.`);
    return undefined;
  }
  const file =
    target ??
    (await vscode.window.showSaveDialog({
      title: 'Export recording as Parquet (writes NAME.samples, .processes, .events and .gpu.parquet)',
      defaultUri: vscode.Uri.joinPath(startDir, parquetName(program, new Date())),
      filters: { Parquet: ['parquet'] },
      saveLabel: 'Export',
    }));
  if (!file) return undefined;
  const base = parquetBaseOf(file.fsPath);
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Headroom: exporting ${plainLabel(basename(recording), 80)} as Parquet` }, () => exportRecordingParquet(recording, base));
    const rows = result.files.map((f) => `${f.table} ${f.rows}`).join(', ');
    const skipped = result.unreadableLines + result.skippedRecords;
    const parts = result.parts.length > 1 ? ` from the run's ${result.parts.length} parts` : '';
    const notes = result.notes.map((n) => ` Note: ${n}.`).join('');
    void vscode.window.showInformationMessage(`Headroom: wrote ${plainLabel(basename(base), 80)}.{samples,processes,events,gpu}.parquet${parts} (rows: ${rows})${skipped ? `; ${skipped} unreadable record(s) skipped` : ''}.${notes}`);
    return result;
  } catch (e) {
    void vscode.window.showWarningMessage(`Headroom could not export ${plainLabel(basename(recording), 80)} as Parquet: ${plainLabel((e as Error).message, 300)}`);
    return undefined;
  }
}
