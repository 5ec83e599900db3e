/**
 * Issue 13 §1 comset: `accessgw osdp comset --reader R --address N [--baud B]` against the
 * simulator's PD on a socat pty (the real `serialport`), in install mode as a reader fresh from the
 * box: the PD answers at its new address afterwards, a new speed is what it records (a pty has
 * no speed to change), the configuration file is left as it was, and what the configuration
 * already rules out — an address taken, a speed change on a shared port — is refused unsent.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { readGatewayConfigFile } from "../../config/gatewayFile.js";
import { type GatewayStatus, toStatusDocument } from "../../config/statusDocument.js";
import { readKeyFile } from "../../drivers/osdp/keyFile.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import { main } from "../../gateway/cli.js";
import { runOsdp } from "../../gateway/cliOsdp.js";
import type { Io } from "../../gateway/cliVerbs.js";
import { StatusSocket } from "../../gateway/statusSocket.js";
import { test } from "../harness/index.js";
import { silentLogger } from "../helpers/logs.js";
import { requireSocat } from "../helpers/socat.js";
import { TestCp } from "./testCp.js";

/** Two osdp readers sharing the simulated bus (and a reader of another kind). */
const SHARED = (bus: string) => [
  `  - { id: pool-in, area: pool, direction: in, driver: osdp, port: ${bus}, address: 1, scbkFile: keys/pool-in.scbk }`,
  `  - { id: gym-in, area: gym, direction: in, driver: osdp, port: ${bus}, address: 2 }`,
  "  - { id: desk, area: pool, direction: in, driver: serial-line, port: /dev/ttyUSB0 }",
];
/** pool-in alone on its port. */
const ALONE = (bus: string) => [SHARED(bus)[0] as string];

/** A folder with a gateway.yaml and the simulated bus, and the command line. */
const it = test.extend(
  "site",
  ({ folder, simulator, defer }) =>
    async (readers = SHARED, pds = "      - { address: 1 }\n      - { address: 2 }\n") => {
      requireSocat();
      const bus = join(folder.dir, "osdp-bus");
      const config = join(folder.dir, "gateway.yaml");
      writeFileSync(config, ["readers:", ...readers(bus), "relays: []", ""].join("\n"));
      const sim = await simulator(
        `devices:\n  - id: bus\n    kind: osdp-bus\n    expose: { pty: ${bus} }\n    pds:\n${pds}`,
      );
      const run = async (
        call: (io: Io) => Promise<number>,
      ): Promise<{ code: number; out: string; err: string }> => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await call({ out: (t) => void out.push(t), err: (t) => void err.push(t), env: {} });
        return { code, out: out.join("\n"), err: err.join("\n") };
      };
      /** Runs `accessgw osdp comset …` in this process. */
      const comset = (...flags: string[]) =>
        run((io) => main(["osdp", "comset", "--config", config, "--data", folder.dir, ...flags], io));
      /** The same with a short wait for the PD (runOsdp's hook), for a PD that never answers. */
      const comsetQuickly = (flags: { reader: string; address: string }) =>
        run((io) =>
          runOsdp(["comset"], flags, {
            io,
            config: readGatewayConfigFile(config).config,
            dataDir: folder.dir,
            logger: silentLogger(),
            secureWithinMs: 1_500,
          }),
        );
      /** Runs `accessgw osdp keyset …` in this process. */
      const keyset = (...flags: string[]) =>
        run((io) => main(["osdp", "keyset", "--config", config, "--data", folder.dir, ...flags], io));
      /** A test CP on the bus once the command has let go of it: does a PD answer ID at `address`? */
      const answersAt = async (address: number) => {
        const port = await openSerialTransport(bus, bus, 9600);
        defer(() => port.close());
        try {
          const cp = new TestCp(port);
          cp.timeoutMs = 500;
          return (await cp.send(address, { kind: "id" })).reply?.kind === "pdid";
        } finally {
          await port.close();
        }
      };
      /** Does the PD at `address` take this key for a handshake? */
      const handshake = async (address: number, key: Uint8Array) => {
        const port = await openSerialTransport(bus, bus, 9600);
        defer(() => port.close());
        try {
          return await new TestCp(port).secure(address, key);
        } finally {
          await port.close();
        }
      };
      const keyFile = join(folder.dir, "keys", "pool-in.scbk");
      return {
        sim,
        config,
        text: readFileSync(config, "utf8"),
        comset,
        comsetQuickly,
        keyset,
        answersAt,
        handshake,
        keyFile,
      };
    },
);

