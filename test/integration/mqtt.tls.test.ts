/**
 * The shared connection and the sync link against a Mosquitto this file starts itself: a TLS
 * listener that requires a client certificate (certificates made with openssl), a plain listener
 * that requires a password, and a WebSocket listener (sync.md: mqtt://, mqtts://, ws://).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqttjs from "mqtt";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { MqttConnection } from "../../drivers/mqtt/connection.js";
import type { MqttMessage } from "../../drivers/mqtt/mqttTypes.js";
import { freePort, waitForPort } from "../../firmware-sim/mosquitto.js";
import { SyncClient } from "../../gateway/sync/client.js";
import { realScheduler } from "../../runtime/scheduler.js";
import { type Defer, test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { reaches } from "../helpers/mqttHealth.js";
import type { TestStore } from "../store/storeHelpers.js";

/** A connection as gw-tls to one of this file's listeners, stopped after the test. */
function connection(
  defer: Defer,
  config: ConstructorParameters<typeof MqttConnection>[0]["config"],
): MqttConnection {
  const c = new MqttConnection({
    logger: silentLogger(),
    config,
    gatewayId: "gw-tls",
    backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
  });
  defer(() => c.stop());
  return c;
}

/** Runs openssl; throws with its output when it fails. */
function openssl(dir: string, args: string[]): void {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, in a fresh folder. */
function makeCertificates(dir: string): void {
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=accessgw-test-ca",
  ]);
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
  for (const name of ["server", "client"]) {
    openssl(dir, [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    ]);
    const ext = name === "server" ? ["-extfile", "server.ext"] : [];
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      ...ext,
    ]);
  }
}

/** This file's Mosquitto (started in beforeAll): its folder, process and listeners. */
let dir: string;
let child: ChildProcess;
let url: string;
let passwordUrl: string;
let wsUrl: string;

/** A sync client with an empty cache on `mqtt`; resolves with its hello as the broker saw it. */
async function hello(
  defer: Defer,
  t: TestStore,
  mqtt: Record<string, unknown>,
  env: Record<string, string>,
  watchUrl: string,
) {
  const watcher = await mqttjs.connectAsync(watchUrl, {
    reconnectPeriod: 0,
    ...(watchUrl.startsWith("mqtts")
      ? {
          ca: readFileSync(join(dir, "ca.crt")),
          cert: readFileSync(join(dir, "client.crt")),
          key: readFileSync(join(dir, "client.key")),
        }
      : { username: "gw", password: "s3cret" }),
  });
  defer(() => watcher.endAsync());
  const said = new Promise<string>((resolve) => watcher.on("message", (_t, p) => resolve(p.toString())));
  await watcher.subscribeAsync("accessgw/v1/gateways/gw-secure/hello", { qos: 1 });
  const client = new SyncClient({
    store: t.store,
    config: GatewayConfig.parse({
      gateway: { id: "gw-secure", site: "rome-center" },
      mqtt,
      sync: { enabled: true },
    }),
    gatewayId: "gw-secure",
    version: "1.0.0-test",
    clock: Date.now,
    scheduler: realScheduler,
    logger: silentLogger(),
    env,
    backoff: { baseMs: 50, factor: 2, capMs: 200, jitter: "none" },
  });
  defer(() => client.stop());
  client.start();
  return JSON.parse(await said) as { gatewayId: string; lastRev: number };
}

const it = test
  .extend(
    "connection",
    ({ defer }) =>
      (config: ConstructorParameters<typeof MqttConnection>[0]["config"]) =>
        connection(defer, config),
  )
  .extend(
    "hello",
    ({ defer, store }) =>
      (mqtt: Record<string, unknown>, env: Record<string, string>, watchUrl: string) =>
        hello(defer, store, mqtt, env, watchUrl),
  );

