/**
 * The `expose: { pty: PATH }` exposure: a socat pty pair whose gateway end is linked at PATH (the
 * gateway's `port:`), so the gateway reads through the real serial port code. unplug() kills
 * socat (the gateway's port sees a hang-up); replug() makes the pair again at the same path.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Listeners } from "../drivers/transport/listeners.js";
import { PtyLink } from "./devices/ptyLink.js";
import type { DeviceLink } from "./devices/serialDeviceServer.js";
import type { SerialExposure } from "./serialKinds.js";

/**
 * A pty-pair exposure with its gateway end at `path`. The PtyLink (which makes a temp folder) is
 * created by start(), so building a simulator that never starts leaves nothing behind.
 */
export function ptyExposure(path: string): SerialExposure {
  let pty: PtyLink | undefined;
  const data = new Listeners<{ data: (bytes: Uint8Array) => void }>();
  const link: DeviceLink = {
    write: (bytes) => pty?.write(bytes) ?? false,
    onData: (listener) => data.on("data", listener),
  };
  return {
    link,
    where: () => path,
    plugged: () => pty?.plugged ?? false,
    // A pty cannot tell whether the other end is open.
    connected: () => null,
    start: async () => {
      if (pty !== undefined) return;
      mkdirSync(dirname(path), { recursive: true });
      pty = new PtyLink({ gatewayEnd: path });
      pty.onData((bytes) => data.emit("data", bytes));
      await pty.start();
    },
    stop: async () => {
      await pty?.stop();
    },
    unplug: async () => {
      await pty?.unplug();
    },
    replug: async () => {
      await pty?.replug();
    },
  };
}
