/**
 * Issue 13 §2 keyset: `accessgw osdp keyset --reader R` against the simulator's PD on a socat pty
 * (the real `serialport`): the key file is written 0600 only once the PD ACKs, a new handshake with
 * the new key then succeeds, a PD that refuses leaves the old file as it was, and the command's
 * errors name what is wrong.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type GatewayStatus, toStatusDocument } from "../../config/statusDocument.js";
import { readKeyFile } from "../../drivers/osdp/keyFile.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import { main } from "../../gateway/cli.js";
import type { Io } from "../../gateway/cliVerbs.js";
import { StatusSocket } from "../../gateway/statusSocket.js";
import { test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";
import { TestCp } from "./testCp.js";

const OLD_KEY = "000102030405060708090a0b0c0d0e0f";

/** A folder with a gateway.yaml (an osdp reader on the simulated bus, and others) and the command line. */
const it = test.extend("site", ({ folder, simulator, defer }) => async (pds = "      - { address: 1 }\n") => {
  requireSocat();
  const bus = join(folder.dir, "osdp-bus");
  const keyFile = join(folder.dir, "keys", "pool-in.scbk");
  const config = join(folder.dir, "gateway.yaml");
  writeFileSync(
    config,
    [
      "readers:",
      `  - { id: pool-in, area: pool, direction: in, driver: osdp, port: ${bus}, address: 1, scbkFile: keys/pool-in.scbk }`,
      `  - { id: gym-in, area: gym, direction: in, driver: osdp, port: ${bus}, address: 2 }`,
      "  - { id: desk, area: pool, direction: in, driver: serial-line, port: /dev/ttyUSB0 }",
      "relays: []",
      "",
    ].join("\n"),
  );
  const sim = await simulator(
    `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${bus} }\n    pds:\n${pds}`,
  );
  /** Runs `accessgw osdp keyset …` in this process; what it printed and its exit code. */
  const keyset = async (...flags: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), env: {} };
    const code = await main(["osdp", "keyset", "--config", config, "--data", folder.dir, ...flags], io);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  /** A test CP on the bus once the command has let go of it: does the PD take this key? */
  const handshake = async (key: Uint8Array | null) => {
    const port = await openSerialTransport(bus, bus, 9600);
    defer(() => port.close());
    try {
      return await new TestCp(port).secure(1, key);
    } finally {
      await port.close();
    }
  };
  return { sim, keyFile, keyset, handshake, folder: folder.dir };
});

