import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HeadroomApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'headroom-dev.headroom';

/** Activates Headroom (if not yet) and returns its API. */
export async function headroom(): Promise<HeadroomApi> {
  const ext = vscode.extensions.getExtension<HeadroomApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this editor`);
  return ext.activate();
}

/** Polls `probe` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
