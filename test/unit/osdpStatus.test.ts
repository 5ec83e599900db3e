/**
 * Issue 13 §6: an `osdp` reader's PD in `accessgw status` — online, the secure channel, tamper and
 * power in the status document and the text, and which of them are problems (status exit 3).
 */
import { describe, expect, it } from "vitest";
import type { Reader } from "../../config/gateway.js";
import { type StatusOsdpPd, StatusReader, toStatusDocument } from "../../config/statusDocument.js";
import type { PdStatus } from "../../drivers/osdp/cpTypes.js";
import type { ReaderDriver } from "../../drivers/readers/readerDriver.js";
import { statusExitCode } from "../../gateway/cli.js";
import { formatStatus } from "../../gateway/cliFormat.js";
import type { ReaderLink } from "../../gateway/features/readers.js";
import { type DeviceParts, deviceStatus } from "../../gateway/gatewayStatus.js";
import { osdpPdOf, osdpProblems, osdpStatusText } from "../../gateway/osdpStatus.js";

const SECURED: StatusOsdpPd = {
  address: 101,
  online: true,
  secureChannel: "established",
  reason: null,
  tamper: false,
  powerFailure: false,
};
const pd = (over: Partial<StatusOsdpPd>): StatusOsdpPd => ({ ...SECURED, ...over });

describe("the problems of an OSDP PD (status exit 3)", () => {
  it.each([
    ["secured, no tamper", pd({}), []],
    ["secure channel off by configuration", pd({ secureChannel: "off" }), []],
    ["a power failure alone (shown, not a problem)", pd({ powerFailure: true }), []],
    [
      "offline",
      pd({ online: false, secureChannel: "none" }),
      ["reader pool-in: OSDP PD 101 offline (no answer for 8 s: wiring, address, speed, power)"],
    ],
    [
      "secure channel failed, with why",
      pd({ secureChannel: "failed", reason: "SC_CRYPTOGRAM_MISMATCH" }),
      [
        "reader pool-in: OSDP PD 101 secure channel failed (SC_CRYPTOGRAM_MISMATCH): its card reads are refused",
      ],
    ],
    [
      "on the default key (install mode)",
      pd({ secureChannel: "install" }),
      [
        "reader pool-in: OSDP PD 101 in install mode (default key SCBK-D): set its key with accessgw osdp keyset",
      ],
    ],
    [
      "tamper",
      pd({ tamper: true }),
      ["reader pool-in: OSDP PD 101 tamper: the reader was opened or taken off the wall"],
    ],
  ] as const)("%s", (_, status, problems) => {
    expect(osdpProblems("pool-in", status, true)).toEqual(problems);
  });

  it("leaves offline and a failed channel to the reader's link when it is down (said once, not twice)", () => {
    expect(osdpProblems("pool-in", pd({ online: false }), false)).toEqual([]);
    expect(osdpProblems("pool-in", pd({ secureChannel: "failed" }), false)).toEqual([]);
    expect(osdpProblems("pool-in", pd({ online: false, tamper: true }), false)).toEqual([
      "reader pool-in: OSDP PD 101 tamper: the reader was opened or taken off the wall",
    ]);
  });

  it("reads the PD from an osdp driver's details() only", () => {
    const details = {
      driver: "osdp",
      port: "/dev/ttyUSB2",
      address: 101,
      online: true,
      secureChannel: "install",
      reason: undefined,
      tamper: false,
      powerFailure: true,
      display: true,
      key: "install",
    };
    expect(osdpPdOf({ details: () => details })).toEqual(
      pd({ secureChannel: "install", powerFailure: true }),
    );
    expect(osdpPdOf({ details: () => ({ ...details, driver: "other" }) })).toBeNull();
    expect(osdpPdOf({ details: () => ({ ...details, secureChannel: "maybe" }) })).toBeNull();
    expect(osdpPdOf({})).toBeNull();
    expect(osdpPdOf(undefined)).toBeNull();
  });

  it("says what the PD is doing in one line", () => {
    expect(osdpStatusText(SECURED)).toBe("PD 101 online  secure channel established  tamper ok  power ok");
    expect(
      osdpStatusText(
        pd({ secureChannel: "failed", reason: "SC_KEY_MODE_MISMATCH", tamper: true, powerFailure: true }),
      ),
    ).toBe("PD 101 online  secure channel FAILED (SC_KEY_MODE_MISMATCH)  TAMPER  POWER FAILURE");
  });

  it.each([
    ["off", "off by configuration"],
    ["none", "not set up"],
    ["handshake", "being set up"],
    ["established", "established"],
    ["install", "INSTALL MODE (default key)"],
    ["failed", "FAILED"],
  ] as const)('words the secure channel %s as "%s"', (state, words) => {
    expect(osdpStatusText(pd({ secureChannel: state }), " · ")).toBe(
      `PD 101 online · secure channel ${words} · tamper ok · power ok`,
    );
  });
});

