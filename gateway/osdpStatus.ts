/**
 * An `osdp` reader's PD in `accessgw status` and the console (issue 13 §6): online, the secure
 * channel, tamper and power, and which of them are problems (status exit 3): a PD offline, a
 * channel failed or on the default key where it is required, a tamper switch open. The PD's state
 * comes from the reader driver's `details()` (drivers/readers/osdpReader.ts), read by its shape so
 * this file does not depend on which reader drivers exist.
 */
import type { StatusOsdpPd } from "../config/statusDocument.js";
import { SECURE_STATES, type SecureState } from "../drivers/osdp/cpTypes.js";

/** What an osdp reader's `details()` offers that status shows (its other fields are ignored). */
interface OsdpDetails {
  driver: "osdp";
  address: number;
  online: boolean;
  secureChannel: SecureState;
  reason?: string | undefined;
  tamper: boolean;
  powerFailure: boolean;
}

/** The PD of a reader driver that reports one through `details()`; null for any other driver. */
export function osdpPdOf(driver: object | undefined): StatusOsdpPd | null {
  const details = (driver as { details?: () => unknown } | undefined)?.details?.();
  if (!isOsdpDetails(details)) return null;
  return {
    address: details.address,
    online: details.online,
    secureChannel: details.secureChannel,
    reason: details.reason ?? null,
    tamper: details.tamper,
    powerFailure: details.powerFailure,
  };
}

function isOsdpDetails(d: unknown): d is OsdpDetails {
  const o = d as Partial<OsdpDetails> | null | undefined;
  return (
    typeof o === "object" &&
    o !== null &&
    o.driver === "osdp" &&
    typeof o.address === "number" &&
    typeof o.online === "boolean" &&
    (SECURE_STATES as readonly unknown[]).includes(o.secureChannel) &&
    typeof o.tamper === "boolean" &&
    typeof o.powerFailure === "boolean"
  );
}

/**
 * The problems of a reader's PD, each naming the reader and the PD. A power failure the PD reports
 * is shown but is no problem of its own: the reader still reads (it runs on its backup or says so
 * wrongly), and a dead supply shows as offline.
 */
export function osdpProblems(readerId: string, pd: StatusOsdpPd, linkOpen: boolean): string[] {
  const at = `reader ${readerId}: OSDP PD ${pd.address}`;
  const problems: string[] = [];
  // A reader link that is down already says why (offline, channel failed): said once, not twice.
  if (linkOpen && !pd.online)
    problems.push(`${at} offline (no answer for 8 s: wiring, address, speed, power)`);
  if (linkOpen && pd.online && pd.secureChannel === "failed")
    problems.push(
      `${at} secure channel failed${pd.reason ? ` (${pd.reason})` : ""}: its card reads are refused`,
    );
  // SCBK-D is printed in the standard: a channel on it protects nothing (docs/osdp.md, keyset).
  if (pd.online && pd.secureChannel === "install")
    problems.push(`${at} in install mode (default key SCBK-D): set its key with accessgw osdp keyset`);
  if (pd.tamper) problems.push(`${at} tamper: the reader was opened or taken off the wall`);
  return problems;
}

/**
 * The secure channel's state in a technician's words (docs/osdp.md, Troubleshooting): what needs
 * action in capitals, as OFFLINE and TAMPER are; `--json` keeps the state's own name.
 */
const CHANNEL_WORDS: Record<SecureState, string> = {
  off: "off by configuration",
  none: "not set up",
  handshake: "being set up",
  established: "established",
  install: "INSTALL MODE (default key)",
  failed: "FAILED",
};

/** The PD's address, link, channel, tamper and power in one line (`status` text; the console joins with " · "). */
export function osdpStatusText(pd: StatusOsdpPd, separator = "  "): string {
  const why = pd.secureChannel === "failed" && pd.reason ? ` (${pd.reason})` : "";
  return [
    `PD ${pd.address} ${pd.online ? "online" : "OFFLINE"}`,
    `secure channel ${CHANNEL_WORDS[pd.secureChannel]}${why}`,
    pd.tamper ? "TAMPER" : "tamper ok",
    pd.powerFailure ? "POWER FAILURE" : "power ok",
  ].join(separator);
}