describe("accessgw osdp comset (issue 13 §1)", () => {
  it("moves a PD to a free address, finds it there, prints the line to change and leaves the configuration as it was", async ({
    site,
  }) => {
    const { sim, config, text, comset, answersAt } = await site();
    const result = await comset("--reader", "pool-in", "--address", "7");
    expect(result, result.err).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe(
      [
        "reader pool-in: the PD at address 1 at 9600 baud now answers at address 7 at 9600 baud (checked there).",
        `${config} is unchanged: in reader pool-in's entry set`,
        "  address: 7",
        "then start the daemon again.",
      ].join("\n"),
    );
    expect(readFileSync(config, "utf8")).toBe(text);
    expect(sim.pd("bus", 7).baudRate).toBe(9600);
    expect(await answersAt(7)).toBe(true);
    expect(await answersAt(1)).toBe(false);
  });

  it("changes the speed of a PD alone on its port, which records it (a pty has no speed), checked at the new speed", async ({
    site,
  }) => {
    const { sim, comset, answersAt } = await site(ALONE, "      - { address: 1 }\n");
    const result = await comset("--reader", "pool-in", "--address", "3", "--baud", "19200", "--json");
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      reader: "pool-in",
      from: { address: 1, baudRate: 9600 },
      to: { address: 3, baudRate: 19200 },
      confirmed: true,
      change: { address: 3, baudRate: 19200 },
    });
    expect(sim.pd("bus", 3).baudRate).toBe(19200);
    expect(await answersAt(3)).toBe(true);
  });

  it("moves a PD that has its own key under the secure channel with the key of its file, and refuses a key file that cannot be used", async ({
    site,
  }) => {
    const { sim, comset, keyset, handshake, keyFile } = await site();
    expect((await keyset("--reader", "pool-in")).code).toBe(0);
    const key = readKeyFile(keyFile);
    const result = await comset("--reader", "pool-in", "--address", "4");
    expect(result.code, result.err).toBe(0);
    expect(sim.pd("bus", 4).hasKey).toBe(true);
    expect(await handshake(4, key)).toEqual({ ok: true });
    // The configuration refuses a key file others can read before comset runs (exit 2)…
    chmodSync(keyFile, 0o644);
    const exposed = await comset("--reader", "pool-in", "--address", "5");
    expect(exposed.code).toBe(2);
    expect(exposed.err).toContain("open to group or others");
    // …and comset one that holds no key (exit 1), before anything is sent.
    writeFileSync(keyFile, "not a key\n", { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    const invalid = await comset("--reader", "pool-in", "--address", "5");
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain(`accessgw osdp comset: reader pool-in: ${keyFile}: `);
    expect(sim.pd("bus", 4).address).toBe(4);
  });

  it("refuses, unsent, an address another reader on the port has, a speed change on a shared port, and bad values (exit 2)", async ({
    site,
  }) => {
    const { sim, comset } = await site();
    const taken = await comset("--reader", "pool-in", "--address", "2");
    expect(taken.code).toBe(2);
    expect(taken.err).toContain("address 2 is reader gym-in's on");
    expect(taken.err).toContain("each PD on a bus needs its own address (free: 3, for example)");
    const shared = await comset("--reader", "pool-in", "--address", "1", "--baud", "38400");
    expect(shared.code).toBe(2);
    expect(shared.err).toContain(
      "reader pool-in shares it with gym-in: at 38400 baud alone its PD would be cut off",
    );
    const cases: [string[], string][] = [
      [
        ["--address", "127"],
        '--address must be a PD address, 0..126 (127 is the broadcast address; found "127")',
      ],
      [["--address", "x"], 'found "x"'],
      [["--address", "5", "--baud", "12345"], "--baud must be one of OSDP's speeds, 9600, 19200, 38400"],
      [["--address", "1"], "reader pool-in is at address 1 at 9600 baud already: nothing to change"],
      [[], "osdp comset needs --address N"],
    ];
    for (const [flags, message] of cases) {
      const bad = await comset("--reader", "pool-in", ...flags);
      expect(bad.code, flags.join(" ")).toBe(2);
      expect(bad.err).toContain(message);
    }
    const serial = await comset("--reader", "desk", "--address", "4");
    expect(serial.code).toBe(2);
    expect(serial.err).toContain(
      'reader "desk" is a serial-line reader; comset changes the address or speed',
    );
    // Nothing reached the PD: no session, same address, same speed.
    expect(sim.pd("bus", 1)).toMatchObject({ secureState: "clear", baudRate: 9600 });
  });

  it("refuses while a daemon runs on the data folder (it holds the port), and sends nothing", async ({
    site,
    folder,
    defer,
  }) => {
    const { sim, comset } = await site();
    const now = Date.parse("2026-12-06T07:00:00Z");
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
    const daemon = new StatusSocket({
      dataDir: folder.dir,
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
          dataDir: folder.dir,
          zone: "UTC",
        }),
      logger: silentLogger(),
    });
    await daemon.start();
    defer(() => daemon.stop());
    const result = await comset("--reader", "pool-in", "--address", "7");
    expect(result.code).toBe(1);
    expect(result.err).toContain(`accessgw osdp comset: the daemon is running on ${folder.dir}`);
    expect(result.err).toContain("stop it (systemctl stop accessgw), run comset, then start it again");
    expect(sim.pd("bus", 1)).toMatchObject({ address: 1, secureState: "clear" });
  });

  it("says so when the PD does not answer at the settings of the configuration, and sends nothing (exit 1)", async ({
    site,
  }) => {
    const { sim, comsetQuickly } = await site(
      SHARED,
      "      - { address: 1, fault: silent }\n      - { address: 2 }\n",
    );
    const result = await comsetQuickly({ reader: "pool-in", address: "7" });
    expect(result.code).toBe(1);
    expect(result.err).toContain("reader pool-in: no answer from PD 1 on");
    expect(result.err).toContain("at 9600 baud: check the wiring");
    expect(result.err).toContain("nothing was sent");
    sim.pd("bus", 1).setFault("none");
    expect(sim.pd("bus", 1).address).toBe(1);
  });
});
