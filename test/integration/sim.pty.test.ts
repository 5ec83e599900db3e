import { existsSync, realpathSync } from "node:fs";
import { describe, expect, vi } from "vitest";
import { encodeLcus } from "../../drivers/codecs/lcus.js";
import { openSerialTransport } from "../../drivers/transport/serialTransport.js";
import type { CloseReason, Transport } from "../../drivers/transport/transport.js";
import { SimLcusBoard } from "../../firmware-sim/devices/lcusBoard.js";
import { PtyLink, requireSocat } from "../../firmware-sim/devices/ptyLink.js";
import { SimSerialLineReader } from "../../firmware-sim/devices/serialLineReader.js";
import { test } from "../harness/index.js";

interface GatewaySide {
  port: Transport;
  text: () => string;
  closed: CloseReason[];
}

/** Opens end B with the real `serialport` package, as the gateway's serial transport does. */
const it = test.extend("openGatewayEnd", ({ defer }) => async (path: string): Promise<GatewaySide> => {
  const port = await openSerialTransport(path, path, 9600);
  defer(() => port.close());
  const chunks: Uint8Array[] = [];
  const closed: CloseReason[] = [];
  port.on("data", (b) => chunks.push(b));
  port.on("close", (reason) => closed.push(reason));
  return { port, closed, text: () => Buffer.concat(chunks).toString("latin1") };
});

describe("PtyLink", () => {
  it("carries a simulated serial-line reader's lines to the real serialport on the gateway end", async ({
    ptyLink,
    openGatewayEnd,
  }) => {
    const link = await ptyLink();
    expect(link.plugged).toBe(true);
    expect(realpathSync(link.target)).toMatch(/^\/dev\/pts\//);
    const gateway = await openGatewayEnd(link.target);
    const reader = new SimSerialLineReader({ link, lineEnding: "CRLF" });
    reader.start();

    expect(reader.present(12345678)).toBe(true);
    expect(reader.present(42)).toBe(true);
    await vi.waitFor(() => expect(gateway.text()).toBe("12345678\r\n42\r\n"));
  });

  it("carries the gateway's relay frames to a simulated LCUS board", async ({
    defer,
    ptyLink,
    openGatewayEnd,
  }) => {
    const link = await ptyLink();
    const board = new SimLcusBoard({ link });
    board.start();
    defer(() => board.stop());
    const gateway = await openGatewayEnd(link.target);

    await gateway.port.write(encodeLcus(1, true));
    await vi.waitFor(() => expect(board.isOn(1)).toBe(true));
    await gateway.port.write(encodeLcus(1, false));
    await vi.waitFor(() => expect(board.history.map((c) => c.on)).toEqual([true, false]));
  });

  it("hangs up the gateway's port on unplug, and reads again through the same path after replug", async ({
    ptyLink,
    openGatewayEnd,
  }) => {
    const link = await ptyLink();
    const plugEvents: boolean[] = [];
    link.on("plugged", (p) => plugEvents.push(p));
    const reader = new SimSerialLineReader({ link, lineEnding: "LF" });
    reader.start();
    const first = await openGatewayEnd(link.target);
    reader.present(1);
    await vi.waitFor(() => expect(first.text()).toBe("1\n"));

    await link.unplug();
    await vi.waitFor(() => expect(first.closed).toEqual(["disconnected"]));
    expect(link.plugged).toBe(false);
    expect(reader.present(2)).toBe(false);
    await expect(openSerialTransport(link.target, link.target, 9600)).rejects.toThrow();

    await link.replug();
    expect(link.plugged).toBe(true);
    const second = await openGatewayEnd(link.target);
    expect(reader.present(3)).toBe(true);
    await vi.waitFor(() => expect(second.text()).toBe("3\n"));
    expect(plugEvents).toEqual([false, true]);
  });

  it("uses the link paths it was given and removes its own temp folder on stop", async () => {
    const link = new PtyLink();
    await link.start();
    const folder = link.target.slice(0, link.target.lastIndexOf("/"));
    expect(existsSync(link.target)).toBe(true);
    expect(link.deviceEnd).toBe(`${folder}/device`);
    await link.stop();
    await link.stop();
    expect(existsSync(folder)).toBe(false);
    expect(link.write(Uint8Array.of(1))).toBe(false);
  });

  it("says how to install socat when it is missing", () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(() => requireSocat()).toThrow(/socat is not installed.*apt-get install -y socat/);
    } finally {
      process.env.PATH = path;
    }
  });
});
