import { randomBytes } from 'node:crypto';

/** A fresh nonce for each rendered document: 128 random bits, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or quoted attribute (our own strings only; process text never reaches HTML). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Escapes a value for a double-quoted attribute, keeping single quotes readable (a CSP needs them). */
function escapeAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ENTITIES[c] as string);
}

export interface WebviewDocParts {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly title: string;
  readonly nonce?: string;
}

/**
 * The panel's HTML shell. Strict CSP: nothing by default, scripts only with the nonce,
 * styles and images only from the webview's own resource origin.
 */
export function renderWebviewDocument(p: WebviewDocParts): string {
  const nonce = p.nonce ?? makeNonce();
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data: blob:`,
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>`;
}
