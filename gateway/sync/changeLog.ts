/**
 * The daemon's log of what a synced config or member payload changed (issue 10 §7): one info line
 * per change, as `accessgw import` prints them, or one line of counts when a payload changed many
 * records (a sync answer of thousands of members must not flood the log).
 */
import type { Logger } from "pino";
import { type ChangeReport, changeText, countsText } from "../store/changeSet.js";

/** Changes logged one line each; a payload with more gets one summary line instead. */
export const LOGGED_CHANGES = 20;

/** Logs what `what` (e.g. `sync: config rev 12`) changed; nothing when it changed nothing. */
export function logChanges(logger: Logger, what: string, report: ChangeReport, context: object): void {
  const total = report.listed.length + report.notListed;
  if (total === 0) return;
  if (total <= LOGGED_CHANGES) {
    for (const change of report.listed) logger.info({ ...context, change }, `${what}: ${changeText(change)}`);
    return;
  }
  logger.info({ ...context, counts: report.counts, changes: total }, `${what}: ${countsText(report.counts)}`);
}
