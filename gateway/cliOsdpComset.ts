/**
 * `accessgw osdp comset --reader R --address N [--baud B]` (issue 13 §1): moves the PD of an `osdp`
 * reader to a new address or speed — a new reader comes at its factory address and 9600 baud, and
 * readers that share one RS-485 pair each need their own address. What the configuration already
 * knows is checked before anything is sent: the address free on the port, the speed one of
 * OSDP's, and no speed change for a PD that shares its port (one bus runs at one speed). The
 * configuration is not rewritten: the lines to change in the reader's entry are printed.
 */
import { OSDP_BAUD_RATES, OSDP_MAX_ADDRESS, osdpBusKey } from "../config/osdp.js";
import { type ComSettings, ComsetError, changeComSettings, settings } from "../drivers/osdp/comset.js";
import { KeyFileError, readKeyFile } from "../drivers/osdp/keyFile.js";
import { cryptoRandom } from "../drivers/osdp/secureHandshake.js";
import { openTransport } from "../drivers/transport/transport.js";
import { realScheduler } from "../runtime/scheduler.js";
import { daemonRefusal, type OsdpCli, osdpReader } from "./cliOsdp.js";
import { usage } from "./cliParse.js";
import type { Flags } from "./cliVerbs.js";

/** Runs `osdp comset`; resolves with the exit code (0 done, 1 the PD or the daemon refused, 2 bad input). */
export async function runComset(flags: Flags, cli: OsdpCli): Promise<number> {
  const reader = osdpReader("comset", flags, cli.config);
  const others = (cli.config?.readers ?? []).filter(
    (r): r is typeof reader =>
      r.driver === "osdp" && r.id !== reader.id && osdpBusKey(r.port) === osdpBusKey(reader.port),
  );
  const from: ComSettings = { address: reader.address, baudRate: reader.baudRate };
  const to = wanted(flags, reader.id, from, others, reader.port);
  const running = await daemonRefusal("comset", reader.port, cli);
  if (running !== null) return running;
  const fail = (message: string) => {
    cli.io.err(`accessgw osdp comset: reader ${reader.id}: ${message}`);
    return 1;
  };
  let scbk: Uint8Array | null = null;
  try {
    scbk = reader.secureChannel === "off" ? null : currentKey(reader.scbkFile);
  } catch (err) {
    if (err instanceof KeyFileError) return fail(err.message);
    throw err;
  }
  let confirmed: boolean;
  try {
    ({ confirmed } = await changeComSettings({
      target: reader.port,
      from,
      to,
      secureChannel: reader.secureChannel,
      scbk,
      factory: openTransport,
      logger: cli.logger,
      scheduler: realScheduler,
      now: Date.now,
      random: cryptoRandom,
      ...(cli.secureWithinMs === undefined ? {} : { readyWithinMs: cli.secureWithinMs }),
    }));
  } catch (err) {
    if (err instanceof ComsetError) return fail(err.message);
    throw err;
  }
  const change: Partial<ComSettings> = {};
  if (to.address !== from.address) change.address = to.address;
  if (to.baudRate !== from.baudRate) change.baudRate = to.baudRate;
  if (flags.json) {
    cli.io.out(JSON.stringify({ reader: reader.id, from, to, confirmed, change }));
    return 0;
  }
  const lines = Object.entries(change).map(([field, value]) => `  ${field}: ${value}`);
  cli.io.out(
    [
      `reader ${reader.id}: the PD at ${settings(from)} now answers at ${settings(to)} (checked there${confirmed ? "" : "; its COM reply was lost on the way"}).`,
      `${flags.config ?? "The configuration"} is unchanged: in reader ${reader.id}'s entry set`,
      ...lines,
      "then start the daemon again.",
    ].join("\n"),
  );
  return 0;
}

/** The settings asked for, checked against OSDP and the readers sharing the port; bad input throws (exit 2). */
function wanted(
  flags: Flags,
  id: string,
  from: ComSettings,
  others: readonly { id: string; address: number }[],
  port: string,
): ComSettings {
  if (flags.address === undefined) throw usage("osdp comset needs --address N (the PD's new address)");
  const address = Number(flags.address);
  if (!/^\d+$/.test(flags.address) || address > OSDP_MAX_ADDRESS)
    throw usage(
      `--address must be a PD address, 0..${OSDP_MAX_ADDRESS} (${OSDP_MAX_ADDRESS + 1} is the broadcast address; found "${flags.address}")`,
    );
  const baud = flags.baud;
  const baudRate = baud === undefined ? from.baudRate : /^\d+$/.test(baud) ? Number(baud) : Number.NaN;
  if (!(OSDP_BAUD_RATES as readonly number[]).includes(baudRate))
    throw usage(`--baud must be one of OSDP's speeds, ${OSDP_BAUD_RATES.join(", ")} (found "${flags.baud}")`);
  const taken = others.find((r) => r.address === address);
  if (taken)
    throw usage(
      `address ${address} is reader ${taken.id}'s on ${port}: each PD on a bus needs its own address (free: ${freeAddress(others, from.address)}, for example)`,
    );
  if (baudRate !== from.baudRate && others.length > 0)
    throw usage(
      `every PD on ${port} runs at one speed and reader ${id} shares it with ${others.map((r) => r.id).join(", ")}: at ${baudRate} baud alone its PD would be cut off from the bus. To move the whole bus, take the other readers off ${port} in the configuration (or off the wire), change each PD's speed on its own, then put them back together at the new speed`,
    );
  if (address === from.address && baudRate === from.baudRate)
    throw usage(`reader ${id} is at ${settings(from)} already: nothing to change`);
  return { address, baudRate };
}

/** The lowest address from 1 that neither the PD nor another reader on the port has (0 is the factory's). */
function freeAddress(others: readonly { address: number }[], own: number): number {
  const used = new Set([own, ...others.map((r) => r.address)]);
  for (let a = 1; a <= OSDP_MAX_ADDRESS; a++) if (!used.has(a)) return a;
  return 0;
}

/** The key the reader's file holds; null (install mode, SCBK-D) without a file, as the daemon does. */
function currentKey(file: string | undefined): Uint8Array | null {
  if (file === undefined) return null;
  try {
    return readKeyFile(file);
  } catch (err) {
    if (err instanceof KeyFileError && err.code === "KEY_FILE_MISSING") return null;
    throw err;
  }
}
