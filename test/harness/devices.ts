/**
 * Simulated devices' serial lines for tests, each stopped after the test: a serial device server
 * (tcp:// on a loopback port, what the gateway's serial transport also opens), a simulated device
 * on a socat pty pair (a real /dev/pts device the real `serialport` package opens), or a bare pty
 * pair for a test that plays the device itself.
 */
import { PtyLink, type PtyLinkOptions } from "../../firmware-sim/devices/ptyLink.js";
import { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
import { type PtyPair, startPtyPair } from "../helpers/socat.js";
import type { Defer } from "./cleanup.js";

/** Starts serial device servers (a simulated device's serial line on a loopback port). */
export function serialServers(defer: Defer) {
  return async (): Promise<SerialDeviceServer> => {
    const server = new SerialDeviceServer();
    await server.start();
    defer(() => server.stop());
    return server;
  };
}

/** Starts pty links (socat): the device's end for a simulated device, `target` for the gateway. */
export function ptyLinks(defer: Defer) {
  return async (options: PtyLinkOptions = { baudRate: 9600 }): Promise<PtyLink> => {
    const link = new PtyLink(options);
    await link.start();
    defer(() => link.stop());
    return link;
  };
}

/** Starts bare socat pty pairs (`a` and `b` linked; at the `links` paths when given). */
export function ptyPairs(defer: Defer) {
  return async (links?: { a: string; b: string }): Promise<PtyPair> => {
    const pair = await startPtyPair(links);
    defer(() => pair.stop());
    return pair;
  };
}
