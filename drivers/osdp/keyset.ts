/**
 * Setting a new secure channel base key on one PD (`accessgw osdp keyset`): the order is what keeps
 * a PD from ever holding a key nobody has. The new key goes to a temp file (0600, fsynced) first,
 * then KEYSET goes out sealed under the channel (SCBK-D in install mode, or the current key), and
 * only the PD's ACK moves the new key over the key file. A NAK leaves the old file alone; no answer
 * keeps the new key beside it (`.unconfirmed`), since the PD may have taken it.
 */
import type { Logger } from "pino";
import type { Scheduler } from "../../runtime/scheduler.js";
import type { TransportFactory } from "../transport/transport.js";
import { type CpTimings, OsdpCommandError, type PdStatus } from "./cpTypes.js";
import { KeyFileError, readKeyFile, stageNewKeyFile } from "./keyFile.js";
import { OsdpPort } from "./osdpPort.js";
import { whenPdReady } from "./pdReady.js";
import type { RandomSource } from "./secureHandshake.js";

/** Why a keyset did not happen; `code` lets the command line pick its words and exit code. */
export type KeysetErrorCode =
  /** No answer from the PD (wrong port, address or speed, unplugged). */
  | "KEYSET_OFFLINE"
  /** The secure channel did not come up: the PD is neither in install mode nor on the current key. */
  | "KEYSET_NOT_SECURED"
  /** The PD answered KEYSET with a NAK: the old key stays. */
  | "KEYSET_REFUSED"
  /** KEYSET went out and no answer came: the PD may hold the new key (kept as `.unconfirmed`). */
  | "KEYSET_UNCONFIRMED";

/** A keyset's failure: a code and what the technician should know. */
export class KeysetError extends Error {
  readonly code: KeysetErrorCode;
  constructor(code: KeysetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeysetError";
    this.code = code;
  }
}

/** What a keyset is handed: the PD's port and address, its key file, and the usual dependencies. */
export interface KeysetOptions {
  target: string;
  baudRate: number;
  address: number;
  scbkFile: string;
  factory: TransportFactory;
  logger: Logger;
  scheduler: Scheduler;
  now: () => number;
  random: RandomSource;
  /** How long the PD has to come online with its secure channel up (default 10 s). */
  secureWithinMs?: number;
  /** The control panel's timings (OSDP's by default). */
  timings?: Partial<CpTimings>;
}

/** What was done: the PD was in install mode or on its old key, and where the new key is. */
export interface KeysetOutcome {
  address: number;
  file: string;
  /** How the channel for KEYSET was set up: SCBK-D (install mode) or the key the file held. */
  via: "install" | "current-key";
}

/**
 * Sets a new random SCBK on the PD and stores it in `scbkFile` only once the PD ACKs it. A PD that
 * refuses the file's key is tried in install mode too: a reader reset to its factory settings is
 * given a key without the technician deleting the old file first (it stays until the ACK).
 */
export async function setNewKey(options: KeysetOptions): Promise<KeysetOutcome> {
  const current = currentKey(options.scbkFile);
  if (current === null) return keysetWith(options, null);
  try {
    return await keysetWith(options, current);
  } catch (err) {
    if (!(err instanceof KeysetError && err.code === "KEYSET_NOT_SECURED")) throw err;
    return keysetWith(options, null).catch((again: unknown) => {
      throw again instanceof KeysetError && again.code === "KEYSET_NOT_SECURED" ? err : again;
    });
  }
}

/** One attempt: the channel with `scbk` (null: SCBK-D), then KEYSET, then the file. */
async function keysetWith(options: KeysetOptions, scbk: Uint8Array | null): Promise<KeysetOutcome> {
  const { address, scbkFile } = options;
  // KEYSET is only ever sent sealed, so the channel is required here whatever the reader says.
  const port = new OsdpPort({ ...options, pds: [{ address, secureChannel: "required", scbk }] });
  port.start();
  try {
    const status = await secured(port, options);
    const staged = stageNewKeyFile(scbkFile, options.random);
    try {
      await port.bus.send(address, { kind: "keyset", key: staged.key });
    } catch (err) {
      throw failedKeyset(err, staged, scbkFile);
    }
    staged.commit();
    return { address, file: scbkFile, via: status.secureChannel === "install" ? "install" : "current-key" };
  } finally {
    await port.stop();
  }
}

/** The key the file holds, or null (install mode) when there is no file; a bad file is refused. */
function currentKey(file: string): Uint8Array | null {
  try {
    return readKeyFile(file);
  } catch (err) {
    if (err instanceof KeyFileError && err.code === "KEY_FILE_MISSING") return null;
    throw err;
  }
}

/** Resolves once the PD is online with its channel up; rejects when it fails or stays silent. */
async function secured(port: OsdpPort, options: KeysetOptions): Promise<PdStatus> {
  const { address, scheduler } = options;
  const ready = await whenPdReady(port.bus, address, scheduler, options.secureWithinMs ?? 10_000);
  if (ready.ok) return ready.status;
  if (ready.why === "not-secured")
    throw new KeysetError("KEYSET_NOT_SECURED", notSecured(options, ready.reason));
  throw new KeysetError(
    "KEYSET_OFFLINE",
    `no answer from PD ${address} on ${options.target} at ${options.baudRate} baud: check the wiring, the address and the speed`,
  );
}

function notSecured(options: KeysetOptions, reason: string | undefined): string {
  return `PD ${options.address} did not set up the secure channel${reason ? ` (${reason})` : ""}: put it in install mode (see its manual), or restore the key file it was last given (${options.scbkFile})`;
}

/** The error for a KEYSET that failed; the staged key is dropped, or kept when the PD may have it. */
function failedKeyset(
  err: unknown,
  staged: { discard(): void; keepAs(path: string): void },
  file: string,
): Error {
  const why = err instanceof Error ? err.message : String(err);
  if (err instanceof OsdpCommandError && err.code === "OSDP_OFFLINE") {
    const aside = `${file}.unconfirmed`;
    staged.keepAs(aside);
    return new KeysetError(
      "KEYSET_UNCONFIRMED",
      `KEYSET got no answer (${why}); ${file} is unchanged and the key sent is kept in ${aside}: if the PD no longer takes the old key, move that file over ${file}`,
      { cause: err },
    );
  }
  staged.discard();
  return new KeysetError("KEYSET_REFUSED", `the PD refused KEYSET (${why}); ${file} is unchanged`, {
    cause: err,
  });
}
