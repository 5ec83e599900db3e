/**
 * GET /metrics: the scrape of a running gateway, parsed by a real Prometheus text-format parser
 * (parse-prometheus-text-format), after known scans: a grant, a deny with its reason, a relay
 * pulse and failure, the outbox, inputs, door modes, store files and Node's event-loop lag.
 */
import { describe, expect } from "vitest";
import type { StatusInput } from "../../config/statusDocument.js";
import { GatewayMetrics } from "../../gateway/http/metrics.js";
import { parseScrape, sampleValue } from "../helpers/httpGet.js";
import { it, MONDAY_10 } from "../helpers/monitored.js";

const ANNA = "1234567";
const STRANGER = "99999999";

/** Lets the pulses' promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("GET /metrics", () => {
  it("counts a grant and a deny by decision and reason, and the grant's relay pulse", async ({
    monitored,
  }) => {
    const { present, scrape } = await monitored();
    present("pool-in", ANNA);
    present("pool-in", STRANGER);
    await settle();

    const m = await scrape();
    expect(sampleValue(m, "accessgw_decisions_total", { decision: "grant", reason: "ok" })).toBe(1);
    expect(sampleValue(m, "accessgw_decisions_total", { decision: "deny", reason: "unknown_card" })).toBe(1);
    expect(m.get("accessgw_decisions_total")?.metrics).toHaveLength(2);
    expect(sampleValue(m, "accessgw_relay_pulses_total", { relay: "board" })).toBe(1);
    expect(sampleValue(m, "accessgw_relay_failures_total", { relay: "board" })).toBe(0);
    expect(sampleValue(m, "accessgw_reader_scans_total", { reader: "pool-in" })).toBe(2);
    // R14: both decisions are in the outbox until the central acks them.
    expect(sampleValue(m, "accessgw_outbox_events")).toBe(2);
  });

  it("measures the decision and card-to-relay latencies as histograms", async ({ monitored }) => {
    const { present, scrape } = await monitored();
    present("pool-in", ANNA);
    present("pool-in", STRANGER);
    await settle();

    const m = await scrape();
    const decisions = m.get("accessgw_decision_duration_seconds");
    expect(decisions?.type).toBe("HISTOGRAM");
    expect(decisions?.metrics[0]).toMatchObject({ count: "2", sum: "0.004" });
    expect(decisions?.metrics[0]?.buckets).toMatchObject({ "0.001": "0", "0.002": "2" });
    // Only the grant signals a door: read at 2 ms, relay commanded at 6 ms.
    const relay = m.get("accessgw_card_to_relay_seconds");
    expect(relay?.metrics[0]).toMatchObject({ count: "1", sum: "0.004" });
    expect(relay?.metrics[0]?.buckets).toMatchObject({ "0.0025": "0", "0.005": "1" });
  });

  it("counts a relay that failed the grant's pulse", async ({ monitored }) => {
    const { present, relays, scrape } = await monitored();
    const board = relays.get("board");
    if (board) board.down = true;
    present("pool-in", ANNA);
    await settle();

    const m = await scrape();
    expect(sampleValue(m, "accessgw_relay_failures_total", { relay: "board" })).toBe(1);
    expect(sampleValue(m, "accessgw_decisions_total", { decision: "grant", reason: "ok" })).toBe(1);
  });

  it("reports reader reads and rejects by reason from the reader's driver", async ({ monitored }) => {
    const { readers, scrape } = await monitored();
    const reader = readers.get("pool-in");
    if (reader)
      reader.counters = () => ({
        cards: 7,
        rejected: { bad_parity: 2, too_long: 1 },
        bytes: 90,
        reconnects: 0,
      });

    const m = await scrape();
    expect(sampleValue(m, "accessgw_reader_reads_total", { reader: "pool-in" })).toBe(7);
    expect(sampleValue(m, "accessgw_reader_rejects_total", { reader: "pool-in", reason: "bad_parity" })).toBe(
      2,
    );
    expect(sampleValue(m, "accessgw_reader_rejects_total", { reader: "pool-in", reason: "too_long" })).toBe(
      1,
    );
    expect(sampleValue(m, "accessgw_reader_connected", { reader: "pool-in" })).toBe(1);
  });

  it("shows each input's level, each door's mode and its alarms as one series per state", async ({
    monitored,
  }) => {
    const { gateway, scrape } = await monitored();
    const m = await scrape();
    // doorConfig's inputs are fakes outside the inputs feature: one as status would show it.
    const input = (level: StatusInput["level"]): StatusInput => ({
      id: "pass-a",
      driver: "mqtt-json",
      state: "open",
      since: null,
      level,
      levelSince: null,
      reason: null,
      downSince: null,
      counters: null,
    });
    const withInput = new GatewayMetrics({
      status: () => ({ ...gateway.status(), inputs: [input("inactive")] }),
      outboxDepth: () => 0,
      storeFiles: () => [],
      clock: () => MONDAY_10,
    });
    const inputs = parseScrape(await withInput.scrape());
    expect(sampleValue(inputs, "accessgw_input_level", { input: "pass-a", level: "inactive" })).toBe(1);
    expect(sampleValue(inputs, "accessgw_input_level", { input: "pass-a", level: "active" })).toBe(0);
    expect(sampleValue(inputs, "accessgw_input_level", { input: "pass-a", level: "unknown" })).toBe(0);
    expect(sampleValue(m, "accessgw_door_mode", { door: "pool-gate", mode: "normal" })).toBe(1);
    expect(sampleValue(m, "accessgw_door_mode", { door: "pool-gate", mode: "locked" })).toBe(0);
    expect(sampleValue(m, "accessgw_door_alarm_raised", { door: "pool-gate", alarm: "forced" })).toBe(0);
    expect(sampleValue(m, "accessgw_gateway_running")).toBe(1);
  });

  it("reports the store's size, the event-loop lag, and HELP and a unit-named TYPE for every family", async ({
    monitored,
  }) => {
    const { scrape } = await monitored();
    const m = await scrape();
    expect(sampleValue(m, "accessgw_store_size_bytes", { file: "accessgw.db" })).toBeGreaterThan(0);
    expect(m.has("nodejs_eventloop_lag_seconds")).toBe(true);
    expect(m.get("accessgw_decisions_total")?.type).toBe("COUNTER");
    for (const [name, family] of m) if (name.startsWith("accessgw_")) expect(family.help, name).not.toBe("");
    // Without sync: no sync series (absent, rather than a link that looks down).
    expect(m.get("accessgw_sync_connected")?.metrics ?? []).toEqual([]);
  });
});
