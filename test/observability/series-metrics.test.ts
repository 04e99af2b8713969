import { expect } from 'chai';
import { Counter, Histogram, Registry, type Metric } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../src/observability/series-metrics.js';

/** The same updates through prom-client's own metric and the gateway's, in two registries. */
function pair(): { theirs: Registry; ours: Registry } {
  return { theirs: new Registry(), ours: new Registry() };
}

describe('series metrics export exactly what prom-client would', () => {
  it('counters: same lines for the same increments, series in first-seen order', async () => {
    const { theirs, ours } = pair();
    const reference = new Counter({ name: 'x_total', help: 'Things.', labelNames: ['provider', 'model', 'kind'], registers: [theirs] });
    const counter = new SeriesCounter('x_total', 'Things.', ['provider', 'model', 'kind']);
    ours.registerMetric(counter as unknown as Metric);
    const updates: [string, string, string, number][] = [['openrouter', 'a/b', 'prompt', 12], ['deepseek', 'chat', 'completion', 3], ['openrouter', 'a/b', 'prompt', 0.5], ['openrouter', 'we"ird\\', 'cached', 1]];
    for (const [provider, model, kind, by] of updates) {
      reference.inc({ provider, model, kind }, by);
      counter.inc([provider, model, kind], by);
    }
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect(() => counter.inc(['a', 'b', 'c'], -1)).to.throw(TypeError);
  });

  it('histograms: same buckets, +Inf, sum and count, on and between the bounds and above them all', async () => {
    const { theirs, ours } = pair();
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 1];
    const reference = new Histogram({ name: 'y_seconds', help: 'Durations.', labelNames: ['route', 'method', 'status'], buckets, registers: [theirs] });
    const histogram = new SeriesHistogram('y_seconds', 'Durations.', ['route', 'method', 'status'], buckets);
    ours.registerMetric(histogram as unknown as Metric);
    const observations: [string, number][] = [['200', 0.004], ['200', 0.005], ['500', 0.0051], ['200', 0.1], ['200', 3], ['500', 0]];
    for (const [status, seconds] of observations) {
      reference.observe({ route: '/v1/chat/completions', method: 'POST', status }, seconds);
      histogram.observe(['/v1/chat/completions', 'POST', status], seconds);
    }
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect((await ours.getMetricsAsJSON())[0]).to.deep.include({ name: 'y_seconds', type: 'histogram' });
    expect(() => histogram.observe(['a', 'b', 'c'], Number.NaN)).to.throw(TypeError);
  });

  it('one label and no updates: same output, and a reset empties both', async () => {
    const { theirs, ours } = pair();
    const reference = new Histogram({ name: 'z_seconds', help: 'Overhead.', labelNames: ['mode'], buckets: [0.001, 0.01], registers: [theirs] });
    const histogram = new SeriesHistogram('z_seconds', 'Overhead.', ['mode'], [0.001, 0.01]);
    ours.registerMetric(histogram as unknown as Metric);
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    reference.observe({ mode: 'whole' }, 0.002);
    histogram.observe(['whole'], 0.002);
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).to.equal(await theirs.metrics());
  });
});
