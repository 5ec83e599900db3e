/**
 * doors.md D6 through a real pseudo-terminal and the real `serialport` package: a serial-line
 * reader with `reply:` gets a line back after each decision, in the member's language.
 */
import { beforeAll, describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { it } from "../harness/index.js";
import { at, clockFrom } from "../helpers/build.js";
import { requireSocat } from "../helpers/socat.js";
import { importInputs } from "../store/storeHelpers.js";

beforeAll(() => requireSocat());

const anna = {
  id: "m-anna",
  name: "Anna",
  locale: "it",
  cards: [{ number: "0001234567" }],
  multipacks: [{ id: "mp-anna-swim", product: "swim10", purchasedAt: "2027-03-01T18:00:00+01:00" }],
};

describe("D6: a serial-line reader's reply line", () => {
  it("D6: the reply line reaches the reader through a pty, in Italian, CR-ended, grant then deny", async ({
    exampleStore: store,
    ptyLink,
    gateway: startGateway,
  }) => {
    importInputs(store, [{ name: "anna.yaml", value: { members: [anna] } }]);
    const link = await ptyLink();
    const reader = new SimSerialLineReader({ link, lineEnding: "CR" });
    reader.start();
    const config = GatewayConfig.parse({
      readers: [
        {
          id: "pool-in",
          driver: "serial-line",
          port: link.target,
          baudRate: 9600,
          area: "pool",
          direction: "in",
          debounceMs: 0, // R17 off: the second scan is a second presentation
          reply: { line: "{decision};{reason};{message}", lineEnding: "cr" },
        },
      ],
    });
    const gateway = await startGateway({
      config,
      gatewayId: "gw-reply",
      clock: clockFrom(at("2027-03-22T10:00")),
      backoff: { baseMs: 20, factor: 2, capMs: 100, jitter: "none" },
    });
    await vi.waitFor(() => expect(gateway.status().readers[0]?.state).toBe("open"), { timeout: 5000 });

    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(() => expect(reader.display.texts).toEqual(["grant;ok;Ciao Anna — restano 9/10"]), {
      timeout: 5000,
    });
    // R12 hard anti-passback: no exit since the entry.
    expect(reader.present("1234567")).toBe(true);
    await vi.waitFor(
      () =>
        expect(reader.display.texts).toEqual([
          "grant;ok;Ciao Anna — restano 9/10",
          "deny;anti_passback;Sei già dentro — passa prima la tessera in uscita",
        ]),
      { timeout: 5000 },
    );
  });
});
