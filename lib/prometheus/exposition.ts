/**
 * A strict parser for the Prometheus text exposition format (version 0.0.4,
 * what `/metrics` endpoints such as vLLM's and SGLang's serve).
 *
 * Why hand-written: the npm parsers for this format are unmaintained and lossy
 * for our use — parse-prometheus-text-format 1.1.1 (an untyped Babel build
 * of code from 2019) merges every labelled histogram of a family into one
 * bucket map keyed by `le` alone, so two engines' buckets overwrite each other; prom2javascript
 * parses label values with a lazy regular expression (a `}` or an escaped
 * backslash before a quote in a label value breaks it) and turns every value
 * into a float. Counts here must stay exact, so values are kept as the text
 * the exporter wrote and converted by the caller (`exactCount`, `sampleValue`).
 *
 * What it checks (as Prometheus's own expfmt parser does):
 *   - metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names `[a-zA-Z_][a-zA-Z0-9_]*`
 *     (names starting with `__` are reserved), no label named twice;
 *   - label values in double quotes with the escapes `\\`, `\"` and `\n` only;
 *   - `# HELP name text` (escapes `\\`, `\n`) and `# TYPE name type` at most once
 *     per family, TYPE before the family's first sample; other `#` lines are
 *     comments;
 *   - values: decimal floats, `+Inf`, `-Inf`, `NaN`; an optional integer
 *     timestamp in milliseconds;
 *   - a family's samples in one contiguous group, no series twice;
 *   - histogram families hold only `_bucket` (with `le`), `_sum` and `_count`
 *     samples, summaries only `{quantile}`, `_sum` and `_count`.
 * Lines end in LF; a CR before it, blanks before a line's first token and
 * blanks around label names, `=`, `,` and braces are tolerated.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name (e.g. `x_bucket` in histogram family `x`). */
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The value as written: convert with `exactCount` or `sampleValue`. */
  value: string;
  timestampMs: number | null;
  /** 1-based line number in the scrape, for error messages. */
  line: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

export class ExpositionError extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(line === null ? message : `line ${line}: ${message}`);
    this.name = "ExpositionError";
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^(?:[+-]?inf|nan)$/i;
const TIMESTAMP = /^-?\d+$/;
const TYPES: readonly MetricType[] = ["counter", "gauge", "histogram", "summary", "untyped"];

const isBlank = (c: string | undefined) => c === " " || c === "\t";

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new ExpositionError(`invalid escape "\\${c}" in HELP text (only \\\\ and \\n)`, line);
  });
}

/** Parses `name{labels} value [timestamp]` from one line. */
function parseSampleLine(text: string, line: number): Sample {
  let i = 0;
  const skipBlanks = () => {
    while (isBlank(text[i])) i += 1;
  };
  const readWhile = (re: RegExp) => {
    const start = i;
    while (i < text.length && re.test(text[i]!)) i += 1;
    return text.slice(start, i);
  };

  const name = readWhile(/[a-zA-Z0-9_:]/);
  if (!METRIC_NAME.test(name)) throw new ExpositionError(`invalid metric name "${name || text.slice(0, 20)}"`, line);
  const labels: Record<string, string> = {};
  skipBlanks();
  if (text[i] === "{") {
    i += 1;
    for (;;) {
      skipBlanks();
      if (text[i] === "}") {
        i += 1;
        break;
      }
      const labelName = readWhile(/[a-zA-Z0-9_]/);
      if (!LABEL_NAME.test(labelName)) throw new ExpositionError(`invalid label name in ${name} (at column ${i + 1})`, line);
      if (labelName.startsWith("__")) throw new ExpositionError(`label name "${labelName}" in ${name} is reserved`, line);
      if (Object.hasOwn(labels, labelName)) throw new ExpositionError(`label "${labelName}" given twice in ${name}`, line);
      skipBlanks();
      if (text[i] !== "=") throw new ExpositionError(`expected "=" after label "${labelName}" in ${name}`, line);
      i += 1;
      skipBlanks();
      if (text[i] !== '"') throw new ExpositionError(`label "${labelName}" in ${name}: value must be in double quotes`, line);
      i += 1;
      let value = "";
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new ExpositionError(`label "${labelName}" in ${name}: unterminated value`, line);
        i += 1;
        if (c === '"') break;
        if (c === "\\") {
          const escaped = text[i];
          i += 1;
          if (escaped === "\\") value += "\\";
          else if (escaped === '"') value += '"';
          else if (escaped === "n") value += "\n";
          else throw new ExpositionError(`label "${labelName}" in ${name}: invalid escape "\\${escaped ?? ""}" (only \\\\, \\" and \\n)`, line);
        } else {
          value += c;
        }
      }
      labels[labelName] = value;
      skipBlanks();
      if (text[i] === ",") {
        i += 1;
        continue;
      }
      if (text[i] === "}") {
        i += 1;
        break;
      }
      throw new ExpositionError(`expected "," or "}" after label "${labelName}" in ${name}`, line);
    }
  }
  const rest = text.slice(i).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === "") throw new ExpositionError(`${name}: missing value`, line);
  if (rest.length > 2) throw new ExpositionError(`${name}: unexpected text after the value and timestamp`, line);
  const [value, timestamp] = rest as [string, string | undefined];
  if (!FLOAT.test(value) && !SPECIAL_FLOAT.test(value)) throw new ExpositionError(`${name}: invalid value "${value}"`, line);
  if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) throw new ExpositionError(`${name}: invalid timestamp "${timestamp}"`, line);
  const timestampMs = timestamp === undefined ? null : Number(timestamp);
  if (timestampMs !== null && !Number.isSafeInteger(timestampMs)) throw new ExpositionError(`${name}: timestamp out of range`, line);
  return { name, labels, value, timestampMs, line };
}

