/**
 * The secure channel's handshake as two state machines, one per side, with no I/O and no timers:
 * CHLNG (SCS_11, RND.A) → CCRYPT (SCS_12, client id, RND.B, client cryptogram) → SCRYPT (SCS_13,
 * server cryptogram) → RMAC_I (SCS_14, initial R-MAC). Each side checks the other's cryptogram, so
 * a wrong key ends in a named failure (`SC_CRYPTOGRAM_MISMATCH`), never an exception. The SCB data
 * byte of CHLNG and CCRYPT says which key is in use: 1 the reader's SCBK, 0 SCBK-D (install mode).
 */
import { randomBytes } from "node:crypto";
import {
  clientCryptogram,
  deriveSessionKeys,
  initialRmac,
  KEY_MODE_BYTE,
  KeyHolder,
  type KeyMode,
  requireLength,
  SCBK_D,
  SCS,
  type SecureFailure,
  type SessionKeys,
  sameBytes,
  secureFailure,
  serverCryptogram,
} from "./secureChannel.js";
import { CpSession, PdSession } from "./secureSession.js";

/** What a handshake step puts in a packet: the security block (type and data) and the payload. */
export interface HandshakeMessage {
  scb: { type: number; data: Uint8Array };
  data: Uint8Array;
}

/** Random bytes; handed in so tests can replay a trace's numbers. */
export type RandomSource = (length: number) => Uint8Array;

/** Node's cryptographic random source, the default. */
export const cryptoRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));

/** RMAC_I's SCB data byte when the PD accepted the CP's cryptogram. */
const CP_ACCEPTED = 0x01;

/** The key mode an SCB data byte names, or null for any other byte. */
function keyModeOf(scbData: Uint8Array): KeyMode | null {
  if (scbData.length !== 1) return null;
  if (scbData[0] === KEY_MODE_BYTE.scbk) return "scbk";
  return scbData[0] === KEY_MODE_BYTE["scbk-d"] ? "scbk-d" : null;
}

/** The CP's options: the reader's SCBK, or null for install mode (SCBK-D). */
export interface CpHandshakeOptions {
  scbk: Uint8Array | null;
  random?: RandomSource;
}

/** The control panel's side: challenge, check the PD's cryptogram, answer with ours, take the R-MAC. */
export class CpHandshake extends KeyHolder {
  readonly keyMode: KeyMode;
  private readonly scbk: Uint8Array;
  private readonly random: RandomSource;
  private state:
    | { step: "idle" }
    | { step: "challenged"; rndA: Uint8Array }
    | { step: "answered"; keys: SessionKeys; serverCrypt: Uint8Array }
    | { step: "done" } = { step: "idle" };
  /** The PD's client id from CCRYPT (8 bytes), once received. */
  clientUid: Uint8Array | null = null;

  constructor(options: CpHandshakeOptions) {
    super();
    if (options.scbk !== null) requireLength(options.scbk, 16, "SCBK key");
    this.keyMode = options.scbk === null ? "scbk-d" : "scbk";
    this.scbk = options.scbk ?? SCBK_D;
    this.random = options.random ?? cryptoRandom;
  }

  /** A log line shows the key mode and step, never the key. */
  protected shown(): Record<string, unknown> {
    return { keyMode: this.keyMode, step: this.state.step };
  }

  /** Starts (or restarts) the handshake: the CHLNG message with a fresh RND.A. */
  challenge(): HandshakeMessage {
    const rndA = this.random(8);
    requireLength(rndA, 8, "RND.A");
    this.state = { step: "challenged", rndA };
    this.clientUid = null;
    return { scb: { type: SCS.CHLNG, data: Uint8Array.of(KEY_MODE_BYTE[this.keyMode]) }, data: rndA };
  }

  /** Takes the PD's CCRYPT; on success the SCRYPT message to send, else why the PD is not trusted. */
  onCcrypt(scbData: Uint8Array, data: Uint8Array): { ok: true; message: HandshakeMessage } | SecureFailure {
    if (this.state.step !== "challenged")
      return secureFailure("SC_OUT_OF_ORDER", `CCRYPT while the handshake is ${this.state.step}`);
    const { rndA } = this.state;
    this.state = { step: "idle" };
    if (data.length !== 32)
      return secureFailure("SC_MALFORMED", `CCRYPT must carry 32 bytes, got ${data.length}`);
    const mode = keyModeOf(scbData);
    if (mode !== this.keyMode)
      return secureFailure(
        "SC_KEY_MODE_MISMATCH",
        `the PD answered with ${mode ?? "an unknown key mode"}, the CP challenged with ${this.keyMode}` +
          (mode === "scbk-d" ? " (the PD is in install mode: set its key with keyset)" : ""),
      );
    const rndB = data.slice(8, 16);
    const keys = deriveSessionKeys(this.scbk, rndA);
    if (!sameBytes(clientCryptogram(keys, rndA, rndB), data.subarray(16, 32)))
      return secureFailure(
        "SC_CRYPTOGRAM_MISMATCH",
        `the PD's cryptogram does not match ${this.keyMode === "scbk" ? "the reader's SCBK" : "SCBK-D"} (wrong key)`,
      );
    this.clientUid = data.slice(0, 8);
    const serverCrypt = serverCryptogram(keys, rndA, rndB);
    this.state = { step: "answered", keys, serverCrypt };
    return {
      ok: true,
      message: {
        scb: { type: SCS.SCRYPT, data: Uint8Array.of(KEY_MODE_BYTE[this.keyMode]) },
        data: serverCrypt,
      },
    };
  }

