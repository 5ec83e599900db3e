/**
 * `accessgw central` as the real built binary: bad flags and bad files are refused with exit 2 and
 * the problem named; a running central publishes the config, answers a hello on a real Mosquitto,
 * and stops with exit 0 on SIGTERM.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, vi } from "vitest";
import { ConfigMessage, SyncMessage } from "../../config/protocol/payloads.js";
import { it } from "../harness/index.js";
import { accessgw, BIN, EXAMPLES, ROOT } from "./accessgw.js";

const SITE_FILE = join(EXAMPLES, "site.yaml");
const MEMBERS_FILE = join(EXAMPLES, "members.yaml");

describe("accessgw central", () => {
  it("refuses bad flags with exit 2, naming each problem", async () => {
    const r = await accessgw(["central", "--site-config", SITE_FILE, "--part-members", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("accessgw central: --site S is required");
    expect(r.stderr).toContain("accessgw central: --broker URL is required");
    expect(r.stderr).toContain(
      'accessgw central: --part-members must be a whole number from 1 to 1000000 (found "0")',
    );
    expect(r.stdout).toBe("");
  });

  it("never takes a password on the command line", async () => {
    const r = await accessgw([
      "central",
      "--site",
      "rome-center",
      "--site-config",
      SITE_FILE,
      "--broker",
      "mqtt://central:hunter2@127.0.0.1:1883",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("credentials are never taken from the command line");
    expect(r.stderr).not.toContain("hunter2");
  });

  it("refuses a bad members file with exit 2, naming file and field, and connects to nothing", async ({
    folder: { dir, data },
    broker,
  }) => {
    const members = join(dir, "members.yaml");
    writeFileSync(
      members,
      "members:\n  - id: m-1\n    multipacks: [{ id: mp-1, product: pool-11, purchasedAt: 2027-03-01T10:00:00Z }]\n",
    );
    const r = await accessgw([
      "central",
      "--site",
      "rome-center",
      "--site-config",
      SITE_FILE,
      "--members",
      members,
      "--broker",
      broker.url,
      "--data",
      data,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${members}: members[0] (m-1).multipacks[0] (mp-1).product: unknown product "pool-11"`,
    );
    expect(r.stderr).toContain("1 problem found, the central did not start");
  });

  it("publishes the config, answers a hello with a snapshot and acks, and exits 0 on SIGTERM", async ({
    folder: { data },
    broker,
    mqttClient,
  }) => {
    const prefix = "e2e/v1";
    const child = spawn(
      process.execPath,
      [
        BIN,
        "central",
        "--site",
        "rome-center",
        "--site-config",
        SITE_FILE,
        "--members",
        MEMBERS_FILE,
        "--broker",
        broker.url,
        "--data",
        data,
        "--topic-prefix",
        prefix,
        "--json",
        "--log-format",
        "json",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await vi.waitFor(() => expect(stdout).toContain('"ready":true'), { timeout: 10_000, interval: 50 });
      expect(JSON.parse(stdout.split("\n")[0] as string)).toMatchObject({
        ready: true,
        siteId: "rome-center",
        configRev: 1,
        siteRev: 1,
        members: 4,
        topicPrefix: prefix,
      });
      await vi.waitFor(() => expect(stderr).toContain('"msg":"mqtt connected"'), { timeout: 10_000 });

      const gw = await mqttClient();
      const got: { topic: string; payload: unknown }[] = [];
      gw.on("message", (topic, payload) =>
        got.push({ topic, payload: JSON.parse(payload.toString("utf8")) }),
      );
      await gw.subscribeAsync([`${prefix}/sites/rome-center/config`, `${prefix}/gateways/gw-e2e/#`], {
        qos: 1,
      });
      await vi.waitFor(() => expect(got.some((m) => m.topic.endsWith("/config"))).toBe(true), {
        timeout: 10_000,
      });
      expect(ConfigMessage.parse(got.find((m) => m.topic.endsWith("/config"))?.payload).rev).toBe(1);
      const hello = {
        gatewayId: "gw-e2e",
        siteId: "rome-center",
        lastRev: 0,
        configRev: 1,
        version: "1.0.0",
        outbox: { firstSeq: null, lastSeq: null },
      };
      await gw.publishAsync(`${prefix}/gateways/gw-e2e/hello`, JSON.stringify(hello), { qos: 1 });
      await vi.waitFor(() => expect(got.some((m) => m.topic.endsWith("/acks"))).toBe(true), {
        timeout: 10_000,
      });
      const parts = got.filter((m) => m.topic.endsWith("/sync")).map((m) => SyncMessage.parse(m.payload));
      expect(parts).toHaveLength(1);
      expect(parts[0]).toMatchObject({ snapshot: true, fromRev: 0, toRev: 1, part: 1, parts: 1 });
      expect(parts[0]?.members.map((m) => m.id)).toEqual(["m-anna", "m-bruno", "m-carla", "m-dario"]);
      expect(got.find((m) => m.topic.endsWith("/acks"))?.payload).toEqual({ upTo: 0, lastSeq: 0 });
      expect(stderr).toContain('"msg":"hello answered"');
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const last = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(last).toMatchObject({ stopped: true, signal: "SIGTERM", counters: { hellos: 1, snapshots: 1 } });
  });
});
