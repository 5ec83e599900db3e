/**
 * The daemon as an ordered list of features (zigbee2mqtt's extensions): each has `start()` and
 * `stop()`, its constructor only assigns fields, and a small controller starts them in order and
 * stops them in reverse. A new part of the daemon (doors, inputs) is one more feature in the list.
 */
import type { Logger } from "pino";

/** A part of the daemon with a lifecycle; the constructor only assigns fields. */
export interface Feature {
  /** Names the feature in logs ("readers", "relays", "sync"…). */
  readonly name: string;
  /** Starts the feature; throws (or rejects) when it cannot run, after undoing its own part. */
  start(): void | Promise<void>;
  /** Stops what start() began; should not throw (a throw is logged and the others still stop). */
  stop(): void | Promise<void>;
}

/** Starts features in order and stops them in reverse; a failed start stops those already started. */
export class FeatureController {
  private readonly features: readonly Feature[];
  private readonly log: Logger;
  private readonly started: Feature[] = [];

  constructor(features: readonly Feature[], log: Logger) {
    this.features = features;
    this.log = log;
  }

  /** Starts every feature in order; when one fails, stops the started ones (reverse) and rethrows. */
  async start(): Promise<void> {
    for (const feature of this.features) {
      try {
        await feature.start();
      } catch (err) {
        this.log.error({ err, feature: feature.name }, "feature failed to start; stopping the others");
        await this.stop();
        throw err;
      }
      this.started.push(feature);
    }
  }

  /** Stops the started features, last started first; each stop is awaited before the next. */
  async stop(): Promise<void> {
    for (const feature of this.started.splice(0).reverse()) {
      try {
        await feature.stop();
      } catch (err) {
        this.log.error({ err, feature: feature.name }, "feature failed to stop");
      }
    }
  }
}

/** A part with start()/stop() (a broker link, a sync client) as a named feature. */
export function asFeature(
  name: string,
  part: { start(): void | Promise<void>; stop(): void | Promise<void> },
): Feature {
  return { name, start: () => part.start(), stop: () => part.stop() };
}
