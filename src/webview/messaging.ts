// The webview's side of the host boundary: the VS Code API (acquired once, on connect),
// typed posting, the saved state, and the dispatch of host messages to one handler each.
import type { HostToWebview, WebviewToHost } from '../shared/webviewMessages';

/** What survives a window reload: the recordings to reopen. */
export interface SavedState {
  readonly recordingPath?: string;
  readonly comparePath?: string;
}

export interface Host {
  post(m: WebviewToHost): void;
  getState(): SavedState | undefined;
  setState(s: SavedState): void;
}

/** One handler per host message type, each given its own message type. */
export type MessageHandlers = { readonly [K in HostToWebview['type']]: (m: Extract<HostToWebview, { type: K }>) => void };

let api: Host | undefined;

/** The host connection; VS Code allows acquireVsCodeApi once per page, so it is kept. */
export function connectHost(): Host {
  if (api) return api;
  const vscode = acquireVsCodeApi<SavedState>();
  api = {
    post: (m) => vscode.postMessage(m),
    getState: () => vscode.getState(),
    setState: (s) => vscode.setState(s),
  };
  return api;
}

/** Hands `m` to its handler. A type this build does not know (a newer host) is ignored. */
export function dispatch(m: HostToWebview, h: MessageHandlers): void {
  switch (m.type) {
    case 'init':
      return h.init(m);
    case 'empty':
      return h.empty(m);
    case 'snapshot':
      return h.snapshot(m);
    case 'append':
      return h.append(m);
    case 'compare':
      return h.compare(m);
    case 'compareEnd':
      return h.compareEnd(m);
    case 'focus':
      return h.focus(m);
    default: {
      const unhandled: never = m;
      void unhandled;
    }
  }
}

/** Dispatches every message posted to `target` (the window); returns the unsubscribe. */
export function listen(h: MessageHandlers, target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> = window): () => void {
  const onMessage = (event: Event) => dispatch((event as MessageEvent<HostToWebview>).data, h);
  target.addEventListener('message', onMessage);
  return () => target.removeEventListener('message', onMessage);
}
