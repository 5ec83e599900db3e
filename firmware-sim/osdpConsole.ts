/**
 * The simulator prompt's OSDP commands: `pd <bus>/<address> …` acts at one PD (a card, keys,
 * tamper, power, a fault, dropping the secure session), `pds` lists every PD with what it shows
 * (LED, text, outputs) and its secure channel, tamper and power state.
 */
import { AccessGwError } from "../config/errors.js";
import { PD_CARD_FORMATS, type PdCardFormat } from "./devices/osdpCard.js";
import { PD_FAULTS, type PdFault } from "./devices/osdpPd.js";
import { applyPdAction } from "./pdScenario.js";
import type { PdAction } from "./scenario.js";
import type { Simulator } from "./simulator.js";

/** The help lines of the OSDP commands. */
export const OSDP_HELP = [
  "  pd <bus>/<addr> card <card> [format] [bits]  a card at an OSDP PD (123:4567, H10301 by default; raw: hex)",
  "  pd <bus>/<addr> keys <digits>   keys typed at its keypad (0-9, *, #)",
  "  pd <bus>/<addr> tamper on|off   its case opened or closed",
  "  pd <bus>/<addr> power ok|fail   its power supply back or lost",
  `  pd <bus>/<addr> fault <fault>   ${PD_FAULTS.join(", ")}`,
  "  pd <bus>/<addr> drop            drop its secure session",
  "  pds                         every OSDP PD: secure channel, LED, text, outputs, tamper, power",
];

const USAGE = "pd <bus>/<address> card|keys|tamper|power|fault|drop …";

/** Runs `pd <bus>/<address> <action> …`; returns what was done in words; throws USAGE on bad input. */
export function pdCommand(sim: Simulator, args: readonly string[]): string {
  const [target = "", verb = "", value = "", ...rest] = args;
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(target);
  if (match === null) throw new AccessGwError("USAGE", `usage: ${USAGE} (e.g. pd osdp-bus/1 card 123:4567)`);
  const device = match[1] ?? "";
  const address = Number(match[2]);
  const pd = sim.pd(device, address);
  return applyPdAction(pd, { device, address, ...pdAction(verb, value, rest) });
}

function pdAction(
  verb: string,
  value: string,
  rest: readonly string[],
): Omit<PdAction, "device" | "address"> {
  const wrong = (what: string) => new AccessGwError("USAGE", `pd ${verb}: ${what}`);
  switch (verb) {
    case "card": {
      if (value === "") throw wrong("which card? (e.g. 123:4567)");
      const [format = "H10301", bits] = rest;
      if (!PD_CARD_FORMATS.includes(format as PdCardFormat))
        throw wrong(`"${format}" is not a card format (${PD_CARD_FORMATS.join(", ")})`);
      return {
        card: value,
        format: format as PdCardFormat,
        ...(bits === undefined ? {} : { bits: Number(bits) }),
      };
    }
    case "keys":
      if (!/^[0-9*#]+$/.test(value)) throw wrong(`expected digits, * and #, found "${value}"`);
      return { keys: value };
    case "tamper":
      if (value !== "on" && value !== "off") throw wrong("expected on or off");
      return { tamper: value === "on" };
    case "power":
      if (value !== "ok" && value !== "fail") throw wrong("expected ok or fail");
      return { power: value };
    case "fault":
      if (!PD_FAULTS.includes(value as PdFault)) throw wrong(`expected one of ${PD_FAULTS.join(", ")}`);
      return { fault: value as PdFault };
    case "drop":
      return { dropSession: true };
    default:
      throw new AccessGwError("USAGE", `usage: ${USAGE}`);
  }
}

/** The `pds` table: a row per PD of every osdp-bus. */
export function pdRows(sim: Simulator): { header: string[]; rows: string[][] } {
  const rows = sim.devices.flatMap((d) =>
    (d.osdp?.pds ?? []).map((pd) => [
      `${d.id}/${pd.address}`,
      pd.hasKey ? pd.secureState : `${pd.secureState}, no key (install mode)`,
      pd.panel.ledColor(),
      pd.panel.textLines().join(" | ") || "-",
      pd.panel.outputs.history.length === 0
        ? "-"
        : [...new Set(pd.panel.outputs.history.map((c) => c.channel))]
            .sort((a, b) => a - b)
            .map((o) => `${o}:${pd.panel.outputs.isOn(o) ? "ON" : "off"}`)
            .join(" "),
      pd.tamper ? "TAMPER" : "ok",
      pd.powerFailure ? "FAIL" : "ok",
      pd.fault,
    ]),
  );
  return { header: ["pd", "secure channel", "led", "text", "outputs", "tamper", "power", "fault"], rows };
}
