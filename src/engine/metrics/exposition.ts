// The Prometheus text exposition format (version 0.0.4), written by hand: the families are
// few and fixed, so a small writer renders 64 ranks well under a millisecond (bench/metrics.bench.ts).

/** The format's content type, for the HTTP response and nothing else. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Label names and values of one sample, in the order they are written. */
export type Labels = readonly (readonly [name: string, value: string])[];

/** One sample of a family: its labels and its value. */
export interface MetricSample {
  readonly labels: Labels;
  readonly value: number;
  /** `labels` already written as `{...}` (`labelSetText`), kept by callers that render the same series every tick. */
  readonly labelText?: string;
}

/** A metric family: one HELP and one TYPE line, then its samples. */
export interface MetricFamily {
  /** The full name, `headroom_` prefix and unit suffix included (checked by `checkMetricName`). */
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: readonly MetricSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws when `name` is not a valid metric name: names are ours, so a bad one is a bug to catch in tests. */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
}

/** Throws when `name` is not a valid label name (or uses the reserved `__` prefix). */
export function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(name)}`);
}

/**
 * A label value as the format quotes it: backslash, double quote and line feed escaped.
 * Values come from programs (checkpoint labels, process names), so every other character,
 * carriage returns and control characters included, passes through as UTF-8, which the
 * format allows; a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD.
 */
export function escapeLabelValue(v: string): string {
  let needs = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10 || (c >= 0xd800 && c <= 0xdfff)) {
      needs = true;
      break;
    }
  }
  if (!needs) return v;
  return v.replace(LONE_SURROGATE, '\uFFFD').replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** HELP text escaping: backslash and line feed only (quotes stay as they are). */
export function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value as Prometheus parses it: integers exactly, NaN and infinities by name. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `{a="x",b="y"}`, or nothing without labels. */
export function labelSetText(labels: Labels): string {
  if (labels.length === 0) return '';
  let s = '{';
  for (let i = 0; i < labels.length; i++) {
    if (i) s += ',';
    s += labels[i][0] + '="' + escapeLabelValue(labels[i][1]) + '"';
  }
  return s + '}';
}

/** The exposition text of `families`; a family without samples is left out whole. */
export function renderExposition(families: readonly MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    if (f.samples.length === 0) continue;
    out += '# HELP ' + f.name + ' ' + escapeHelp(f.help) + '\n# TYPE ' + f.name + ' ' + f.type + '\n';
    for (const s of f.samples) out += f.name + (s.labelText ?? labelSetText(s.labels)) + ' ' + formatValue(s.value) + '\n';
  }
  return out;
}
