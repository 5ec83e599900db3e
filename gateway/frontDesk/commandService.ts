/**
 * doors.md D5: the front desk's command channel as the daemon carries a command out, whichever way
 * it came (the control socket, the central's `commands` topic): validated, refused when stale (or
 * from the future), done once per id, handed to the FrontDeskActions, and recorded as a command
 * event with who, why, where from, how it ended and the event it produced.
 */
import type { Logger } from "pino";
import { maskCard } from "../../config/cardNumber.js";
import {
  type CommandMessage,
  type CommandResult,
  CommandMessage as CommandSchema,
  MAX_CLOCK_SKEW_MS,
  rawCommandId,
  STALE_AFTER_MS,
} from "../../config/protocol/commands.js";
import type { CommandEvent } from "../../config/protocol/events.js";
import { describeIssues } from "../../config/protocol/payloads.js";
import { type ActionResult, type FrontDeskActions, FrontDeskRefusal } from "../features/frontDeskActions.js";
import { claimCommand, finishCommand } from "../store/commands.js";
import type { Store } from "../store/db.js";

/** Where a command came from: this gateway's command line, or the central. */
export type CommandOrigin = CommandEvent["origin"];

/** A command's result, with what the command line shows besides (never sent to the central). */
export interface CommandReply extends Omit<CommandResult, "id"> {
  /** Null when the request had no usable id (it was not a command). */
  id: string | null;
  /** True when the id was done before: this is its first result, and nothing was done again. */
  replayed: boolean;
  /** The command event recorded now; null for a replay or a request that was not a command. */
  commandEventId: string | null;
  /** For an `admit`: grant or deny, the reason and the member's message. */
  decision: ActionResult["decision"] | null;
  /** For `door` and `emergency`: the door events recorded. */
  doorEventIds: string[];
}

/** What a CommandService counts. */
export interface CommandCounters {
  done: number;
  refused: number;
  replayed: number;
  invalid: number;
}

/** What a CommandService is handed. */
export interface CommandServiceOptions {
  store: Store;
  gatewayId: string;
  clock: () => number;
  /** The daemon's front desk; without one every command is refused as unavailable. */
  actions: FrontDeskActions | undefined;
  logger: Logger;
  /** A command event was recorded: publish the outbox soon. */
  recorded: () => void;
}

const reply = (
  result: CommandResult | (Omit<CommandResult, "id"> & { id: string | null }),
  more: Partial<CommandReply> = {},
): CommandReply => ({
  ...result,
  replayed: false,
  commandEventId: null,
  decision: null,
  doorEventIds: [],
  ...more,
});

/** Carries out front-desk commands, each id once. */
export class CommandService {
  private readonly o: CommandServiceOptions;
  /** Commands being carried out, by id: a copy arriving meanwhile waits for the first one's result. */
  private readonly inFlight = new Map<string, Promise<CommandReply>>();
  private readonly totals: CommandCounters = { done: 0, refused: 0, replayed: 0, invalid: 0 };

  constructor(options: CommandServiceOptions) {
    this.o = options;
  }

  /** The running totals (a copy). */
  counters(): CommandCounters {
    return { ...this.totals };
  }

  /** Validates and carries out one command (any JSON value); never throws. */
  async handle(input: unknown, origin: CommandOrigin): Promise<CommandReply> {
    const parsed = CommandSchema.safeParse(input);
    if (!parsed.success) {
      this.totals.invalid++;
      const error = `invalid: ${describeIssues(parsed.error.issues)}`;
      this.o.logger.warn({ origin, commandId: rawCommandId(input), error }, "front desk: command refused");
      return reply({ id: rawCommandId(input), ok: false, error, eventId: null });
    }
    const command = parsed.data;
    const running = this.inFlight.get(command.id);
    if (running !== undefined) return { ...(await running), replayed: true, commandEventId: null };
    const run = this.run(command, origin)
      .catch((err: unknown) => this.storeFailed(command, err))
      .finally(() => this.inFlight.delete(command.id));
    this.inFlight.set(command.id, run);
    return run;
  }

