import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { checkGatewayConfig } from "../../config/gateway.js";
import { osdpKeyFileFindings } from "../../config/osdp.js";
import { KEYPAD_READER_DRIVERS } from "../../config/readerPin.js";
import { OsdpPorts } from "../../drivers/osdp/osdpPorts.js";
import { createReader } from "../../drivers/readers/createReader.js";
import { OsdpReader } from "../../drivers/readers/osdpReader.js";
import { createRelay } from "../../drivers/relays/createRelay.js";
import { OsdpOutputRelay } from "../../drivers/relays/osdpOutputRelay.js";
import { it } from "../harness/index.js";
import { fakeTransportFactory, ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";

const FILE = "/etc/accessgw/gateway.yaml";

/** An osdp reader in YAML flow syntax; `extra` (", key: value…") adds fields or replaces the defaults. */
function osdp(id: string, extra = ""): string {
  const fields = new Map<string, string>([
    ["id", id],
    ["area", "pool"],
    ["direction", "in"],
    ["driver", "osdp"],
    ["port", "/dev/ttyUSB2"],
    ["address", "1"],
  ]);
  for (const pair of extra.split(",").slice(1)) {
    const [key, ...value] = pair.split(":");
    fields.set((key ?? "").trim(), value.join(":").trim());
  }
  return `{ ${[...fields].map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
}

/** A configuration with these readers and relays (no doors), checked as `check` checks it. */
function check(readers: string[], relays: string[] = [], file = FILE) {
  const text = `readers:\n${readers.map((r) => `  - ${r}\n`).join("")}relays:\n${relays.map((r) => `  - ${r}\n`).join("") || "  []\n"}`;
  return checkGatewayConfig(file, text.replace("relays:\n  []", "relays: []"));
}

describe("the osdp reader's configuration (issue 13 §3)", () => {
  it("takes the issue's example and fills in the defaults: 9600 baud, secure channel required, cardFormat auto", () => {
    const { config, problems } = check([osdp("pool-in", ", address: 101")]);
    expect(problems).toEqual([]);
    expect(config?.readers[0]).toMatchObject({
      driver: "osdp",
      port: "/dev/ttyUSB2",
      address: 101,
      baudRate: 9600,
      secureChannel: "required",
      cardFormat: "auto",
      cardNumber: "as-is",
    });
    expect(config?.readers[0]).not.toHaveProperty("scbkFile");
  });

  it("accepts OSDP's rates, cardFormat raw or a Wiegand format name, and secureChannel off", () => {
    const { problems, config } = check([
      osdp("a", ", baudRate: 115200, cardFormat: raw, secureChannel: off, port: tcp://10.0.0.9:4001"),
      osdp("b", ", baudRate: 230400, cardFormat: C1k48, port: /dev/ttyUSB3"),
    ]);
    expect(problems).toEqual([]);
    expect(config?.readers.map((r) => (r.driver === "osdp" ? r.cardFormat : ""))).toEqual(["raw", "C1k48"]);
  });

  it.each([
    [
      ", baudRate: 14400",
      "readers[0].baudRate: expected one of OSDP's rates 9600, 19200, 38400, 57600, 115200, 230400 (found 14400)",
    ],
    [", address: 127", "readers[0].address: Too big: expected number to be <=126"],
    [", address: -1", "readers[0].address: Too small: expected number to be >=0"],
    [", secureChannel: optional", "readers[0].secureChannel: Invalid option"],
    [", cardFormat: H99999", "readers[0].cardFormat: Invalid option"],
  ])("refuses %s naming the field", (extra, expected) => {
    const { config, problems } = check([osdp("a", extra)]);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: ${expected}`);
  });

  it("resolves scbkFile against the configuration file's folder and keeps an absolute one", ({ folder }) => {
    const file = join(folder.dir, "gateway.yaml");
    mkdirSync(join(folder.dir, "keys"), { mode: 0o700 });
    for (const name of ["a.scbk", "b.scbk"])
      writeFileSync(join(folder.dir, "keys", name), "00".repeat(16), { mode: 0o600 });
    const { config, problems } = check(
      [
        osdp("a", ", scbkFile: keys/a.scbk"),
        osdp("b", `, address: 2, scbkFile: ${join(folder.dir, "keys", "b.scbk")}`),
      ],
      [],
      file,
    );
    expect(problems).toEqual([]);
    expect(config?.readers.map((r) => (r.driver === "osdp" ? r.scbkFile : ""))).toEqual([
      join(folder.dir, "keys", "a.scbk"),
      join(folder.dir, "keys", "b.scbk"),
    ]);
  });
});

