import * as assert from 'node:assert/strict';
import { escapeHtml, makeNonce, renderHtmlDocument } from './html';

describe('HTML documents', () => {
  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => makeNonce()));
    assert.equal(nonces.size, 50);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
  });

  it('escapes markup in attributes and text', () => {
    assert.equal(escapeHtml(`<img src=x onerror="alert(1)">&'`), '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    const html = renderHtmlDocument({ csp: ["default-src 'none'"], title: '</title><script>x()</script>', body: '' });
    assert.doesNotMatch(html, /<script>/);
    assert.match(html, /<title>&lt;\/title&gt;&lt;script&gt;x\(\)&lt;\/script&gt;<\/title>/);
  });

  it('refuses a CSP that does not start from nothing', () => {
    assert.throws(() => renderHtmlDocument({ csp: ["script-src 'self'"], title: 't', body: '' }), /default-src 'none'/);
  });
});
