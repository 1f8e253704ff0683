/**
 * HTML for documents we render ourselves (the timeline webview's shell, the CLI's offline
 * report). Only our own strings are inserted; anything that came from a program is escaped.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);
}

/** Escapes a value for a double-quoted attribute, keeping single quotes readable (a CSP needs them). */
export function escapeAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ENTITIES[c] as string);
}

/** A fresh nonce for each rendered document: 128 random bits, base64 (Node and browsers alike). */
export function makeNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export interface HtmlDocument {
  /** Content-Security-Policy directives, joined with `; `. Must start from `default-src 'none'`. */
  readonly csp: readonly string[];
  readonly title: string;
  /** Markup for `<head>` after the title (already escaped). */
  readonly head?: string;
  /** Markup for `<body>` (already escaped). */
  readonly body: string;
}

/** The one document shell: charset, CSP, viewport, title, then the given head and body. */
export function renderHtmlDocument(d: HtmlDocument): string {
  if (d.csp[0] !== "default-src 'none'") throw new Error("a document's CSP must start from default-src 'none'");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(d.csp.join('; '))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(d.title)}</title>
${d.head ?? ''}
</head>
<body>
${d.body}
</body>
</html>
`;
}
