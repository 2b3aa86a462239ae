/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests that check
 * `/metrics` as Prometheus would read it: every line well formed, every sample under a family
 * whose TYPE came first, histograms with ordered cumulative buckets ending in +Inf. It throws on
 * the first thing Prometheus would refuse, naming the line.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name (`civic_webhook_duration_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);
/** The names a family's samples may have besides its own. */
const SUFFIXES: Record<MetricType, string[]> = { counter: [""], gauge: [""], untyped: [""], histogram: ["_bucket", "_sum", "_count"], summary: ["", "_sum", "_count"] };

/** Every metric family in `text`, by name. */
export function parseExposition(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the exposition must end with a line feed");
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const lines = text.split("\n").slice(0, -1);
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!comment) return; // any other comment is allowed and ignored
      const [, keyword, name, rest] = comment as unknown as [string, "HELP" | "TYPE", string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      if (keyword === "HELP") {
        if (helps.has(name)) throw new Error(`a second HELP for ${name}, ${where}`);
        helps.set(name, rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\"));
        const family = families.get(name);
        if (family) family.help = helps.get(name)!;
        return;
      }
      if (!TYPES.has(rest as MetricType)) throw new Error(`unknown type, ${where}`);
      if (families.has(name)) throw new Error(`a second TYPE for ${name}, ${where}`);
      families.set(name, { name, type: rest as MetricType, help: helps.get(name) ?? "", samples: [] });
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, families);
    if (!family) throw new Error(`a sample before (or without) its family's TYPE, ${where}`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  for (const family of families.values()) {
    if (SUFFIXES[family.type].some((suffix) => sampleName === family.name + suffix)) return family;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!head) throw new Error(`bad sample name, ${where}`);
  const name = head[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1]!)) throw new Error(`bad label, ${where}`);
      if (label[1]! in labels) throw new Error(`label ${label[1]} twice, ${where}`);
      labels[label[1]!] = label[2]!.replace(/\\(["\\n])/g, (_all, escaped: string) => (escaped === "n" ? "\n" : escaped));
      rest = rest.slice(label[0].length);
      if (label[3] === "" && !rest.startsWith("}")) throw new Error(`labels must be separated by commas, ${where}`);
    }
    rest = rest.slice(1);
  }
  const tail = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!tail) throw new Error(`bad value, ${where}`);
  const text = tail[1]!;
  // As Prometheus reads it (Go's ParseFloat): NaN and Inf in any case, Inf with a sign.
  const special = /^(?:([+-]?)(inf|infinity)|nan)$/i.exec(text);
  const value = special ? (special[2] ? (special[1] === "-" ? -Infinity : Infinity) : NaN) : Number(text);
  if (Number.isNaN(value) && !special) throw new Error(`not a number, ${where}`);
  return { name, labels, value };
}

/** Buckets with `le`, ordered and cumulative, ending in +Inf whose count is `_count`, for each label set. */
function checkHistogram(family: Family): void {
  const series = new Map<string, { buckets: Sample[]; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(Object.entries(labels).filter(([name]) => name !== "le").sort(([a], [b]) => a.localeCompare(b)));
  for (const sample of family.samples) {
    const entry = series.get(keyOf(sample.labels)) ?? { buckets: [] };
    series.set(keyOf(sample.labels), entry);
    if (sample.name.endsWith("_bucket")) {
      if (sample.labels.le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push(sample);
    } else if (sample.name.endsWith("_count")) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    const bounds = buckets.map((bucket) => (bucket.labels.le === "+Inf" ? Infinity : Number(bucket.labels.le)));
    if (bounds.at(-1) !== Infinity) throw new Error(`${family.name} ${key}: the last bucket is not le="+Inf"`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${family.name} ${key}: buckets out of order`);
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family.name} ${key}: buckets not cumulative`);
    }
    if (count !== buckets.at(-1)!.value) throw new Error(`${family.name} ${key}: _count is not the +Inf bucket`);
  }
}

/**
 * The value of the one sample named `name` whose labels include `labels`; undefined when there
 * is none. Throws when more than one matches (the test should name more labels).
 */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