describe("accessgw check on OSDP buses (issue 13 §3)", () => {
  it("accepts several osdp readers on one port: the RS-485 multi-drop is no shared-port mistake", () => {
    const { problems } = check([osdp("a"), osdp("b", ", address: 2"), osdp("c", ", address: 3")]);
    expect(problems).toEqual([]);
  });

  it("still refuses an osdp reader on the port of another driver", () => {
    const { problems } = check([
      osdp("a"),
      "{ id: b, area: pool, direction: in, driver: serial-line, port: /dev/ttyUSB2 }",
    ]);
    expect(problems).toEqual([`${FILE}: readers[1].port: port /dev/ttyUSB2 is also used by readers[0]`]);
  });

  it("refuses different baud rates on one port, naming both readers and the port", () => {
    const { problems } = check([osdp("a"), osdp("b", ", address: 2, baudRate: 115200")]);
    expect(problems).toEqual([
      `${FILE}: readers[1].baudRate: reader "b" (readers[1]) is at 115200 baud but reader "a" (readers[0]) on the same OSDP bus /dev/ttyUSB2 is at 9600; one bus has one speed`,
    ]);
  });

  it("refuses two readers with one address on one port, naming the readers, the address and the port", () => {
    const { problems } = check([osdp("a", ", address: 101"), osdp("b", ", address: 101")]);
    expect(problems).toEqual([
      `${FILE}: readers[1].address: reader "b" (readers[1]) and reader "a" (readers[0]) both have address 101 on /dev/ttyUSB2; each PD on a bus needs its own address`,
    ]);
  });

  it("accepts one address on two different ports (two buses)", () => {
    const { problems } = check([osdp("a"), osdp("b", ", port: tcp://10.0.0.9:4001")]);
    expect(problems).toEqual([]);
  });

  it("treats tcp:// ports that differ only in case as one bus", () => {
    const { problems } = check([
      osdp("a", ", port: tcp://Bus-1:4001"),
      osdp("b", ", port: tcp://bus-1:4001"),
    ]);
    expect(problems).toEqual([
      `${FILE}: readers[1].address: reader "b" (readers[1]) and reader "a" (readers[0]) both have address 1 on tcp://bus-1:4001; each PD on a bus needs its own address`,
    ]);
  });
});

describe("the osdp-output relay (issue 13 §4)", () => {
  const door = (relay: string, channel: number) =>
    `doors:\n  - { id: pool-gate, relay: ${relay}, channel: ${channel} }\n`;

  it("drives an osdp reader's PD outputs; a door's channel is the output number from 0", () => {
    const text = `readers:\n  - ${osdp("pool-in")}\n${door("pd-out", 0)}relays:\n  - { id: pd-out, driver: osdp-output, reader: pool-in }\n`;
    const { config, problems } = checkGatewayConfig(FILE, text);
    expect(problems).toEqual([]);
    expect(config?.relays[0]).toEqual({ id: "pd-out", driver: "osdp-output", reader: "pool-in" });
  });

  it("refuses an output number above 255 (OUT's one byte)", () => {
    const text = `readers:\n  - ${osdp("pool-in")}\n${door("pd-out", 256)}relays:\n  - { id: pd-out, driver: osdp-output, reader: pool-in }\n`;
    expect(checkGatewayConfig(FILE, text).problems).toEqual([
      `${FILE}: doors[0].channel: 256 is out of range for relay "pd-out" (osdp-output: the PD's output number 0..255)`,
    ]);
  });

  it("refuses an osdp-output naming a reader that is not an osdp reader, or no reader", () => {
    const { problems } = check(
      [osdp("pool-in"), "{ id: gym-in, area: gym, direction: in, driver: rdm6300, port: /dev/ttyUSB5 }"],
      ["{ id: o1, driver: osdp-output, reader: gym-in }", "{ id: o2, driver: osdp-output, reader: spa-in }"],
    );
    expect(problems).toEqual([
      `${FILE}: relays[0].reader: reader "gym-in" (readers[1]) is a rdm6300, not an osdp reader; only an OSDP PD has outputs an osdp-output relay can drive`,
      `${FILE}: relays[1].reader: unknown reader "spa-in" (an osdp-output relay names an osdp reader)`,
    ]);
  });
});

