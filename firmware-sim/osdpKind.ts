/**
 * The `osdp-bus` kind: several simulated OSDP PDs on one serial exposure (RS-485 multi-drop), each
 * with its key from the sim.yaml, from its key file, or none (install mode until a KEYSET writes
 * the file). Unplug, replug and the line faults work as for the other serial kinds.
 */
import { AccessGwError } from "../config/errors.js";
import { KeyFileError, readKeyFile } from "../drivers/osdp/keyFile.js";
import type { DeviceContext, DeviceRegistry } from "./deviceKinds.js";
import { SimOsdpBus } from "./devices/osdpBus.js";
import { OsdpPd } from "./devices/osdpPd.js";
import { lineFaults } from "./linkFaults.js";
import type { OsdpPdSpec } from "./osdpConfig.js";
import { expose, serialHandle } from "./serialKinds.js";

/** The PD's SCBK: from the sim.yaml, from its key file, or null (none yet: install mode). */
export function pdKey(deviceId: string, pd: OsdpPdSpec): Uint8Array | null {
  if (pd.scbk !== undefined) return Uint8Array.from(Buffer.from(pd.scbk, "hex"));
  if (pd.scbkFile === undefined) return null;
  try {
    return readKeyFile(pd.scbkFile);
  } catch (err) {
    if (err instanceof KeyFileError && err.code === "KEY_FILE_MISSING") return null;
    throw new AccessGwError("CONFIG_INVALID", `${deviceId}: PD ${pd.address}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** A simulated PD from its sim.yaml entry. */
export function buildPd(deviceId: string, pd: OsdpPdSpec, context: DeviceContext): OsdpPd {
  return new OsdpPd({
    address: pd.address,
    scbk: pdKey(deviceId, pd),
    installMode: pd.installMode,
    keyFile: pd.scbkFile ?? null,
    display: pd.display,
    keypad: pd.keypad,
    outputs: pd.outputs,
    inputs: pd.inputs,
    identity: pd.identity,
    clock: context.clock,
    scheduler: context.scheduler,
    fault: pd.fault,
  });
}

/** The OSDP kinds, by sim.yaml `kind`. */
export const osdpKinds: DeviceRegistry = {
  "osdp-bus": (spec, context) => {
    const exposure = expose(spec, context);
    const bus = new SimOsdpBus({
      link: exposure.link,
      pds: spec.pds.map((pd) => buildPd(spec.id, pd, context)),
      scheduler: context.scheduler,
      faults: lineFaults(spec.faults, { ...context, target: exposure }),
    });
    return serialHandle(spec, context, exposure, bus, { osdp: bus });
  },
};