/** A canonical key for a label set (sorted names), for grouping and duplicate checks. */
export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((name) => [name, labels[name]]));
}

function checkSampleBelongs(family: MetricFamily, sample: Sample) {
  const suffix = sample.name.slice(family.name.length);
  const fail = (what: string) => {
    throw new ExpositionError(`${sample.name} in ${family.type} ${family.name}: ${what}`, sample.line);
  };
  if (family.type === "histogram") {
    if (suffix === "_bucket") {
      if (!Object.hasOwn(sample.labels, "le")) fail('a bucket needs an "le" label');
    } else if (suffix !== "_sum" && suffix !== "_count") fail("a histogram holds only _bucket, _sum and _count samples");
    else if (Object.hasOwn(sample.labels, "le")) fail('only buckets carry "le"');
  } else if (family.type === "summary") {
    if (suffix === "") {
      if (!Object.hasOwn(sample.labels, "quantile")) fail('a quantile sample needs a "quantile" label');
    } else if (suffix !== "_sum" && suffix !== "_count") fail("a summary holds only quantile, _sum and _count samples");
  } else if (suffix !== "") fail("sample name must be the family's name");
}

/** Parses a scrape into its metric families, in the order they appear. */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  /** Families whose samples have ended (another family's sample came after). */
  const closed = new Set<string>();
  const seenSeries = new Set<string>();
  let current: MetricFamily | null = null;

  const family = (name: string, line: number): MetricFamily => {
    let found = families.get(name);
    if (!found) {
      found = { name, type: "untyped", help: null, samples: [] };
      families.set(name, found);
    } else if (closed.has(name)) {
      throw new ExpositionError(`${name}: a family's lines must form one group (it appeared earlier)`, line);
    }
    if (current && current !== found) closed.add(current.name);
    current = found;
    return found;
  };
  const typeSeen = new Set<string>();

  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = index + 1;
    // Blanks before a line's first token are allowed, as Prometheus's parser allows them.
    const text = (raw.endsWith("\r") ? raw.slice(0, -1) : raw).replace(/^[ \t]+/, "");
    if (text === "") return;
    if (text.startsWith("#")) {
      const match = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(text);
      if (!match) return; // a comment
      const [, keyword, name, rest = ""] = match as unknown as [string, "HELP" | "TYPE", string, string | undefined];
      if (!METRIC_NAME.test(name)) throw new ExpositionError(`${keyword}: invalid metric name "${name}"`, line);
      const target = family(name, line);
      if (keyword === "HELP") {
        if (target.help !== null) throw new ExpositionError(`${name}: second HELP line`, line);
        target.help = unescapeHelp(rest, line);
      } else {
        const type = rest.trim();
        if (!TYPES.includes(type as MetricType)) throw new ExpositionError(`${name}: unknown TYPE "${type}"`, line);
        if (typeSeen.has(name)) throw new ExpositionError(`${name}: second TYPE line`, line);
        if (target.samples.length > 0) throw new ExpositionError(`${name}: TYPE must come before the family's first sample`, line);
        typeSeen.add(name);
        target.type = type as MetricType;
      }
      return;
    }
    const sample = parseSampleLine(text, line);
    const seriesKey = `${sample.name}${labelsKey(sample.labels)}`;
    if (seenSeries.has(seriesKey)) throw new ExpositionError(`${sample.name}: the same series appears twice`, line);
    seenSeries.add(seriesKey);
    const owner = familyNameOf(sample.name, families);
    const target = family(owner, line);
    checkSampleBelongs(target, sample);
    target.samples.push(sample);
  });
  return families;
}