describe("accessgw osdp keyset (issue 13 §2)", () => {
  it("sets a key on a PD in install mode, stores it 0600, and changes it again on the current key", async ({
    site,
  }) => {
    const { keyFile, keyset, handshake } = await site();
    const first = await keyset("--reader", "pool-in");
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(first.out).toContain("reader pool-in: PD 1 took a new key (it was in install mode)");
    expect(first.out).toContain(keyFile);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readKeyFile(keyFile);
    // The key is never printed.
    expect(first.out).not.toContain(Buffer.from(key).toString("hex"));
    expect(await handshake(key)).toEqual({ ok: true });
    expect(await handshake(null)).toEqual({ ok: false, why: "NAK security_conditions" });

    const second = await keyset("--reader", "pool-in", "--json");
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toEqual({
      reader: "pool-in",
      address: 1,
      file: keyFile,
      via: "current-key",
    });
    const newer = readKeyFile(keyFile);
    expect(newer).not.toEqual(key);
    expect(await handshake(newer)).toEqual({ ok: true });
    expect(await handshake(key)).toEqual({ ok: false, why: "SC_CRYPTOGRAM_MISMATCH" });
    expect(readdirSync(join(keyFile, ".."))).toEqual(["pool-in.scbk"]);
  });

  it("gives a key to a reader reset to install mode though the key file still holds its old key", async ({
    site,
  }) => {
    const { keyFile, keyset, handshake } = await site();
    mkdirSync(join(keyFile, ".."), { mode: 0o700 });
    writeFileSync(keyFile, `${OLD_KEY}\n`, { mode: 0o600 });
    const result = await keyset("--reader", "pool-in", "--json");
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ reader: "pool-in", via: "install" });
    const key = readKeyFile(keyFile);
    expect(Buffer.from(key).toString("hex")).not.toBe(OLD_KEY);
    expect(await handshake(key)).toEqual({ ok: true });
  });

  it("leaves the old key file as it was when the PD NAKs KEYSET", async ({ site, folder }) => {
    const pdKeys = join(folder.dir, "pd-keys");
    mkdirSync(pdKeys);
    writeFileSync(join(pdKeys, "pd1.scbk"), `${OLD_KEY}\n`, { mode: 0o600 });
    const { keyFile, keyset, handshake } = await site(
      `      - { address: 1, scbkFile: ${pdKeys}/pd1.scbk }\n`,
    );
    mkdirSync(join(keyFile, ".."), { mode: 0o700 });
    writeFileSync(keyFile, `${OLD_KEY}\n`, { mode: 0o600 });
    // The PD cannot store a new key (its folder is gone, a file in its place): it NAKs KEYSET.
    rmSync(pdKeys, { recursive: true });
    writeFileSync(pdKeys, "");
    const result = await keyset("--reader", "pool-in");
    expect(result.code).toBe(1);
    expect(result.err).toContain("reader pool-in: the PD refused KEYSET");
    expect(result.err).toContain(`${keyFile} is unchanged`);
    expect(readFileSync(keyFile, "utf8")).toBe(`${OLD_KEY}\n`);
    expect(readdirSync(join(keyFile, ".."))).toEqual(["pool-in.scbk"]);
    expect(await handshake(readKeyFile(keyFile))).toEqual({ ok: true });
  });

  it("refuses a PD that is neither in install mode nor on the key of the file, which stays as it was", async ({
    site,
  }) => {
    const { keyFile, keyset } = await site(
      "      - { address: 1, scbk: ffeeddccbbaa99887766554433221100 }\n",
    );
    mkdirSync(join(keyFile, ".."), { mode: 0o700 });
    writeFileSync(keyFile, `${OLD_KEY}\n`, { mode: 0o600 });
    const result = await keyset("--reader", "pool-in");
    expect(result.code).toBe(1);
    expect(result.err).toContain("PD 1 did not set up the secure channel");
    expect(result.err).toContain("put it in install mode");
    expect(readFileSync(keyFile, "utf8")).toBe(`${OLD_KEY}\n`);
    expect(readdirSync(join(keyFile, ".."))).toEqual(["pool-in.scbk"]);
  });

  it("refuses an unknown reader, a reader that is not osdp, and one without scbkFile (exit 2)", async ({
    site,
  }) => {
    const { keyset } = await site();
    const unknown = await keyset("--reader", "spa-in");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown reader "spa-in" (the config has: pool-in, gym-in, desk)');
    const serial = await keyset("--reader", "desk");
    expect(serial.code).toBe(2);
    expect(serial.err).toContain(
      'reader "desk" is a serial-line reader; keyset sets the key of an osdp reader',
    );
    const noFile = await keyset("--reader", "gym-in");
    expect(noFile.code).toBe(2);
    expect(noFile.err).toContain('reader "gym-in" has no scbkFile: add one to its entry');
    const noReader = await keyset();
    expect(noReader.code).toBe(2);
    expect(noReader.err).toContain("osdp keyset needs --reader ID");
  });

  it("refuses while a daemon runs on the data folder (it holds the port), and sends nothing", async ({
    site,
    defer,
  }) => {
    const { keyFile, keyset, sim, folder } = await site();
    const running: GatewayStatus = {
      state: "running",
      doors: [],
      readers: [],
      relays: [],
      inputs: [],
      mqtt: null,
      sync: null,
      totals: { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 },
      problems: [],
    };
    const now = Date.parse("2026-12-06T07:00:00Z");
    const daemon = new StatusSocket({
      dataDir: folder,
      mode: 0o600,
      // Another process's pid: the daemon is not this test.
      snapshot: () =>
        toStatusDocument(running, {
          gatewayId: "gw-1",
          pid: 1,
          state: "running",
          startedAt: now,
          now,
          config: "gateway.yaml",
          dataDir: folder,
          zone: "UTC",
        }),
      logger: silentLogger(),
    });
    await daemon.start();
    defer(() => daemon.stop());
    const result = await keyset("--reader", "pool-in");
    expect(result.code).toBe(1);
    expect(result.err).toContain(`the daemon is running on ${folder}`);
    expect(result.err).toContain("stop it (systemctl stop accessgw), run keyset, then start it again");
    expect(() => statSync(keyFile)).toThrow(/ENOENT/);
    expect(sim.pd("bus", 1).secureState).toBe("clear");
  });
});
