import * as assert from 'node:assert/strict';
import { renderWebviewDocument } from './webviewHtml';

describe('renderWebviewDocument', () => {
  const doc = (nonce?: string) =>
    renderWebviewDocument({ cspSource: 'vscode-webview://abc', scriptUri: 'vscode-webview://abc/w.js', styleUri: 'vscode-webview://abc/t.css', codiconsUri: 'vscode-webview://abc/codicon.css', title: 'T', nonce });

  it('sets a strict CSP: nothing by default, scripts only by nonce, no wildcard or inline', () => {
    const html = doc('N0nce');
    const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    assert.doesNotMatch(csp, /\*|unsafe-inline|unsafe-eval/);
    assert.match(html, /<script nonce="N0nce" src="vscode-webview:\/\/abc\/w.js"><\/script>/);
  });

  it('loads the codicons (stylesheet and font) from the resource origin only', () => {
    const html = doc('N0nce');
    const csp = /content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /style-src vscode-webview:\/\/abc(;|$)/);
    assert.match(csp, /font-src vscode-webview:\/\/abc(;|$)/);
    assert.match(html, /<link rel="stylesheet" href="vscode-webview:\/\/abc\/codicon.css">\n<link rel="stylesheet" href="vscode-webview:\/\/abc\/t.css">/);
    assert.doesNotMatch(html, /style=/);
  });

  it('uses a fresh nonce each time', () => {
    const a = /nonce-([^']+)'/.exec(doc())?.[1];
    const b = /nonce-([^']+)'/.exec(doc())?.[1];
    assert.ok(a && b && a !== b);
  });
});
