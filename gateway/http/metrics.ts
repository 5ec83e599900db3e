/**
 * The gateway's Prometheus metrics (prom-client). Most are read at scrape time from what the
 * gateway already counts (its status(): readers, relays, inputs, doors, links; the store's outbox
 * and files), so a scrape costs one status() and nothing is counted twice; only what nobody counted
 * — decisions by reason and the two latencies — is fed by the access pipeline (DecisionObserver).
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { GatewayStatus } from "../../config/statusDocument.js";
import type { DecisionObserver } from "../features/accessPipeline.js";
import { COLLECTED_METRICS, type CollectedMetric, type Snapshot } from "./metricTable.js";

/** What the metrics read at scrape time. */
export interface MetricsSource {
  /** The gateway's status (readers, relays, inputs, doors, links, problems). */
  status(): GatewayStatus;
  /** Events in the outbox, waiting for the central's ack. */
  outboxDepth(): number;
  /** The SQLite files whose sizes make the store size (the cache and its -wal and -shm). */
  storeFiles(): readonly string[];
  /** Now, in ms (the sync lag is measured to it). */
  clock(): number;
}

/** Decision latency: a decision is one SQLite transaction, well under a millisecond on a warm cache. */
const DECISION_BUCKETS = [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
/** Card to relay: a member notices from about 100 ms on; a second is far too long. */
const RELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** The registry of every accessgw_* metric and Node's default ones; also the pipeline's observer. */
export class GatewayMetrics implements DecisionObserver {
  /** The registry /metrics serves (its content type is the Prometheus text format's). */
  readonly registry = new Registry();
  private readonly source: MetricsSource;
  private snapshot: Snapshot | undefined;
  private readonly decisions: Counter<"decision" | "reason">;
  private readonly decisionSeconds: Histogram;
  private readonly cardToRelaySeconds: Histogram;

  constructor(source: MetricsSource) {
    this.source = source;
    const registers = [this.registry];
    // process_* and nodejs_* (nodejs_eventloop_lag_seconds and its percentiles among them).
    collectDefaultMetrics({ register: this.registry });
    this.decisions = new Counter({
      name: "accessgw_decisions_total",
      help: "Scans decided, by decision (grant, deny) and reason (the event's reason code)",
      labelNames: ["decision", "reason"],
      registers,
    });
    this.decisionSeconds = new Histogram({
      name: "accessgw_decision_duration_seconds",
      help: "From a card reaching the gateway to its decision recorded (R14: decided and written in one transaction)",
      buckets: DECISION_BUCKETS,
      registers,
    });
    this.cardToRelaySeconds = new Histogram({
      name: "accessgw_card_to_relay_seconds",
      help: "From a card reaching the gateway to its grant's door pulse handed to the relay driver",
      buckets: RELAY_BUCKETS,
      registers,
    });
    for (const metric of COLLECTED_METRICS) this.register(metric);
  }

  /** A scan was decided (the pipeline's hook). */
  decided(decision: "grant" | "deny", reason: string, seconds: number): void {
    this.decisions.inc({ decision, reason });
    this.decisionSeconds.observe(seconds);
  }

  /** A grant's door was signalled (the pipeline's hook). */
  relayCommanded(seconds: number): void {
    this.cardToRelaySeconds.observe(seconds);
  }

  /** The exposition text: the status is read once, then every metric collects from it. */
  scrape(): Promise<string> {
    const storeFiles = this.source.storeFiles().map((path) => ({
      file: basename(path),
      bytes: statSync(path, { throwIfNoEntry: false })?.size ?? 0,
    }));
    const now = this.source.clock();
    this.snapshot = { status: this.source.status(), outbox: this.source.outboxDepth(), storeFiles, now };
    return this.registry.metrics();
  }

  /** The content type the exposition text is served with. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * A metric whose series are set from the scrape's snapshot: the last scrape's series are dropped
   * first (a removed reader disappears), and one without labels is absent when nothing was put.
   */
  private register({ kind, name, help, labels, fill }: CollectedMetric): void {
    const collect = () => {
      metric.reset();
      let put = false;
      const s = this.snapshot;
      if (s)
        fill(s, (l, value) => {
          put = true;
          if (metric instanceof Counter) metric.inc(l, value);
          else metric.set(l, value);
        });
      if (!put && labels.length === 0) metric.remove({});
    };
    const options = { name, help, labelNames: labels, registers: [this.registry], collect };
    const metric: Counter | Gauge = kind === "counter" ? new Counter(options) : new Gauge(options);
  }
}
