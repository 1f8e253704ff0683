// Small DOM helpers of the timeline webview. Text always goes in through textContent.

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A codicon (the font VS Code's own buttons use), hidden from screen readers: its button carries the name. */
export function codicon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

/** A theme variable of the page (VS Code sets the --vscode-* ones on the body), or `fallback`. */
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Saves `href` (a data: URL) as `filename` through a download link. */
export function download(href: string, filename: string): void {
  const a = el('a');
  a.href = href;
  a.download = filename;
  a.click();
}

/** Puts `text` on the clipboard; falls back to a hidden textarea and execCommand. */
export function copyText(text: string): void {
  const fallback = () => {
    const ta = el('textarea');
    ta.value = text;
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  };
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(fallback);
  else fallback();
}
