/**
 * doors.md D5 over sync: a command from the central on `P/gateways/G/commands` is carried out (the
 * command service validates it, judges its age and its id) and its result published on
 * `P/gateways/G/command-results`, also for a stale, refused or replayed one.
 */
import type { Logger } from "pino";
import { type CommandResult, rawCommandId } from "../../config/protocol/commands.js";
import { decodeJson } from "../../config/protocol/payloads.js";
import { SYNC_QOS } from "../../config/protocol/topics.js";
import type { MqttLink, MqttMessage } from "../../drivers/mqtt/mqttTypes.js";

/** Carries out a command (any JSON value) and resolves with its result; the id is null when it had none. */
export type CommandHandler = (input: unknown) => Promise<Omit<CommandResult, "id"> & { id: string | null }>;

/** What answerCommand works with. */
export interface CommandChannelDeps {
  link: MqttLink;
  resultsTopic: string;
  /** The daemon's command service; without one a command is answered as unavailable. */
  handle?: CommandHandler;
  logger: Logger;
  /** Logs and counts a payload refused (sync.md: bad payloads are logged with their topic, counted). */
  dropped: (problem: string) => void;
  stopped: () => boolean;
}

/**
 * Carries out one command message and publishes its result (QoS 1). A payload without a usable id
 * can get no result: logged, counted and dropped. Never rejects.
 */
export async function answerCommand(
  deps: CommandChannelDeps,
  m: MqttMessage,
  maxBytes: number,
): Promise<void> {
  const json = decodeJson(m.payload, maxBytes);
  if (!json.ok) return deps.dropped(`${m.topic}: commands refused: ${json.why}`);
  const result = deps.handle
    ? await deps.handle(json.value)
    : {
        id: rawCommandId(json.value),
        ok: false,
        error: "unavailable: this gateway runs no front desk",
        eventId: null,
      };
  if (result.error?.startsWith("invalid: ")) deps.dropped(`${m.topic}: commands refused: ${result.error}`);
  if (result.id === null || deps.stopped()) return;
  const { id, ok, error, eventId } = result;
  try {
    await deps.link.publish(deps.resultsTopic, JSON.stringify({ id, ok, error, eventId }), { qos: SYNC_QOS });
  } catch (err) {
    // The command event reaches the central with the outbox; a copy of the command gets the result again.
    deps.logger.warn({ err, commandId: id }, "sync: could not publish a command's result");
  }
}