describe("accessgw check on OSDP key files (issue 13 §2)", () => {
  it("refuses a key file open to group or others, naming the file, its mode and the reader", ({ folder }) => {
    const file = join(folder.dir, "gateway.yaml");
    const key = join(folder.dir, "pool-in.scbk");
    writeFileSync(key, "00".repeat(16), { mode: 0o600 });
    chmodSync(key, 0o640);
    const { config, problems } = check([osdp("pool-in", ", scbkFile: pool-in.scbk")], [], file);
    expect(config).toBeNull();
    expect(problems).toEqual([
      `${file}: readers[0].scbkFile: ${key} has mode 0640, open to group or others; the daemon refuses the key of reader "pool-in" (readers[0]) (chmod 600 ${key})`,
    ]);
    chmodSync(key, 0o600);
    expect(check([osdp("pool-in", ", scbkFile: pool-in.scbk")], [], file).problems).toEqual([]);
  });

  it("warns about a missing key file: install mode until keyset", ({ folder }) => {
    const file = join(folder.dir, "gateway.yaml");
    const { config, problems, warnings } = check(
      [osdp("pool-in", ", port: tcp://127.0.0.1:4001, scbkFile: keys/pool-in.scbk")],
      [],
      file,
    );
    expect(problems).toEqual([]);
    expect(config).not.toBeNull();
    expect(warnings).toEqual([
      `${file}: readers[0].scbkFile: ${join(folder.dir, "keys/pool-in.scbk")} does not exist (yet): reader "pool-in" (readers[0]) stays in install mode until \`accessgw osdp keyset --reader pool-in\` writes it`,
    ]);
  });

  it("reports a key file that cannot be looked at, with the reason", () => {
    const raw = { readers: [{ id: "a", driver: "osdp", scbkFile: "a.scbk" }] };
    const findings = osdpKeyFileFindings(raw, FILE, () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    });
    expect(findings).toEqual({
      problems: ["readers[0].scbkFile: /etc/accessgw/a.scbk cannot be read (EACCES: permission denied)"],
      warnings: [],
    });
  });
});

describe("making the OSDP drivers", () => {
  const deps = {
    logger: silentLogger(),
    transportFactory: fakeTransportFactory().factory,
    clock: () => 0,
    scheduler: new ManualScheduler(),
  };

  it("makes an osdp reader (idle until started) with a keypad, so pin is accepted on it", () => {
    const made = createReader(
      {
        id: "pool-in",
        area: "pool",
        direction: "in",
        debounceMs: 2000,
        cardNumber: "as-is",
        driver: "osdp",
        port: "/dev/ttyUSB2",
        baudRate: 9600,
        address: 1,
        secureChannel: "required",
        cardFormat: "auto",
      },
      deps,
    );
    expect(made.ok && made.reader).toBeInstanceOf(OsdpReader);
    expect(KEYPAD_READER_DRIVERS).toContain("osdp");
  });

  it("refuses an osdp-output relay where the gateway runs no OSDP bus, and makes one where it does", () => {
    const config = { id: "pd-out", driver: "osdp-output" as const, reader: "pool-in" };
    expect(() => createRelay(config, { ...deps, restingStates: () => [] })).toThrow(
      expect.objectContaining({ code: "RELAY_UNSUPPORTED", relayId: "pd-out" }),
    );
    const osdpPorts = new OsdpPorts({
      ...deps,
      factory: deps.transportFactory,
      now: () => 0,
      random: (n) => new Uint8Array(n),
    });
    const relay = createRelay(config, {
      ...deps,
      restingStates: () => [],
      osdpPorts,
      osdpPd: () => undefined,
    });
    expect(relay).toBeInstanceOf(OsdpOutputRelay);
  });
});
