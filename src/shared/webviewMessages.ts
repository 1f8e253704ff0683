// The one message file for the host <-> timeline webview boundary. Both sides import it
// with `import type`; every message is told apart by its `type`.

/** Host to webview. */
export type HostToWebview = { readonly type: 'init'; readonly title: string; readonly live: boolean };

/** Webview to host. */
export type WebviewToHost = { readonly type: 'ready' };