  /** The cache could not say whether the id was done (a full disk): nothing is done, and the reply says so. */
  private storeFailed(command: CommandMessage, err: unknown): CommandReply {
    this.totals.refused++;
    this.o.logger.error(
      { err, commandId: command.id },
      "front desk: command not carried out (the cache failed)",
    );
    return reply({
      id: command.id,
      ok: false,
      error: `failed: the gateway's cache cannot be used (${(err as Error).message}); nothing was done`,
      eventId: null,
    });
  }

  private async run(command: CommandMessage, origin: CommandOrigin): Promise<CommandReply> {
    const now = this.o.clock();
    const claim = claimCommand(this.o.store, command.id, now);
    if (claim.state === "done") {
      this.totals.replayed++;
      this.o.logger.info({ commandId: command.id, origin }, "front desk: command replayed, not done again");
      return reply(claim.result, { replayed: true });
    }
    // A claim a stopped daemon left: whether it acted is unknown, so it is never acted on again.
    if (claim.state === "pending")
      return this.finish(command, origin, now, {
        error: "interrupted: the gateway stopped while carrying it out; see its events",
      });
    // D5: judged on arrival, before anything is done; a stale command is never carried out late.
    const age = now - Date.parse(command.at);
    if (age > STALE_AFTER_MS) return this.finish(command, origin, now, { error: "stale" });
    if (-age > MAX_CLOCK_SKEW_MS) return this.finish(command, origin, now, { error: "future" });
    const actions = this.o.actions;
    if (actions === undefined)
      return this.finish(command, origin, now, { error: "unavailable: this gateway runs no front desk" });
    try {
      const done = await act(actions, command);
      return this.finish(command, origin, this.o.clock(), { done });
    } catch (err) {
      if (err instanceof FrontDeskRefusal)
        return this.finish(command, origin, this.o.clock(), {
          error: `${err.code}: ${err.message}`,
          eventId: err.eventId,
        });
      this.o.logger.error({ err, commandId: command.id }, "front desk: command failed");
      return this.finish(command, origin, this.o.clock(), { error: `failed: ${(err as Error).message}` });
    }
  }

  /** Records the command event and the id's result; returns the reply. */
  private finish(
    command: CommandMessage,
    origin: CommandOrigin,
    now: number,
    how: { done: ActionResult } | { error: string; eventId?: string | null },
  ): CommandReply {
    const ok = "done" in how;
    const eventId = ok ? how.done.eventId : (how.eventId ?? null);
    const result: CommandResult = { id: command.id, ok, error: ok ? null : how.error, eventId };
    if (ok) this.totals.done++;
    else this.totals.refused++;
    const { id, verb, args, operator, reason } = command;
    let commandEventId: string | null = null;
    try {
      const event = finishCommand(
        this.o.store,
        this.o.gatewayId,
        {
          kind: "command",
          at: new Date(now).toISOString(),
          commandId: id,
          verb,
          args,
          operator,
          reason,
          origin,
          ok,
          error: result.error,
          eventId,
        },
        result,
        now,
      );
      commandEventId = event.id;
      this.o.recorded();
    } catch (err) {
      // The action stands; a replay of this id finds it pending and is not acted on again.
      this.o.logger.error({ err, commandId: id }, "front desk: could not record the command");
    }
    const logged = {
      commandId: id,
      verb,
      args: maskedArgs(command),
      operator,
      origin,
      ok,
      error: result.error,
    };
    if (ok) this.o.logger.info(logged, "front desk: command done");
    else this.o.logger.warn(logged, "front desk: command refused");
    return reply(result, {
      commandEventId,
      decision: ok ? (how.done.decision ?? null) : null,
      doorEventIds: ok ? (how.done.doorEventIds ?? []) : [],
    });
  }
}

/** Hands a command to its action. */
function act(actions: FrontDeskActions, c: CommandMessage): Promise<ActionResult> {
  const staff = { operator: c.operator, reason: c.reason };
  switch (c.verb) {
    case "open":
      return actions.open(c.args, staff);
    case "admit":
      return actions.admit(c.args, staff);
    case "door":
      return actions.door(c.args, staff);
    case "emergency":
      return actions.emergency(c.args, staff);
  }
}

/** A command's args for an info-level log: an admit's card masked (last 4 digits). */
function maskedArgs(c: CommandMessage): Record<string, unknown> {
  return c.verb === "admit" ? { ...c.args, card: maskCard(c.args.card) } : c.args;
}
