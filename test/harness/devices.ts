/**
 * Simulated devices' serial lines for tests, each stopped after the test: a serial device server
 * (tcp:// on a loopback port, what the gateway's serial transport also opens) or a socat pty pair
 * (a real /dev/pts device the real `serialport` package opens).
 */
import { PtyLink, type PtyLinkOptions } from "../../firmware-sim/devices/ptyLink.js";
import { SerialDeviceServer } from "../../firmware-sim/devices/serialDeviceServer.js";
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