describe("MqttConnection against a Mosquitto with a TLS listener (client certificate) and a password listener", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "accessgw-mqtts-"));
    makeCertificates(dir);
    // Mosquitto started as root reads its TLS files after dropping to its own user: throwaway test
    // keys, so they may be world-readable.
    chmodSync(dir, 0o755);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
    const port = await freePort();
    const passwordPort = await freePort();
    const wsPort = await freePort();
    url = `mqtts://127.0.0.1:${port}`;
    passwordUrl = `mqtt://127.0.0.1:${passwordPort}`;
    wsUrl = `ws://127.0.0.1:${wsPort}`;
    writeFileSync(join(dir, "passwords"), "");
    const passwd = spawnSync("mosquitto_passwd", ["-b", join(dir, "passwords"), "gw", "s3cret"], {
      encoding: "utf8",
    });
    if (passwd.status !== 0) throw new Error(`mosquitto_passwd failed: ${passwd.stderr}`);
    writeFileSync(
      join(dir, "mosquitto.conf"),
      [
        "per_listener_settings true",
        `listener ${passwordPort} 127.0.0.1`,
        "allow_anonymous false",
        `password_file ${join(dir, "passwords")}`,
        `listener ${port} 127.0.0.1`,
        `cafile ${join(dir, "ca.crt")}`,
        `certfile ${join(dir, "server.crt")}`,
        `keyfile ${join(dir, "server.key")}`,
        "require_certificate true",
        "allow_anonymous true",
        `listener ${wsPort} 127.0.0.1`,
        "protocol websockets",
        "allow_anonymous true",
        "persistence false",
        "",
      ].join("\n"),
    );
    const binary = ["mosquitto", "/usr/sbin/mosquitto"].find((b) => spawnSync(b, ["-h"]).error === undefined);
    if (binary === undefined)
      throw new Error("the TLS tests need the mosquitto binary (apt-get install -y mosquitto)");
    child = spawn(binary, ["-c", join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    let said = "";
    child.stderr?.on("data", (b: Buffer) => {
      said += b.toString();
    });
    const alive = () => child.exitCode === null;
    await Promise.all([port, passwordPort, wsPort].map((p) => waitForPort(p, 5000, alive))).catch(
      (err: Error) => {
        throw new Error(`${err.message}; mosquitto said: ${said}`);
      },
    );
  });
  afterAll(() => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("connects with the CA, client certificate and key read from disk, and publishes", async ({
    connection,
  }) => {
    const c = connection({
      url,
      ca: join(dir, "ca.crt"),
      cert: join(dir, "client.crt"),
      key: join(dir, "client.key"),
    });
    c.start();
    await reaches(c, "open");
    const got = new Promise<MqttMessage>((resolve) => c.subscribe("tls/echo", resolve));
    await c.whenSubscribed();
    await c.publish("tls/echo", "over tls", { qos: 1 });
    expect((await got).payload.toString()).toBe("over tls");
  });

  it("logs in with the configured username and password", async ({ connection }) => {
    const c = connection({ url: passwordUrl, username: "gw", password: "s3cret" });
    c.start();
    await reaches(c, "open");
    await c.publish("auth/ok", "1", { qos: 1 });
  });

  it("keeps waiting and says why when the password is wrong", async ({ connection }) => {
    const c = connection({ url: passwordUrl, username: "gw", password: "wrong" });
    c.start();
    const waiting = await reaches(c, "waiting");
    expect(waiting.lastError?.message).toMatch(/not authori[sz]ed/i);
  });

  it("keeps waiting and says why when a TLS file is missing", async ({ connection }) => {
    const c = connection({ url, ca: join(dir, "missing-ca.crt") });
    c.start();
    const waiting = await reaches(c, "waiting");
    expect(waiting.lastError?.message).toContain("missing-ca.crt");
  });

  it("keeps waiting and says why when the broker's certificate is not trusted", async ({ connection }) => {
    const c = connection({ url, cert: join(dir, "client.crt"), key: join(dir, "client.key") });
    c.start();
    const waiting = await reaches(c, "waiting");
    expect(waiting.lastError?.message).toMatch(/certificate/i);
  });

  it("connects over WebSockets (ws://)", async ({ connection }) => {
    const c = connection({ url: wsUrl });
    c.start();
    await reaches(c, "open");
    const got = new Promise<MqttMessage>((resolve) => c.subscribe("ws/echo", resolve));
    await c.whenSubscribed();
    await c.publish("ws/echo", "over websockets", { qos: 1 });
    expect((await got).payload.toString()).toBe("over websockets");
  });

  describe("the sync link", () => {
    it("says hello over mqtts:// with the CA, certificate and key files of the config", async ({ hello }) => {
      const h = await hello(
        { url, ca: join(dir, "ca.crt"), cert: join(dir, "client.crt"), key: join(dir, "client.key") },
        {},
        url,
      );
      expect(h).toMatchObject({ gatewayId: "gw-secure", lastRev: 0 });
    });

    it("logs in with ACCESSGW_MQTT_USERNAME / ACCESSGW_MQTT_PASSWORD when the config has none", async ({
      hello,
    }) => {
      const h = await hello(
        { url: passwordUrl },
        { ACCESSGW_MQTT_USERNAME: "gw", ACCESSGW_MQTT_PASSWORD: "s3cret" },
        passwordUrl,
      );
      expect(h.gatewayId).toBe("gw-secure");
    });
  });
});