/** The device parts of a gateway with one osdp reader whose driver reports this PD state. */
function partsWith(status: PdStatus, state: ReaderLink["state"] = "open"): DeviceParts {
  const driver = {
    id: "pool-in",
    counters: () => ({ cards: 0, rejected: {}, bytes: 0, reconnects: 0 }),
    // The shape of drivers/readers/osdpReader.ts details(): the PD's state, and more status ignores.
    details: () => ({ driver: "osdp", port: "/dev/ttyUSB2", ...status, key: "key" }),
  } as Partial<ReaderDriver> as ReaderDriver;
  const link: ReaderLink = {
    config: { id: "pool-in", driver: "osdp" } as Reader,
    driver,
    problem: undefined,
    state,
    health: undefined,
  };
  const counters = { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 };
  return {
    readers: { links: () => [link] },
    pipeline: { lane: () => ({ counters, lastScan: null }) },
    relays: { status: () => [] },
    inputs: { status: () => [], problems: () => [] },
    mqtt: undefined,
  } as unknown as DeviceParts;
}

describe("status of an osdp reader (issue 13 §6)", () => {
  it("carries the PD in the status document and its problems in the gateway's", () => {
    const s = deviceStatus(
      partsWith({
        address: 101,
        online: true,
        secureChannel: "failed",
        reason: "SC_REJECTED",
        tamper: true,
        powerFailure: false,
      }),
    );
    const reader = StatusReader.parse(JSON.parse(JSON.stringify(s.readers[0])));
    expect(reader.osdp).toEqual(pd({ secureChannel: "failed", reason: "SC_REJECTED", tamper: true }));
    expect(s.problems).toEqual([
      "reader pool-in: OSDP PD 101 secure channel failed (SC_REJECTED): its card reads are refused",
      "reader pool-in: OSDP PD 101 tamper: the reader was opened or taken off the wall",
    ]);
    expect(
      deviceStatus(
        partsWith({
          address: 101,
          online: true,
          secureChannel: "established",
          tamper: false,
          powerFailure: false,
        }),
      ).problems,
    ).toEqual([]);
  });

  it("shows the PD under its reader in the text of accessgw status", () => {
    const s = deviceStatus(
      partsWith({ address: 101, online: false, secureChannel: "none", tamper: false, powerFailure: false }),
    );
    const now = Date.parse("2026-12-06T07:00:00Z");
    const status = toStatusDocument(
      {
        state: "running",
        doors: [],
        relays: [],
        inputs: [],
        mqtt: null,
        sync: null,
        totals: { scans: 0, grants: 0, denies: 0, errors: 0, relayFailures: 0 },
        readers: s.readers,
        problems: s.problems,
      },
      {
        gatewayId: "gw-1",
        pid: 4242,
        state: "running",
        startedAt: now - 60_000,
        now,
        config: "gateway.yaml",
        dataDir: "/var/lib/accessgw",
        zone: "UTC",
      },
    );
    expect(statusExitCode({ running: true, reason: null, status })).toBe(3);
    const text = formatStatus({ running: true, reason: null, status }, now);
    expect(text).toContain("reader pool-in: OSDP PD 101 offline");
    expect(text).toContain("        PD 101 OFFLINE  secure channel not set up  tamper ok  power ok");
  });
});
