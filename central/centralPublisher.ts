/**
 * Everything the central publishes (sync.md "Central → gateway"): the retained config, the `changes`
 * of each site revision in rev order, the parts of a hello's answer and the acks. Durable before
 * visible: a change is stored with its rev before it is published, and `published_rev` only moves
 * after the broker's PUBACK, so a change the broker missed is published again on the next connect.
 */

import type { Logger } from "pino";
import { SYNC_QOS, syncTopic } from "../config/protocol/topics.js";
import type { MqttLink } from "../drivers/mqtt/mqttTypes.js";
import type { CentralStore } from "./centralStore.js";
import type { CentralCounters } from "./centralTypes.js";
import type { Answer } from "./helloAnswer.js";
import { changesAt } from "./memberStore.js";
import type { ConfigToPublish } from "./reconcile.js";

/** What a CentralPublisher is handed. */
export interface CentralPublisherOptions {
  store: CentralStore;
  link: MqttLink;
  topicPrefix: string;
  siteId: string;
  logger: Logger;
  /** The central's counters, updated in place. */
  counters: CentralCounters;
  /** Shapes the documents of `changes` for every gateway of the site, as known now (docShape.ts). */
  changesShape?: () => (json: string) => string;
}

/** Publishes for the central; every method logs and returns false on failure, never throws. */
export class CentralPublisher {
  private readonly o: CentralPublisherOptions;

  constructor(options: CentralPublisherOptions) {
    this.o = options;
  }

  /** Publishes `{ rev, config }` retained on `P/sites/S/config`. */
  async config(msg: ConfigToPublish): Promise<boolean> {
    const topic = syncTopic("config", this.o.topicPrefix, this.o.siteId, "");
    try {
      await this.o.link.publish(topic, JSON.stringify(msg), { qos: SYNC_QOS, retain: true });
    } catch (err) {
      this.failed(err, { rev: msg.rev }, "config not published (broker away): published again on reconnect");
      return false;
    }
    this.o.counters.configsPublished++;
    this.o.logger.info({ configRev: msg.rev }, "config published");
    return true;
  }

  /**
   * Publishes the `changes` of every revision after `published_rev`, in rev order; stops at the
   * first failure (the rest follow on the next connect). Returns false when one failed.
   */
  async pendingChanges(): Promise<boolean> {
    const { store } = this.o;
    const topic = syncTopic("changes", this.o.topicPrefix, this.o.siteId, "");
    const shape = this.o.changesShape?.();
    for (let rev = store.publishedRev() + 1; rev <= store.siteRev(); rev++) {
      const change = changesAt(store, rev, shape);
      try {
        await this.o.link.publish(topic, change.json, { qos: SYNC_QOS });
      } catch (err) {
        this.failed(
          err,
          { rev, unpublished: store.siteRev() - rev + 1 },
          "change stored but not published (broker away): published on reconnect; a gateway that misses it resyncs by hello",
        );
        return false;
      }
      store.setMeta("published_rev", rev);
      this.o.counters.changesPublished++;
      this.o.logger.info(
        { rev, members: change.members, deletedMembers: change.deleted },
        "change published",
      );
    }
    return true;
  }

  /** Publishes `{ upTo }` on `P/gateways/G/acks` (with `lastSeq` and `helloId` when answering a hello). */
  async acks(
    gatewayId: string,
    upTo: number,
    hello?: { lastSeq: number; helloId?: string },
  ): Promise<boolean> {
    const topic = syncTopic("acks", this.o.topicPrefix, this.o.siteId, gatewayId);
    try {
      await this.o.link.publish(topic, JSON.stringify({ upTo, ...hello }), { qos: SYNC_QOS });
    } catch (err) {
      this.failed(
        err,
        { gatewayId, upTo },
        "acks not published (broker away): the gateway sends its events again",
      );
      return false;
    }
    this.o.counters.acksSent++;
    this.o.logger.debug({ gatewayId, upTo }, "acks sent");
    return true;
  }

  /** Publishes the parts of an answer in order on `P/gateways/G/sync`; returns how many went out. */
  async answer(gatewayId: string, answer: Answer): Promise<number> {
    const topic = syncTopic("sync", this.o.topicPrefix, this.o.siteId, gatewayId);
    for (let n = 1; n <= answer.parts; n++) {
      try {
        await this.o.link.publish(topic, answer.part(n), { qos: SYNC_QOS });
      } catch (err) {
        this.failed(
          err,
          { gatewayId, part: n, parts: answer.parts },
          "answer not completed (broker away): the gateway says hello again when it reconnects",
        );
        return n - 1;
      }
      this.o.counters.partsSent++;
    }
    return answer.parts;
  }

  private failed(err: unknown, fields: object, msg: string): void {
    this.o.counters.publishFailures++;
    this.o.logger.warn({ ...fields, err }, msg);
  }
}
