/**
 * `accessgw osdp keyset --reader R` (issue 13 §2): a new random secure channel key for the PD of an
 * `osdp` reader, stored in the reader's `scbkFile` only once the PD has taken it
 * (drivers/osdp/keyset.ts keeps that order). The command opens the reader's port itself, so it
 * refuses while a daemon runs on the data folder: the daemon holds the port, and two control
 * panels on one RS-485 bus would talk over each other. The key is never printed nor logged.
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

/** Runs `osdp keyset`; resolves with the exit code (0 done, 1 the PD or the daemon refused, 2 bad input). */
export async function runOsdp(args: string[], flags: Flags, cli: OsdpCli): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "keyset" || rest.length > 0)
    throw usage(
      `osdp takes keyset (found "${args.join(" ")}"): accessgw osdp keyset --reader R --config FILE`,
    );
  const reader = osdpReader(flags, cli.config);
  const running = await otherDaemonRefusal(cli.dataDir);
  if (running) {
    cli.io.err(
      `accessgw osdp keyset: the daemon is running on ${cli.dataDir} and holds ${reader.port}; stop it (systemctl stop accessgw), run keyset, then start it again`,
    );
    return running.code;
  }
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

/** The osdp reader --reader names, with its key file; anything else is bad input (exit 2). */
function osdpReader(flags: Flags, config: GatewayConfig | null) {
  if (flags.reader === undefined) throw usage("osdp keyset needs --reader ID");
  if (config === null)
    throw usage("osdp keyset needs --config FILE (the reader's port, address and key file)");
  const reader = config.readers.find((r) => r.id === flags.reader);
  if (!reader)
    throw new AccessGwError(
      "UNKNOWN_READER",
      `unknown reader "${flags.reader}" (the config has: ${config.readers.map((r) => r.id).join(", ") || "no readers"})`,
    );
  if (reader.driver !== "osdp")
    throw usage(`reader "${reader.id}" is a ${reader.driver} reader; keyset sets the key of an osdp reader`);
  const { scbkFile } = reader;
  if (scbkFile === undefined)
    throw usage(
      `reader "${reader.id}" has no scbkFile: add one to its entry (e.g. scbkFile: keys/${reader.id}.scbk), then run keyset again`,
    );
  return { ...reader, scbkFile };
}
