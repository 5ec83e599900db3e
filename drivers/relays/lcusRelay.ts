/** LCUS-style USB relay boards (lcus-serial): ON frame, wait, OFF frame. The board never answers. */
import { encodeLcus } from "../codecs/lcus.js";
import { SerialRelay } from "./relayDriver.js";

/** An LCUS board; channels are the board's relay numbers (RELAY_CHANNELS["lcus-serial"]). */
export class LcusRelay extends SerialRelay {
  protected checkChannel(channel: number): void {
    encodeLcus(channel, false);
  }

  protected switchChannel(channel: number, on: boolean): Promise<void> {
    // No reply to wait for: the write reaching the OS is all the confirmation there is.
    return this.transport.write(encodeLcus(channel, on));
  }
}
