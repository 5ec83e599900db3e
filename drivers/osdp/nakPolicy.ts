/**
 * What the control panel does about a NAK (docs/osdp.md, "What a NAK makes the gateway do"), as
 * one decision over the NAK's code and what it answered. Pure: the state machine carries it out.
 */

/** The NAK codes the control panel acts on by name. */
export const NAK = { CHECK_CHARACTER: 1, UNKNOWN_COMMAND: 3, SEQUENCE: 4, SECURITY_CONDITIONS: 6 } as const;

/**
 * - `restart`: start afresh at sequence 0 (ID, CAP, the channel), the command kept;
 * - `handshake-refused`: the secure channel could not be set up;
 * - `set-up-again`: drop the channel and set it up again, the command kept (once);
 * - `send-again`: the command once more (once);
 * - `unsupported`: fail the command and never send it to this PD again;
 * - `fail`: fail the command with the NAK's name; `report`: no command to fail, report the NAK.
 */
export type NakAction =
  | "restart"
  | "handshake-refused"
  | "set-up-again"
  | "send-again"
  | "unsupported"
  | "fail"
  | "report";

/** What was NAKed: a setup step (ID, CAP), a handshake step, a POLL, or a queued command. */
export type NakedPacket = "setup" | "handshake" | "poll" | "command";

/** The action for a NAK with `error` to `packet`; `channelWanted` when the channel is required and not given up on. */
export function nakAction(error: number, packet: NakedPacket, channelWanted: boolean): NakAction {
  // The PD expected another number (it restarted, or another CP talks to it).
  if (error === NAK.SEQUENCE) return "restart";
  if (packet === "handshake") return "handshake-refused";
  // The PD wants the channel (again): a MAC it did not accept, or it lost its session.
  if (error === NAK.SECURITY_CONDITIONS && channelWanted) return "set-up-again";
  if (packet !== "command") return "report";
  // The PD saw a damaged packet.
  if (error === NAK.CHECK_CHARACTER) return "send-again";
  // Never loop on a command the PD does not know.
  if (error === NAK.UNKNOWN_COMMAND) return "unsupported";
  return "fail";
}
