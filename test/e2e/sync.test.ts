/**
 * Central sync end to end with the real binaries on a real Mosquitto (issue 4):
 * - a daemon started on an empty data folder denies every card `unknown_card` until the central's
 *   snapshot has come, then decides with it, and the central acks both events;
 * - a daemon killed (SIGKILL) while it publishes its outbox loses nothing and counts nothing twice
 *   at the central once it is started again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, vi } from "vitest";
import { isDecision } from "../../config/protocol/events.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { memberBalance, scan } from "../../gateway/decisions.js";
import { DB_FILE, Store } from "../../gateway/store/db.js";
import { listEvents } from "../../gateway/store/events.js";
import { outboxDepth } from "../../gateway/store/outbox.js";
import { it } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { exampleText } from "../helpers/examples.js";
import type { TestBroker } from "../helpers/mosquitto.js";
import { importInputs, scanReq } from "../store/storeHelpers.js";
import { accessgw, BIN, EXAMPLES, jsonLines, ROOT } from "./accessgw.js";

/** The outbox rows of a data folder, read beside the daemon that runs on it. */
function unackedAt(data: string): number {
  const db = new Database(join(data, DB_FILE), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const SITE = "rome-center";

/** A running child process with its output collected. */
function run(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    out.stdout += s;
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    out.stderr += s;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exited };
}

/** A gateway configuration with sync on (and maybe one serial-line reader), written to `dir`. */
function gatewayYaml(broker: TestBroker, dir: string, id: string, prefix: string, reader?: string): string {
  const file = join(dir, `${id}.yaml`);
  const readers = reader
    ? `readers:\n  - { id: pool-in, area: pool, direction: in, driver: serial-line, port: "${reader}", debounceMs: 0 }\n`
    : "";
  writeFileSync(
    file,
    `gateway: { id: ${id}, site: ${SITE}, data: ./data-${id} }\nlog: { level: info }\n${readers}` +
      `mqtt: { url: "${broker.url}" }\nsync: { enabled: true, topicPrefix: "${prefix}", ackTimeoutMs: 500 }\n`,
  );
  return file;
}

describe("central sync end to end", () => {
  it("starts on an empty cache, denies unknown_card until the snapshot, then decides with it", async ({
    folder: { dir },
    broker,
    serialServer,
    mqttClient,
  }) => {
    const prefix = "e2e-first/v1";
    const line = await serialServer();
    const reader = new SimSerialLineReader({ link: line, lineEnding: "CR" });
    reader.start();
    const watcher = await mqttClient();
    const acks: number[] = [];
    watcher.on("message", (_t, p) => acks.push((JSON.parse(p.toString()) as { upTo: number }).upTo));
    await watcher.subscribeAsync(`${prefix}/gateways/gw-first/acks`, { qos: 1 });
    const config = gatewayYaml(broker, dir, "gw-first", prefix, line.target);
    const daemon = run(["start", "--config", config, "--log-format", "json"]);
    let central: ReturnType<typeof run> | undefined;
    try {
      await vi.waitFor(() => expect(daemon.out.stderr).toContain('"msg":"sync: hello sent"'), {
        timeout: 10_000,
      });
      await vi
        .waitFor(
          () => expect(daemon.out.stderr).toMatch(/"readerId":"pool-in".*"state":"open"|reader open/),
          {
            timeout: 10_000,
          },
        )
        .catch(() => undefined);
      // No central yet: the cache is empty, Anna is unknown.
      reader.present("1234567");
      await vi.waitFor(() => expect(daemon.out.stderr).toContain("unknown_card"), { timeout: 10_000 });

      central = run(
        [
          "central",
          ...["--site", SITE, "--site-config", join(EXAMPLES, "site.yaml")],
          ...["--members", join(EXAMPLES, "members.yaml"), "--broker", broker.url],
          ...["--data", join(dir, "central"), "--topic-prefix", prefix, "--log-format", "json"],
        ],
        {},
      );
      // The central started after the gateway's hello: the gateway says hello again when its
      // first event goes unacked, and gets the config and the members; the event is acked.
      await vi.waitFor(() => expect(acks.at(-1)).toBe(1), { timeout: 15_000 });
      await vi.waitFor(
        () => expect(daemon.out.stderr).toMatch(/"msg":"sync: (answer complete|in step with the central)"/),
        { timeout: 15_000 },
      );
      reader.present("1234567");
      await vi.waitFor(() => expect(acks.at(-1)).toBe(2), { timeout: 15_000 });
    } finally {
      daemon.child.kill("SIGTERM");
      central?.child.kill("SIGTERM");
      reader.stop();
    }
    expect((await daemon.exited).code).toBe(0);
    if (central) expect((await central.exited).code).toBe(0);
    const events = jsonLines<{ reason: string; memberId: string | null; decision: string }>(
      await accessgw(["events", "--json", "--data", join(dir, "data-gw-first")]),
    );
    // The first card met an empty cache; the second was looked up in the central's data (which
    // decision it gets depends on today's date against the worked example's 2027 packs).
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ decision: "deny", reason: "unknown_card", memberId: null });
    expect(events[1]?.memberId).toBe("m-anna");
    expect(events[1]?.reason).not.toBe("unknown_card");
  }, 40_000);

  it("loses nothing and counts nothing twice when the daemon is killed while publishing its outbox", async ({
    folder: { dir },
    broker,
    central: centralSite,
  }) => {
    const prefix = "e2e-kill/v1";
    const gw = "gw-kill";
    // 20,000 decisions recorded while the central was unreachable: Anna's swims until her pack
    // runs out, the rest cards nobody knows.
    const data = join(dir, `data-${gw}`);
    const total = 20_000;
    {
      const store = Store.open(data, { synchronous: "OFF" });
      importInputs(store, [
        { name: "site.yaml", text: exampleText("site.yaml") },
        { name: "members.yaml", text: exampleText("members.yaml") },
      ]);
      store.db.transaction(() => {
        const t0 = at("2027-03-22T07:00");
        for (let i = 0; i < total; i++) {
          const swim = i % 1000 === 0;
          const card = swim ? "1234567" : `88${i}`;
          scan(store, scanReq(card, "pool", swim && i % 2000 === 1000 ? "out" : "in"), t0 + i * 1000, gw);
        }
      })();
      expect(outboxDepth(store)).toBe(total);
      store.close();
    }
    const central = await centralSite(prefix, { watch: false }).start();
    const config = gatewayYaml(broker, dir, gw, prefix);
    // Killed as soon as the central has stored its first batch.
    const first = run(["start", "--config", config, "--log-format", "json"]);
    await vi.waitFor(() => expect(central.events(gw).length).toBeGreaterThan(0), {
      timeout: 20_000,
      interval: 2,
    });
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const atKill = central.events(gw).length;
    expect(atKill).toBeLessThan(total);

    const second = run(["start", "--config", config, "--log-format", "json"]);
    await vi.waitFor(() => expect(central.watermark(gw)).toBe(total), { timeout: 60_000, interval: 50 });
    // The central's last ack is on its way: the gateway forgets the last batch once it arrives.
    await vi.waitFor(() => expect(unackedAt(data)).toBe(0), { timeout: 10_000, interval: 50 });
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);

    const events = central.events(gw);
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const store = Store.open(data);
    try {
      expect(outboxDepth(store)).toBe(0);
      expect(listEvents(store)).toHaveLength(total);
      const remaining = memberBalance(store, { member: "m-anna" }, at("2027-03-23T09:00")).multipacks.find(
        (m) => m.multipackId === "mp-anna-swim",
      )?.creditsRemaining;
      // Her charged swims, each counted once at the central too.
      const charged = events.filter(isDecision).reduce((n, e) => n + e.creditsDeducted, 0);
      expect(charged).toBeGreaterThan(0);
      expect(remaining).toBe(10 - charged);
      expect(central.remaining("mp-anna-swim")).toBe(remaining);
    } finally {
      store.close();
    }
  }, 120_000);
});
