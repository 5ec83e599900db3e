import { describe, expect, it } from "vitest";
import { TransportError } from "../../drivers/transport/errors.js";
import { openTransport, parseTarget } from "../../drivers/transport/transport.js";

describe("transport targets", () => {
  it.each([
    ["tcp://127.0.0.1:502", { kind: "tcp", host: "127.0.0.1", port: 502 }],
    ["tcp://relay.local:8899/", { kind: "tcp", host: "relay.local", port: 8899 }],
    ["tcp://[::1]:4001", { kind: "tcp", host: "::1", port: 4001 }],
    ["/dev/ttyUSB0", { kind: "serial", path: "/dev/ttyUSB0", baudRate: 9600 }],
    ["COM3", { kind: "serial", path: "COM3", baudRate: 9600 }],
  ])("reads %s", (target, expected) => {
    expect(parseTarget(target)).toEqual(expected);
  });

  it("uses the given baud rate for serial ports", () => {
    expect(parseTarget("/dev/ttyS1", { baudRate: 115200 })).toMatchObject({ baudRate: 115200 });
  });

  it.each([
    ["tcp://nohost", /expected tcp:\/\/host:port/],
    ["tcp://h:99999", /from 1 to 65535, found 99999/],
    ["tcp://h:0", /from 1 to 65535, found 0/],
    ["tcp://h:port", /expected tcp:\/\/host:port/],
    ["", /found nothing/],
    ["udp://h:502", /another URL scheme/],
  ])("rejects %j with a typed error naming the target", async (target, message) => {
    const err = await openTransport(target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "TRANSPORT_TARGET_INVALID", target });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.startsWith(`${target}: `)).toBe(true);
  });

  it("rejects a serial device that does not exist with TRANSPORT_OPEN_FAILED", async () => {
    const target = "/dev/accessgw-no-such-port";
    await expect(openTransport(target)).rejects.toMatchObject({ code: "TRANSPORT_OPEN_FAILED", target });
  });

  it("rejects a bad baud rate", () => {
    expect(() => parseTarget("/dev/ttyS0", { baudRate: -5 })).toThrow(/positive whole baud rate/);
  });
});
