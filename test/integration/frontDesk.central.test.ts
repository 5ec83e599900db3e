/**
 * doors.md D5 from the central, against a real Mosquitto: the reference central's `command` sends
 * to a running gateway (in-process, its front desk a recording fake), which carries a command out
 * once per id, refuses a stale one, and answers every one on command-results.
 */
import { describe, expect, vi } from "vitest";
import { main as centralMain } from "../../central/cli.js";
import { GatewayConfig } from "../../config/gateway.js";
import type { CommandEvent } from "../../config/protocol/events.js";
import { listAllEvents } from "../../gateway/store/events.js";
import { test } from "../harness/index.js";
import { FAST_BACKOFF } from "../harness/sync.js";
import { recordingFrontDesk } from "../helpers/frontDesk.js";
import { memoryLogger, silentLogger } from "../helpers/logs.js";

const P = "accessgw/v1";
const G = "gw-fd";

/** A gateway syncing over the file's broker with a recording front desk, once it said hello. */
const it = test.extend("synced", async ({ broker, exampleStore, gateway, watcher }) => {
  const hellos = await watcher(`${P}/gateways/${G}/hello`, { qos: 1 });
  const results = await watcher(`${P}/gateways/${G}/command-results`, { qos: 1 });
  const desk = recordingFrontDesk();
  const running = await gateway({
    config: GatewayConfig.parse({
      gateway: { id: G, site: "rome-center" },
      mqtt: { url: broker.url },
      sync: { enabled: true },
    }),
    store: exampleStore,
    gatewayId: G,
    frontDesk: desk.actions,
    backoff: FAST_BACKOFF,
  });
  await vi.waitFor(() => expect(hellos.seen).toHaveLength(1), { timeout: 10_000 });
  /** Runs `accessgw central command ARGV --broker … --gateway G`. */
  const central = async (...argv: string[]) => {
    let out = "";
    let err = "";
    const code = await centralMain(["command", ...argv, "--broker", broker.url, "--gateway", G], {
      out: (s) => {
        out += `${s}\n`;
      },
      err: (s) => {
        err += `${s}\n`;
      },
      env: {},
      onSignal: () => () => {},
      stderrIsTty: false,
      logger: silentLogger(),
    });
    return { code, out, err };
  };
  const events = () => listAllEvents(exampleStore, { kind: "command" }) as CommandEvent[];
  return { desk, running, hellos, results, central, events };
});

const OPEN = [
  "--verb",
  "open",
  "--args",
  '{"door": "pool-gate"}',
  "--operator",
  "anna",
  "--reason",
  "delivery",
];

describe("D5: commands from the central over a real broker", () => {
  it("announces the commands feature in the hello", async ({ synced }) => {
    expect(JSON.parse(synced.hellos.seen[0]?.payload ?? "{}")).toMatchObject({
      features: expect.arrayContaining(["commands"]),
    });
  });

  it("carries a command out once and shows its result; the same id again is answered, not done again", async ({
    synced,
  }) => {
    const first = await synced.central(...OPEN, "--id", "c-once");
    expect(first).toEqual({
      code: 0,
      out: `gateway ${G}: open {"door":"pool-gate"} (id c-once): done (event gw-1:101)\n`,
      err: "",
    });
    const again = await synced.central(...OPEN, "--id", "c-once", "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toEqual({ id: "c-once", ok: true, error: null, eventId: "gw-1:101" });
    expect(synced.desk.calls).toHaveLength(1);
    expect(synced.events()).toMatchObject([
      {
        commandId: "c-once",
        verb: "open",
        operator: "anna",
        reason: "delivery",
        origin: "central",
        ok: true,
      },
    ]);
    // Both results went out on the topic, QoS 1.
    expect(synced.results.on(`${P}/gateways/${G}/command-results`)).toHaveLength(2);
  });

  it("refuses a command older than 60 s on arrival as stale, and answers it", async ({
    synced,
    mqttClient,
  }) => {
    const client = await mqttClient();
    const stale = {
      id: "c-stale",
      at: new Date(Date.now() - 61_000).toISOString(),
      verb: "door",
      args: { door: "pool-gate", mode: "unlocked" },
      operator: "anna",
      reason: "queued while the gateway was away",
    };
    await client.publishAsync(`${P}/gateways/${G}/commands`, JSON.stringify(stale), { qos: 1 });
    await vi.waitFor(() => expect(synced.results.seen).toHaveLength(1), { timeout: 10_000 });
    expect(JSON.parse(synced.results.seen[0]?.payload ?? "{}")).toEqual({
      id: "c-stale",
      ok: false,
      error: "stale",
      eventId: null,
    });
    expect(synced.desk.calls).toHaveLength(0);
    expect(synced.events()).toMatchObject([
      { commandId: "c-stale", ok: false, error: "stale", origin: "central" },
    ]);
  });

  it("answers a bad command that has an id with why, drops one without, and counts both", async ({
    synced,
    mqttClient,
  }) => {
    const client = await mqttClient();
    const topic = `${P}/gateways/${G}/commands`;
    await client.publishAsync(topic, '{"verb": "open"}', { qos: 1 });
    await client.publishAsync(topic, '{"id": "c-bad", "verb": "open"}', { qos: 1 });
    await vi.waitFor(() => expect(synced.results.seen).toHaveLength(1), { timeout: 10_000 });
    const result = JSON.parse(synced.results.seen[0]?.payload ?? "{}");
    expect(result).toMatchObject({ id: "c-bad", ok: false, eventId: null });
    expect(result.error).toMatch(/^invalid: /);
    expect(synced.running.status().sync?.counters.badPayloads).toBe(2);
    expect(synced.desk.calls).toHaveLength(0);
  });

  it("the running reference central logs each result it sees", async ({ synced, central }) => {
    const log = memoryLogger();
    await central(P, { logger: log.logger }).start();
    expect((await synced.central(...OPEN, "--id", "c-logged")).code).toBe(0);
    await vi.waitFor(() =>
      expect(log.at("info").find((l) => l.msg === "command done")).toMatchObject({
        gatewayId: G,
        id: "c-logged",
        ok: true,
        error: null,
        eventId: "gw-1:101",
      }),
    );
  });

  it("refuses bad flags with exit 2 before anything is sent", async ({ synced }) => {
    const r = await synced.central(
      "--verb",
      "open",
      "--args",
      "{door}",
      "--operator",
      "anna",
      "--reason",
      "x",
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--args is not JSON/);
    const noOperator = await synced.central(
      "--verb",
      "open",
      "--args",
      '{"door":"pool-gate"}',
      "--reason",
      "x",
    );
    expect(noOperator.err).toMatch(/the command: operator: /);
    expect(synced.results.seen).toHaveLength(0);
  });
});
