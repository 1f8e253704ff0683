import * as assert from 'node:assert/strict';
import type { HostToWebview } from '../shared/webviewMessages';
import { dispatch, listen, type MessageHandlers } from './messaging';

/** Handlers that record the type each one was called for, and the message. */
function recorder(): { handlers: MessageHandlers; calls: [string, HostToWebview][] } {
  const calls: [string, HostToWebview][] = [];
  const on = (name: string) => (m: HostToWebview) => void calls.push([name, m]);
  const handlers: MessageHandlers = { init: on('init'), empty: on('empty'), snapshot: on('snapshot'), append: on('append'), compare: on('compare'), compareEnd: on('compareEnd'), focus: on('focus') };
  return { handlers, calls };
}

const f64 = () => new Float64Array(0);
const messages: HostToWebview[] = [
  { type: 'init', title: 't', live: true, units: 'GiB' },
  { type: 'empty', message: 'nothing yet' },
  { type: 'snapshot', t0: 0, t1: 1, start: 0, end: 1, series: [], events: [], rows: [], live: true, reporter: 'client', sessionName: 's' },
  { type: 'append', end: 2, series: [{ name: 'tree.rss', t: f64(), v: f64() }], live: true, reporter: 'client' },
  { type: 'compare', name: 'b', offset: -700, alignedAt: 'loaded', labels: ['loaded'], series: [], rows: [], recordingPath: '/b' },
  { type: 'compareEnd' },
  { type: 'focus', t: 1234 },
];

describe('webview messaging', () => {
  it('hands every host message type to its own handler, once, with the message', () => {
    const { handlers, calls } = recorder();
    for (const m of messages) dispatch(m, handlers);
    assert.deepEqual(
      calls.map(([name]) => name),
      ['init', 'empty', 'snapshot', 'append', 'compare', 'compareEnd', 'focus'],
    );
    calls.forEach(([, m], i) => assert.equal(m, messages[i]));
  });

  it('ignores a message type it does not know', () => {
    const { handlers, calls } = recorder();
    dispatch({ type: 'fromANewerHost' } as unknown as HostToWebview, handlers);
    assert.deepEqual(calls, []);
  });

  it('dispatches messages posted to the window until unsubscribed', () => {
    const { handlers, calls } = recorder();
    const target = new EventTarget();
    const stop = listen(handlers, target);
    target.dispatchEvent(new MessageEvent('message', { data: { type: 'focus', t: 5 } }));
    stop();
    target.dispatchEvent(new MessageEvent('message', { data: { type: 'compareEnd' } }));
    assert.deepEqual(calls, [['focus', { type: 'focus', t: 5 }]]);
  });
});