/** The family a sample name belongs to: its own, or a histogram's/summary's it is a suffix of. */
function familyNameOf(sampleName: string, families: ReadonlyMap<string, MetricFamily>): string {
  if (families.has(sampleName)) return sampleName;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = families.get(sampleName.slice(0, -suffix.length));
    if (base && (base.type === "histogram" || (base.type === "summary" && suffix !== "_bucket"))) return base.name;
  }
  return sampleName;
}

function sampleDescription(sample: Sample): string {
  const labels = Object.entries(sample.labels)
    .map(([name, value]) => `${name}="${value}"`)
    .join(",");
  return `${sample.name}{${labels}} (line ${sample.line})`;
}

/**
 * A count (counter value, bucket or _count) as an exact integer. Exporters
 * write counters as floats ("1234.0", Python's "1.2345678e+07"); the decimal
 * text is read exactly, and anything that is not a whole number ≥ 0 is refused.
 */
export function exactCount(sample: Sample): bigint {
  const match = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(sample.value);
  const [, whole = "", fraction = "", exponentText = "0"] = match ?? [];
  if (!match || whole + fraction === "") {
    throw new ExpositionError(`${sampleDescription(sample)}: expected a whole count ≥ 0, got "${sample.value}"`, sample.line);
  }
  const exponent = Number(exponentText);
  const digits = whole + fraction;
  // The decimal point sits after `n` digits once the exponent is applied.
  const n = whole.length + exponent;
  if (n > 40) throw new ExpositionError(`${sampleDescription(sample)}: count out of range ("${sample.value}")`, sample.line);
  const integerPart = n <= 0 ? "" : digits.padEnd(n, "0").slice(0, n);
  const fractionPart = n <= 0 ? digits : digits.slice(n);
  if (/[1-9]/.test(fractionPart)) {
    throw new ExpositionError(`${sampleDescription(sample)}: expected a whole count, got "${sample.value}"`, sample.line);
  }
  return BigInt(integerPart === "" ? "0" : integerPart);
}

/** A gauge-like value as a float (NaN and ±Infinity included). */
export function sampleValue(sample: Sample): number {
  const lower = sample.value.toLowerCase();
  if (lower === "nan") return NaN;
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  return Number(sample.value);
}

export interface HistogramSeries {
  /** The series' labels without `le`. */
  labels: Readonly<Record<string, string>>;
  /** Buckets as written, ascending by bound; the last is +Inf. */
  buckets: { le: string; leValue: number; count: bigint }[];
  count: bigint;
  /** The _sum as written (a float), or null when absent. */
  sum: number | null;
}

/**
 * A histogram family's series (one per label set without `le`), checked: bounds
 * are numbers read from the data, the +Inf bucket is present and equals
 * _count, cumulative counts never decrease.
 */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  if (family.type !== "histogram") throw new ExpositionError(`${family.name} is a ${family.type}, not a histogram`);
  const byLabels = new Map<string, { labels: Record<string, string>; buckets: HistogramSeries["buckets"]; count: bigint | null; sum: number | null; line: number }>();
  for (const sample of family.samples) {
    const { le, ...labels } = sample.labels;
    const key = labelsKey(labels);
    let series = byLabels.get(key);
    if (!series) {
      series = { labels, buckets: [], count: null, sum: null, line: sample.line };
      byLabels.set(key, series);
    }
    if (sample.name.endsWith("_bucket")) {
      const leValue = sampleValue({ ...sample, value: le! });
      if (!FLOAT.test(le!) && !/^\+?inf$/i.test(le!)) throw new ExpositionError(`${sampleDescription(sample)}: invalid bucket bound le="${le}"`, sample.line);
      series.buckets.push({ le: le!, leValue, count: exactCount(sample) });
    } else if (sample.name.endsWith("_count")) {
      series.count = exactCount(sample);
    } else {
      series.sum = sampleValue(sample);
    }
  }
  return [...byLabels.values()].map((series) => {
    const where = `${family.name}${labelsKey(series.labels)}`;
    const buckets = series.buckets.toSorted((a, b) => a.leValue - b.leValue);
    buckets.forEach((bucket, i) => {
      const previous = buckets[i - 1];
      if (previous && previous.leValue === bucket.leValue) throw new ExpositionError(`${where}: bucket le="${bucket.le}" given twice`, series.line);
      if (previous && bucket.count < previous.count) throw new ExpositionError(`${where}: bucket le="${bucket.le}" counts fewer than the bucket below it`, series.line);
    });
    const inf = buckets.at(-1);
    if (!inf || inf.leValue !== Infinity) throw new ExpositionError(`${where}: histogram has no le="+Inf" bucket`, series.line);
    if (series.count === null) throw new ExpositionError(`${where}: histogram has no _count`, series.line);
    if (series.count !== inf.count) throw new ExpositionError(`${where}: _count (${series.count}) differs from the +Inf bucket (${inf.count})`, series.line);
    return { labels: series.labels, buckets, count: series.count, sum: series.sum };
  });
}
