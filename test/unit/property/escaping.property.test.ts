import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeAttr, escapeHtml } from '../../../src/shared/html';
import { plainLabel } from '../../../src/shared/format';
import { hostileText, params } from './arbitraries';

const ENTITY: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** What an HTML parser makes of escaped text: the five entities back to their characters, nothing else touched. */
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITY[e]);

const anyText = fc.oneof(hostileText, fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ';', '#', '3', '9'), maxLength: 40 }));

describe('property: HTML escaping and plain labels', function () {
  this.timeout(30_000);

  it('escapeHtml leaves no markup character and an HTML parser gives the text back exactly', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const e = escapeHtml(s);
        assert.doesNotMatch(e, /[<>"']/);
        assert.doesNotMatch(e, /&(?!(amp|lt|gt|quot|#39);)/, 'every & starts one of our entities');
        assert.equal(unescape(e), s);
      }),
      params(3000),
    );
  });

  it('escapeAttr cannot end a double-quoted attribute or open a tag, and gives the text back exactly', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const e = escapeAttr(s);
        assert.doesNotMatch(e, /[<>"]/);
        assert.doesNotMatch(e, /&(?!(amp|lt|gt|quot);)/);
        assert.equal(unescape(e), s);
      }),
      params(3000),
    );
  });

  it('plainLabel: no control or line-separator characters, no $( icon syntax, no ]( link, never longer than asked', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 2, max: 80 }), (s, max) => {
        const p = plainLabel(s, max);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(p, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        assert.ok(!p.includes('$(') && !p.includes(']('), JSON.stringify(p));
        assert.ok(p.length <= max, `${p.length} > ${max}`);
      }),
      params(3000),
    );
  });

  it('plainLabel keeps ordinary text as it is', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,40}[A-Za-z0-9]$/), (s) => {
        assert.equal(plainLabel(s, 60), s);
      }),
      params(1000),
    );
  });
});
