import { escapeHtml, makeNonce, renderHtmlDocument } from '../../shared/html';

export interface WebviewDocParts {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** The codicon stylesheet (dist/codicon.css, beside its font). */
  readonly codiconsUri: string;
  readonly title: string;
  readonly nonce?: string;
}

/**
 * The panel's HTML shell. Strict CSP: nothing by default, scripts only with the nonce,
 * styles, fonts (the codicons) and images only from the webview's own resource origin.
 */
export function renderWebviewDocument(p: WebviewDocParts): string {
  const nonce = p.nonce ?? makeNonce();
  return renderHtmlDocument({
    csp: ["default-src 'none'", `img-src ${p.cspSource} data: blob:`, `style-src ${p.cspSource}`, `font-src ${p.cspSource}`, `script-src 'nonce-${nonce}'`],
    title: p.title,
    head: `<link rel="stylesheet" href="${escapeHtml(p.codiconsUri)}">\n<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">`,
    body: `<main id="app" aria-live="polite"></main>\n<script nonce="${nonce}" src="${escapeHtml(p.scriptUri)}"></script>`,
  });
}
