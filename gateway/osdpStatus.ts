/**
 * An `osdp` reader's PD in `accessgw status` and the console (issue 13 §6): online, the secure
 * channel, tamper and power, and which of them are problems (status exit 3): a PD offline, a
 * channel failed or on the default key where it is required, a tamper switch open.
 */
import type { StatusOsdpPd } from "../config/statusDocument.js";
import type { PdStatus } from "../drivers/osdp/cpTypes.js";

/** The status document's form of the control panel's PdStatus. */
export function osdpPdStatus(pd: PdStatus): StatusOsdpPd {
  return {
    address: pd.address,
    online: pd.online,
    secureChannel: pd.secureChannel,
    reason: pd.reason ?? null,
    tamper: pd.tamper,
    powerFailure: pd.powerFailure,
  };
}

/**
 * The problems of a reader's PD, each naming the reader and the PD. A power failure the PD reports
 * is shown but is no problem of its own: the reader still reads (it runs on its backup or says so
 * wrongly), and a dead supply shows as offline.
 */
export function osdpProblems(readerId: string, pd: StatusOsdpPd): string[] {
  const at = `reader ${readerId}: OSDP PD ${pd.address}`;
  const problems: string[] = [];
  if (!pd.online) problems.push(`${at} offline (no answer for 8 s: wiring, address, speed, power)`);
  if (pd.online && pd.secureChannel === "failed")
    problems.push(
      `${at} secure channel failed${pd.reason ? ` (${pd.reason})` : ""}: its card reads are refused`,
    );
  // SCBK-D is printed in the standard: a channel on it protects nothing (docs/osdp.md, keyset).
  if (pd.online && pd.secureChannel === "install")
    problems.push(`${at} in install mode (default key SCBK-D): set its key with accessgw osdp keyset`);
  if (pd.tamper) problems.push(`${at} tamper: the reader was opened or taken off the wall`);
  return problems;
}

/** The PD's address, link, channel, tamper and power in one line (`status` text; the console joins with " · "). */
export function osdpStatusText(pd: StatusOsdpPd, separator = "  "): string {
  const channel = pd.secureChannel === "failed" && pd.reason ? `failed (${pd.reason})` : pd.secureChannel;
  return [
    `PD ${pd.address} ${pd.online ? "online" : "OFFLINE"}`,
    `secure channel ${channel}`,
    pd.tamper ? "TAMPER" : "tamper ok",
    pd.powerFailure ? "POWER FAILURE" : "power ok",
  ].join(separator);
}
