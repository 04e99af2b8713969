/**
 * Counters and histograms for the metrics every request updates, registered in prom-client's
 * registry and exported in its exact format. prom-client's own `inc` and `observe` build a label
 * object, validate it, hash it into a string key and look that up in a dictionary on every call;
 * with about eleven updates per request that was 6-7% of a request's CPU, and these cost less than
 * half of it (bench/README.md, "Performance work"). Here a series is found by its label values, one
 * Map per label (no key string to join and hash per update), and an update is an addition.
 */
type Labels = Record<string, string>;

/** One exported line, as prom-client's Registry formats it: `metricName{labels,sharedLabels} value`. */
export interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  sharedLabels?: Labels;
}

export interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: ExportedValue[];
}

/**
 * What prom-client's Registry reads from a metric (`registerMetric`, `metrics()`,
 * `getMetricsAsJSON()`, `resetMetrics()`): its name, help, type, `get()` and `reset()`.
 */
export interface RegistrableMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<ExportedMetric>;
  reset(): void;
}

/** One label's values leading to the series below them; `entry` is the series whose values end here. */
interface SeriesNode<State> {
  readonly next: Map<string, SeriesNode<State>>;
  entry?: { labels: Labels; state: State };
}

abstract class LabelledSeries<State> implements RegistrableMetric {
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum' as const;
  /** Every series, in the order it was first updated: the order of the export. */
  protected readonly series: { labels: Labels; state: State }[] = [];
  private root: SeriesNode<State> = { next: new Map() };

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The series for these label values, in `labelNames` order; created on first use. */
  protected stateFor(values: readonly string[]): State {
    let node = this.root;
    for (let at = 0; at < values.length; at++) {
      const value = values[at] as string;
      let child = node.next.get(value);
      if (child === undefined) {
        child = { next: new Map() };
        node.next.set(value, child);
      }
      node = child;
    }
    let entry = node.entry;
    if (entry === undefined) {
      const labels: Labels = {};
      this.labelNames.forEach((name, index) => {
        labels[name] = values[index] as string;
      });
      entry = { labels, state: this.initial() };
      node.entry = entry;
      this.series.push(entry);
    }
    return entry.state;
  }

  protected abstract initial(): State;
  protected abstract values(): ExportedValue[];

  get(): Promise<ExportedMetric> {
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() });
  }

  reset(): void {
    this.series.length = 0;
    this.root = { next: new Map() };
  }
}

export class SeriesCounter extends LabelledSeries<{ value: number }> {
  readonly type = 'counter' as const;

  inc(values: readonly string[], by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new TypeError(`${this.name}: a counter only goes up by a finite amount, not ${by}`);
    this.stateFor(values).value += by;
  }

  protected initial(): { value: number } {
    return { value: 0 };
  }

  protected values(): ExportedValue[] {
    return this.series.map(({ labels, state }) => ({ value: state.value, labels }));
  }
}

interface HistogramState {
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class SeriesHistogram extends LabelledSeries<HistogramState> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly upperBounds: readonly number[]) {
    super(name, help, labelNames);
  }

  observe(values: readonly string[], value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: not a finite number: ${value}`);
    const state = this.stateFor(values);
    let bucket = 0;
    while (bucket < this.upperBounds.length && value > (this.upperBounds[bucket] as number)) bucket++;
    state.counts[bucket] = (state.counts[bucket] as number) + 1;
    state.sum += value;
    state.count += 1;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.upperBounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** prom-client's own layout: cumulative buckets with `le`, then `+Inf`, `_sum` and `_count`; the series' labels as shared labels. */
  protected values(): ExportedValue[] {
    const bucketName = `${this.name}_bucket`;
    const rows: ExportedValue[] = [];
    for (const { labels, state } of this.series) {
      let cumulative = 0;
      this.upperBounds.forEach((bound, index) => {
        cumulative += state.counts[index] as number;
        rows.push(row({ le: bound }, cumulative, bucketName, labels));
      });
      rows.push(row({ le: '+Inf' }, state.count, bucketName, labels));
      rows.push(row({}, state.sum, `${this.name}_sum`, labels));
      rows.push(row({}, state.count, `${this.name}_count`, labels));
    }
    return rows;
  }
}

function row(labels: Record<string, string | number>, value: number, metricName: string, sharedLabels: Labels): ExportedValue {
  return { labels, value, metricName, sharedLabels };
}
