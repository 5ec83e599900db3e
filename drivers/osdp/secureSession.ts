/**
 * An established secure channel: the session keys and the MAC chain. Commands and replies alternate
 * on the chain: a command's MAC starts from the last reply's MAC (the initial R-MAC at first), a
 * reply's from the command's, so a replayed, reordered or altered packet fails its check. The CP
 * holds a `CpSession`, the PD a `PdSession`; neither frames packets nor does I/O.
 */
import { MAC_LENGTH } from "./packet.js";
import {
  computeMac,
  decryptData,
  encryptData,
  KeyHolder,
  type KeyMode,
  requireLength,
  SecureChannelError,
  type SecureFailure,
  type SessionKeys,
  sameBytes,
  secureFailure,
} from "./secureChannel.js";

/** A check that passed, or why it failed. */
export type SecureCheck = { ok: true } | SecureFailure;

/** The decrypted data of a packet, or why it could not be decrypted. */
export type Decrypted = { ok: true; data: Uint8Array } | SecureFailure;

/** The chain both sides keep: the last command MAC (C-MAC) and the last reply MAC (R-MAC), 16 bytes each. */
abstract class ChainedSession extends KeyHolder {
  /** Which base key the session came from: "scbk-d" means the reader is still in install mode. */
  readonly keyMode: KeyMode;
  protected readonly keys: SessionKeys;
  /** The last reply's MAC: the initial R-MAC until the first reply under the channel. */
  protected rmac: Uint8Array;
  /** The last command's MAC, null before the first command under the channel. */
  protected cmac: Uint8Array | null = null;

  constructor(keys: SessionKeys, initialRmac: Uint8Array, keyMode: KeyMode) {
    super();
    requireLength(initialRmac, 16, "initial R-MAC");
    this.keys = keys;
    this.rmac = initialRmac;
    this.keyMode = keyMode;
  }

  /** A log line shows the key mode, never the keys or the chain. */
  protected shown(): Record<string, unknown> {
    return { keyMode: this.keyMode };
  }

  /** The command MAC chained from the last reply. */
  protected commandMac(macInput: Uint8Array): Uint8Array {
    return computeMac(this.keys, this.rmac, macInput);
  }

  /** The reply MAC chained from the last command; a failure when no command has been chained yet. */
  protected replyMac(macInput: Uint8Array): Uint8Array | SecureFailure {
    if (this.cmac === null)
      return secureFailure("SC_OUT_OF_ORDER", "a reply under the secure channel before any command");
    return computeMac(this.keys, this.cmac, macInput);
  }
}

/** Checks 4 received MAC bytes against the computed 16-byte MAC. */
function macMatches(expected: Uint8Array, mac: Uint8Array, what: string): SecureCheck {
  if (mac.length !== MAC_LENGTH)
    return secureFailure("SC_MALFORMED", `${what} MAC must be ${MAC_LENGTH} bytes, got ${mac.length}`);
  if (!sameBytes(expected.subarray(0, MAC_LENGTH), mac))
    return secureFailure(
      "SC_MAC_MISMATCH",
      `${what} MAC does not match (altered, replayed or out of step with the chain)`,
    );
  return { ok: true };
}

/** The control panel's side of an established secure channel. */
export class CpSession extends ChainedSession {
  /**
   * The 4 MAC bytes for a command's `macInput`; the command's full MAC becomes the chain's C-MAC.
   * Signing again before a reply arrives (a retry) gives the same bytes, as the chain has not moved.
   */
  signCommand(macInput: Uint8Array): Uint8Array {
    this.cmac = this.commandMac(macInput);
    return this.cmac.slice(0, MAC_LENGTH);
  }

  /** Checks a reply's MAC against the chain; only a reply that passes moves the chain on. */
  verifyReply(macInput: Uint8Array, mac: Uint8Array): SecureCheck {
    const expected = this.replyMac(macInput);
    if (!(expected instanceof Uint8Array)) return expected;
    const check = macMatches(expected, mac, "reply");
    if (check.ok) this.rmac = expected;
    return check;
  }

  /** A command's data encrypted for SCS_17 (call before `signCommand`: the IV is the last reply's MAC). */
  encryptCommand(plain: Uint8Array): Uint8Array {
    return encryptData(this.keys.sEnc, this.rmac, plain);
  }

  /** An SCS_18 reply's data decrypted (its MAC verified first): the IV is the command's MAC. */
  decryptReply(cipher: Uint8Array): Decrypted {
    if (this.cmac === null) return secureFailure("SC_OUT_OF_ORDER", "an encrypted reply before any command");
    return decryptData(this.keys.sEnc, this.cmac, cipher);
  }
}

/** The peripheral device's side of an established secure channel (the simulator's PD). */
export class PdSession extends ChainedSession {
  /**
   * Checks a command's MAC against the chain; only a command that passes moves the chain on. A CP
   * that repeats a command whose reply was lost gets the stored reply again, without a new check.
   */
  verifyCommand(macInput: Uint8Array, mac: Uint8Array): SecureCheck {
    const expected = this.commandMac(macInput);
    const check = macMatches(expected, mac, "command");
    if (check.ok) this.cmac = expected;
    return check;
  }

  /** An SCS_17 command's data decrypted (its MAC verified first): the IV is the last reply's MAC. */
  decryptCommand(cipher: Uint8Array): Decrypted {
    return decryptData(this.keys.sEnc, this.rmac, cipher);
  }

  /** A reply's data encrypted for SCS_18 (call before `signReply`): the IV is the command's MAC. */
  encryptReply(plain: Uint8Array): Uint8Array {
    return encryptData(this.keys.sEnc, this.verifiedCommandMac(), plain);
  }

  /** The 4 MAC bytes for a reply's `macInput`; the reply's full MAC becomes the chain's R-MAC. */
  signReply(macInput: Uint8Array): Uint8Array {
    this.rmac = computeMac(this.keys, this.verifiedCommandMac(), macInput);
    return this.rmac.slice(0, MAC_LENGTH);
  }

  /** The last verified command's MAC; a PD only ever replies to a command, so none is our own bug. */
  private verifiedCommandMac(): Uint8Array {
    if (this.cmac === null)
      throw new SecureChannelError("SC_NOT_READY", "a PD reply under the secure channel before any command");
    return this.cmac;
  }
}