  /** Takes the PD's RMAC_I; on success the established session, whose chain starts at the initial R-MAC. */
  onRmacI(scbData: Uint8Array, data: Uint8Array): { ok: true; session: CpSession } | SecureFailure {
    if (this.state.step !== "answered")
      return secureFailure("SC_OUT_OF_ORDER", `RMAC_I while the handshake is ${this.state.step}`);
    const { keys, serverCrypt } = this.state;
    this.state = { step: "idle" };
    if (data.length !== 16)
      return secureFailure("SC_MALFORMED", `RMAC_I must carry 16 bytes, got ${data.length}`);
    if (scbData.length !== 1 || scbData[0] !== CP_ACCEPTED)
      return secureFailure("SC_REJECTED", "the PD did not accept the CP's cryptogram");
    const expected = initialRmac(keys, serverCrypt);
    if (!sameBytes(expected, data))
      return secureFailure("SC_RMAC_MISMATCH", "the PD's initial R-MAC does not match the session keys");
    this.state = { step: "done" };
    return { ok: true, session: new CpSession(keys, expected, this.keyMode) };
  }
}

/** The PD's options: its SCBK (null when it has none yet), whether it accepts SCBK-D, its client id. */
export interface PdHandshakeOptions {
  scbk: Uint8Array | null;
  /** Install mode: the PD accepts a handshake with SCBK-D (always, when it has no SCBK). */
  installMode: boolean;
  clientUid: Uint8Array;
  random?: RandomSource;
}

/** The peripheral device's side: answer the challenge, check the CP's cryptogram, give the R-MAC. */
export class PdHandshake extends KeyHolder {
  private readonly options: PdHandshakeOptions;
  private readonly random: RandomSource;
  private state:
    | { step: "idle" }
    | { step: "challenged"; keys: SessionKeys; rndA: Uint8Array; rndB: Uint8Array; mode: KeyMode } = {
    step: "idle",
  };

  constructor(options: PdHandshakeOptions) {
    super();
    if (options.scbk !== null) requireLength(options.scbk, 16, "SCBK key");
    requireLength(options.clientUid, 8, "client id");
    this.options = options;
    this.random = options.random ?? cryptoRandom;
  }

  /** A log line shows whether the PD has a key and the step, never the key. */
  protected shown(): Record<string, unknown> {
    return {
      hasKey: this.options.scbk !== null,
      installMode: this.options.installMode,
      step: this.state.step,
    };
  }

  /** The key a CHLNG asking for `wanted` gets: a PD without SCBK can only answer with SCBK-D. */
  private answerKey(wanted: KeyMode): { mode: KeyMode; key: Uint8Array } | null {
    const own = this.options.scbk;
    if (own === null) return { mode: "scbk-d", key: SCBK_D };
    if (wanted === "scbk-d") return this.options.installMode ? { mode: "scbk-d", key: SCBK_D } : null;
    return { mode: "scbk", key: own };
  }

  /** Takes the CP's CHLNG (which restarts any handshake); on success the CCRYPT message to send. */
  onChallenge(
    scbData: Uint8Array,
    data: Uint8Array,
  ): { ok: true; message: HandshakeMessage } | SecureFailure {
    this.state = { step: "idle" };
    if (data.length !== 8)
      return secureFailure("SC_MALFORMED", `CHLNG must carry 8 bytes, got ${data.length}`);
    const wanted = keyModeOf(scbData);
    if (wanted === null) return secureFailure("SC_MALFORMED", "CHLNG names no known key mode");
    const answer = this.answerKey(wanted);
    if (answer === null)
      return secureFailure(
        "SC_KEY_MODE_MISMATCH",
        "the CP asked for SCBK-D but the PD is not in install mode",
      );
    const rndA = data.slice();
    const rndB = this.random(8);
    requireLength(rndB, 8, "RND.B");
    const { mode, key } = answer;
    const keys = deriveSessionKeys(key, rndA);
    this.state = { step: "challenged", keys, rndA, rndB, mode };
    const payload = new Uint8Array(32);
    payload.set(this.options.clientUid);
    payload.set(rndB, 8);
    payload.set(clientCryptogram(keys, rndA, rndB), 16);
    return {
      ok: true,
      message: { scb: { type: SCS.CCRYPT, data: Uint8Array.of(KEY_MODE_BYTE[mode]) }, data: payload },
    };
  }

  /** Takes the CP's SCRYPT; on success the RMAC_I message to send and the established session. */
  onScrypt(
    _scbData: Uint8Array,
    data: Uint8Array,
  ): { ok: true; message: HandshakeMessage; session: PdSession } | SecureFailure {
    if (this.state.step !== "challenged")
      return secureFailure("SC_OUT_OF_ORDER", "SCRYPT without a CHLNG before it");
    const { keys, rndA, rndB, mode } = this.state;
    this.state = { step: "idle" };
    if (data.length !== 16)
      return secureFailure("SC_MALFORMED", `SCRYPT must carry 16 bytes, got ${data.length}`);
    const serverCrypt = serverCryptogram(keys, rndA, rndB);
    if (!sameBytes(serverCrypt, data))
      return secureFailure(
        "SC_CRYPTOGRAM_MISMATCH",
        "the CP's cryptogram does not match the PD's key (wrong key)",
      );
    const rmac = initialRmac(keys, serverCrypt);
    return {
      ok: true,
      message: { scb: { type: SCS.RMAC_I, data: Uint8Array.of(CP_ACCEPTED) }, data: rmac },
      session: new PdSession(keys, rmac, mode),
    };
  }
}
