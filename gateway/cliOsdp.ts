/**
 * `accessgw osdp keyset --reader R` (issue 13 §2): a new random secure channel key for the PD of an
 * `osdp` reader, stored in the reader's `scbkFile` only once the PD has taken it
 * (drivers/osdp/keyset.ts keeps that order). `accessgw osdp comset --reader R --address N
 * [--baud B]` (issue 13 §1): the PD's new address or speed, checked at the new settings
 * (drivers/osdp/comset.ts), and the lines to change in the reader's entry printed; the
 * configuration file is the technician's and is never rewritten. Both open the reader's port
 * themselves, so they refuse while a daemon runs on the data folder: the daemon holds the port, and
 * two control panels on one RS-485 bus would talk over each other. A key is never printed nor logged.
 */
import { AccessGwError } from "../config/errors.js";
import type { GatewayConfig } from "../config/gateway.js";
import { KeyFileError } from "../drivers/osdp/keyFile.js";
import { KeysetError, type KeysetOptions, type KeysetOutcome, setNewKey } from "../drivers/osdp/keyset.js";
import { cryptoRandom } from "../drivers/osdp/secureHandshake.js";
import { openTransport } from "../drivers/transport/transport.js";
import { realScheduler } from "../runtime/scheduler.js";
import { usage } from "./cliParse.js";
import type { Flags, Io } from "./cliVerbs.js";
import { otherDaemonRefusal } from "./startChecks.js";

/** What the verb needs from the command line around it. */
export interface OsdpCli {
  io: Io;
  /** The configuration --config names (null without one). */
  config: GatewayConfig | null;
  dataDir: string;
  logger: KeysetOptions["logger"];
  /** How long the PD has to come up secured (tests shorten it). */
  secureWithinMs?: number;
}

/** Runs `osdp keyset` or `osdp comset`; resolves with the exit code (0 done, 1 the PD or the daemon refused, 2 bad input). */
export async function runOsdp(args: string[], flags: Flags, cli: OsdpCli): Promise<number> {
  const [sub, ...rest] = args;
  if ((sub !== "keyset" && sub !== "comset") || rest.length > 0)
    throw usage(
      `osdp takes keyset or comset (found "${args.join(" ")}"): accessgw osdp keyset --reader R --config FILE, accessgw osdp comset --reader R --address N [--baud B] --config FILE`,
    );
  if (sub === "comset") {
    const { runComset } = await import("./cliOsdpComset.js");
    return runComset(flags, cli);
  }
  const reader = keysetReader(flags, cli.config);
  const running = await daemonRefusal("keyset", reader.port, cli);
  if (running !== null) return running;
  let outcome: KeysetOutcome;
  try {
    outcome = await setNewKey({
      target: reader.port,
      baudRate: reader.baudRate,
      address: reader.address,
      scbkFile: reader.scbkFile,
      factory: openTransport,
      logger: cli.logger,
      scheduler: realScheduler,
      now: Date.now,
      random: cryptoRandom,
      ...(cli.secureWithinMs === undefined ? {} : { secureWithinMs: cli.secureWithinMs }),
    });
  } catch (err) {
    if (!(err instanceof KeysetError || err instanceof KeyFileError)) throw err;
    cli.io.err(`accessgw osdp keyset: reader ${reader.id}: ${err.message}`);
    return 1;
  }
  const result = { reader: reader.id, address: outcome.address, file: outcome.file, via: outcome.via };
  cli.io.out(
    flags.json
      ? JSON.stringify(result)
      : `reader ${reader.id}: PD ${outcome.address} took a new key (${outcome.via === "install" ? "it was in install mode" : "replacing its old key"}); stored in ${outcome.file} (mode 0600)`,
  );
  return 0;
}

/** The exit code when a daemon runs on the data folder (it holds the port), said on stderr; else null. */
export async function daemonRefusal(sub: string, port: string, cli: OsdpCli): Promise<number | null> {
  const running = await otherDaemonRefusal(cli.dataDir);
  if (!running) return null;
  cli.io.err(
    `accessgw osdp ${sub}: the daemon is running on ${cli.dataDir} and holds ${port}; stop it (systemctl stop accessgw), run ${sub}, then start it again`,
  );
  return running.code;
}

/** The osdp reader --reader names; anything else is bad input (exit 2). */
export function osdpReader(sub: string, flags: Flags, config: GatewayConfig | null) {
  if (flags.reader === undefined) throw usage(`osdp ${sub} needs --reader ID`);
  if (config === null)
    throw usage(`osdp ${sub} needs --config FILE (the reader's port, address and key file)`);
  const reader = config.readers.find((r) => r.id === flags.reader);
  if (!reader)
    throw new AccessGwError(
      "UNKNOWN_READER",
      `unknown reader "${flags.reader}" (the config has: ${config.readers.map((r) => r.id).join(", ") || "no readers"})`,
    );
  if (reader.driver !== "osdp")
    throw usage(
      `reader "${reader.id}" is a ${reader.driver} reader; ${sub} ${sub === "keyset" ? "sets the key" : "changes the address or speed"} of an osdp reader`,
    );
  return reader;
}

/** The osdp reader for keyset, with its key file (a reader without one is bad input). */
function keysetReader(flags: Flags, config: GatewayConfig | null) {
  const reader = osdpReader("keyset", flags, config);
  const { scbkFile } = reader;
  if (scbkFile === undefined)
    throw usage(
      `reader "${reader.id}" has no scbkFile: add one to its entry (e.g. scbkFile: keys/${reader.id}.scbk), then run keyset again`,
    );
  return { ...reader, scbkFile };
}
