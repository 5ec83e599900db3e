/**
 * doors.md D5: the front desk's commands done, by id (migration 11), so that a command is done once
 * per id and a replayed one gets its first result without acting again.
 */
import type { CommandResult } from "../../config/protocol/commands.js";
import type { CommandEvent } from "../../config/protocol/events.js";
import type { Store } from "./db.js";
import { recordEvent } from "./events.js";

/** How long a done id is kept: a command whose id is forgotten is long stale (60 s) by then. */
export const COMMAND_MEMORY_MS = 7 * 86_400_000;

/** What the store knows of a command id before it is carried out. */
export type CommandClaim =
  | { state: "claimed" }
  | { state: "done"; result: CommandResult }
  /** Claimed before and never finished: the daemon stopped (or crashed) while carrying it out. */
  | { state: "pending" };

/**
 * Claims `id` for carrying out (a durable 'pending' row), unless it was claimed before: then what
 * became of it. Forgets ids older than COMMAND_MEMORY_MS on the way.
 */
export function claimCommand(store: Store, id: string, now: number): CommandClaim {
  return store.db
    .transaction((): CommandClaim => {
      store.prepare("DELETE FROM commands WHERE received_at < ?").run(now - COMMAND_MEMORY_MS);
      const row = store.prepare("SELECT state, result FROM commands WHERE id = ?").get(id) as
        | { state: "pending" | "done"; result: string | null }
        | undefined;
      if (row?.state === "done" && row.result !== null)
        return { state: "done", result: JSON.parse(row.result) as CommandResult };
      if (row !== undefined) return { state: "pending" };
      store
        .prepare("INSERT INTO commands (id, received_at, state, result) VALUES (?, ?, 'pending', NULL)")
        .run(id, now);
      return { state: "claimed" };
    })
    .immediate();
}

/**
 * Records the command event and the id's result in one transaction (the event queued for the
 * central like every event); returns the event as recorded.
 */
export function finishCommand(
  store: Store,
  gatewayId: string,
  event: Omit<CommandEvent, "id" | "seq">,
  result: CommandResult,
  now: number,
): CommandEvent {
  return store.db
    .transaction(() => {
      const recorded = recordEvent(store, gatewayId, event);
      store
        .prepare(
          `INSERT INTO commands (id, received_at, state, result) VALUES (?, ?, 'done', ?)
           ON CONFLICT (id) DO UPDATE SET state = 'done', result = excluded.result`,
        )
        .run(result.id, now, JSON.stringify(result));
      return recorded;
    })
    .immediate();
}
