/**
 * The technician's interactive prompt over a Simulator: present cards, hold/release, unplug and
 * replug devices, inject garbage, and a live line for every relay change. Streams are handed in,
 * so tests drive it through a PassThrough without a TTY.
 */
import { clearLine, createInterface, cursorTo, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { DateTime } from "luxon";
import { type LogLevel, levelShows } from "../runtime/logger.js";
import { shownText } from "./devices/readerDisplay.js";
import { OSDP_HELP, pdCommand, pdRows } from "./osdpConsole.js";
import { parseHexBytes } from "./scenario.js";
import type { ReaderShownEvent, RelayEvent, Simulator } from "./simulator.js";

/** What a SimConsole is handed. */
export interface SimConsoleOptions {
  sim: Simulator;
  input: Readable;
  output: Writable;
  /** IANA zone for timestamps; default the system's. */
  timeZone?: string;
  /** Whether the streams are a terminal (prompt redrawn after live lines); default false. */
  terminal?: boolean;
  /**
   * `--log-level`: relay and reader lines are info, device errors warn; a level above hides them
   * (warn: errors only; silent: none). Default info.
   */
  level?: LogLevel;
}

const HELP = [
  "commands:",
  "  <card>                      present a card at the default reader",
  "  present <reader> <card>     present a card once",
  "  use <reader>                make <reader> the default reader",
  "  hold <reader> <card>        keep a card in the field (rdm6300) until release",
  "  release <reader>            take the held card away",
  "  unplug <device>             pull the device's cable (the gateway sees it disconnect)",
  "  replug <device>             plug it back in",
  "  garbage <device> [hex…]     write raw bytes on its line (8 random bytes without hex)",
  "  pass in|out [<turnstile>]   push through a turnstile: its PASS output pulses active",
  "  walkaway [<turnstile>]      the member turns away: no PASS output",
  "  open|close|rex [<door>]     a door's contact opens or closes, or its REX button is pressed",
  "  alarm|reset [<panel>]       the fire panel's release contact goes active or back",
  ...OSDP_HELP,
  "  signals                     every turnstile, door and fire panel signal, active or not",
  "  devices                     list devices, where they listen, plugged and connected",
  "  relays                      every relay channel, on or off, since when",
  "  help                        this list",
  "  quit                        stop the simulator",
].join("\n");

/** Formats ms as HH:mm:ss.SSS in `zone` (the system zone when undefined). */
export function formatTime(ms: number, zone?: string): string {
  const dt = zone === undefined ? DateTime.fromMillis(ms) : DateTime.fromMillis(ms, { zone });
  return dt.toFormat("HH:mm:ss.SSS");
}

/** The live line of one relay change: `07:01:02.345  board-1 ch1 OFF (held 1002 ms)`. */
export function relayLine(event: RelayEvent, zone?: string): string {
  const held = !event.on && event.heldMs !== null ? ` (held ${event.heldMs} ms)` : "";
  return `${formatTime(event.at, zone)}  ${event.deviceId} ch${event.channel} ${event.on ? "ON" : "OFF"}${held}`;
}

/** D6: the live line of what a reader showed: `07:01:02.345  pool-in display "Piscina apre alle 08:00"`. */
export function readerLine(event: ReaderShownEvent, zone?: string): string {
  const decision = event.decision === undefined ? "" : ` (${event.decision})`;
  return `${formatTime(event.at, zone)}  ${event.deviceId} ${shownText(event)}${decision}`;
}

/** The interactive prompt; run() resolves on `quit` or when the input ends. */
export class SimConsole {
  private readonly sim: Simulator;
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly zone: string | undefined;
  private readonly terminal: boolean;
  private readonly level: LogLevel;
  private defaultReader: string | undefined;
  private rl: Interface | undefined;

  constructor(options: SimConsoleOptions) {
    this.sim = options.sim;
    this.input = options.input;
    this.output = options.output;
    this.zone = options.timeZone;
    this.terminal = options.terminal ?? false;
    this.level = options.level ?? "info";
    this.defaultReader = options.sim.readerIds()[0];
  }

  /** Reads commands until `quit` or end of input; prints live relay lines meanwhile. */
  async run(): Promise<void> {
    const rl = createInterface({
      input: this.input,
      output: this.output,
      terminal: this.terminal,
      prompt: "sim> ",
    });
    this.rl = rl;
    // Ctrl-C at the prompt ends it (readline would only pause the input otherwise).
    rl.on("SIGINT", () => rl.close());
    const offRelay = this.sim.on("relay", (e) => this.live("info", relayLine(e, this.zone)));
    const offReader = this.sim.on("reader", (e) => this.live("info", readerLine(e, this.zone)));
    const offError = this.sim.on("error", (id, err) =>
      this.live("warn", `! ${id}: ${(err as Error).message}`),
    );
    this.print(`${this.greeting()}; "help" lists commands`);
    rl.prompt();
    try {
      for await (const line of rl) {
        const keepGoing = await this.execute(line);
        if (!keepGoing) break;
        rl.prompt();
      }
    } finally {
      offRelay();
      offReader();
      offError();
      this.rl = undefined;
      rl.close();
    }
  }

  /** The first hint: a card at the default reader, or at the first OSDP PD when there is no other reader. */
  private greeting(): string {
    if (this.defaultReader !== undefined) return `type a card number to present it at ${this.defaultReader}`;
    const bus = this.sim.devices.find((d) => d.osdp !== undefined);
    const pd = bus?.osdp?.pds[0];
    if (bus === undefined || pd === undefined) return "there is no reader";
    return `type "pd ${bus.id}/${pd.address} card 123:4567" to present a card at an OSDP reader`;
  }

  /** Ends the prompt (run() resolves); for a signal that stops the simulator. */
  close(): void {
    this.rl?.close();
  }

  /** Runs one command line; false for `quit`. Errors are printed, never thrown. */
  async execute(line: string): Promise<boolean> {
    const [command, ...args] = line
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    if (command === undefined) return true;
    try {
      return await this.dispatch(command, args);
    } catch (err) {
      this.print(`! ${(err as Error).message}`);
      return true;
    }
  }

  private async dispatch(word: string, args: string[]): Promise<boolean> {
    const sim = this.sim;
    const command = word.toLowerCase();
    switch (command) {
      case "quit":
      case "exit":
        return false;
      case "help":
      case "?":
        this.print(HELP);
        return true;
      case "present": {
        const [reader, card] = need(args, 2, "present <reader> <card>");
        this.present(reader, card);
        return true;
      }
      case "use": {
        const [reader] = need(args, 1, "use <reader>");
        if (!sim.readerIds().includes(reader))
          throw new Error(`"${reader}" is not a reader (readers: ${sim.readerIds().join(", ")})`);
        this.defaultReader = reader;
        this.print(`default reader: ${reader}`);
        return true;
      }
      case "hold": {
        const [reader, card] = need(args, 2, "hold <reader> <card>");
        sim.hold(reader, card);
        this.print(`holding ${card} at ${reader} (release ${reader} to take it away)`);
        return true;
      }
      case "release": {
        const [reader] = need(args, 1, "release <reader>");
        sim.release(reader);
        this.print(`released ${reader}`);
        return true;
      }
      case "unplug":
      case "replug": {
        const [id] = need(args, 1, `${command} <device>`);
        await (command === "unplug" ? sim.unplug(id) : sim.replug(id));
        this.print(`${id} ${command}ged`);
        return true;
      }
      case "garbage": {
        const [id] = need(args, 1, "garbage <device> [hex…]");
        const hex = args.slice(1).join("");
        const r = sim.garbage(id, hex === "" ? undefined : parseHexBytes(hex));
        const bytes = Buffer.from(r.bytes)
          .toString("hex")
          .replace(/(..)(?!$)/g, "$1 ");
        this.print(
          r.sent ? `sent ${bytes} to ${id}` : `not sent (${id} is unplugged or nobody is connected)`,
        );
        return true;
      }
      case "pass": {
        const [direction, id] = need(args, 1, "pass in|out [<turnstile>]");
        if (direction !== "in" && direction !== "out") throw new Error("usage: pass in|out [<turnstile>]");
        this.act("turnstile", id, `pass-${direction}`);
        return true;
      }
      case "walkaway":
        this.act("turnstile", args[0] ?? "", "walk-away");
        return true;
      case "open":
      case "close":
      case "rex":
        this.act("door", args[0] ?? "", command);
        return true;
      case "alarm":
      case "reset":
        this.act("fire-panel", args[0] ?? "", command);
        return true;
      case "signals":
        this.printSignals();
        return true;
      case "devices":
        this.printDevices();
        return true;
      case "pd":
        this.print(pdCommand(sim, args));
        return true;
      case "pds": {
        const { header, rows } = pdRows(sim);
        this.print(rows.length === 0 ? "no OSDP buses" : table(header, rows));
        return true;
      }
      case "relays":
        this.printRelays();
        return true;
      default:
        // A bare card: digits, "FC:CN", or hex with at least one digit (so a mistyped word is not a card).
        if (args.length === 0 && /^(0x)?[0-9a-f:]*\d[0-9a-f:]*$/i.test(command)) {
          if (this.defaultReader === undefined) throw new Error("there is no reader to present the card at");
          this.present(this.defaultReader, word);
          return true;
        }
        throw new Error(`unknown command "${command}" (type help)`);
    }
  }

  private present(reader: string, card: string): void {
    const sent = this.sim.present(reader, card);
    this.print(
      sent
        ? `presented ${card} at ${reader}`
        : `${card} at ${reader}: not sent (unplugged, nobody connected, or lost to a fault)`,
    );
  }

  /** Acts at the named device, or at the only device of `kind` when none is named. */
  private act(kind: string, id: string, action: string): void {
    const candidates = this.sim.devices.filter((d) => d.kind === kind).map((d) => d.id);
    const target = id !== "" ? id : candidates.length === 1 ? candidates[0] : undefined;
    if (target === undefined)
      throw new Error(
        candidates.length === 0 ? `there is no ${kind}` : `which ${kind}? (${candidates.join(", ")})`,
      );
    this.print(`${target}: ${this.sim.act(target, action)}`);
  }

  private printSignals(): void {
    const rows = this.sim.devices.flatMap((d) =>
      (d.signals?.levels() ?? []).map((l) => [d.id, d.kind, l.name, l.on ? "ACTIVE" : "inactive"]),
    );
    this.print(rows.length === 0 ? "no door hardware" : table(["device", "kind", "signal", "level"], rows));
  }

  private printDevices(): void {
    const rows = this.sim
      .list()
      .map((d) => [
        d.id,
        d.kind,
        d.role,
        d.where,
        d.plugged ? "plugged" : "UNPLUGGED",
        d.connected === null ? "-" : d.connected ? "gateway connected" : "waiting for the gateway",
      ]);
    this.print(table(["device", "kind", "role", "where", "cable", "gateway"], rows));
  }

  private printRelays(): void {
    const rows = this.sim
      .relayTable()
      .map((r) => [
        r.deviceId,
        `ch${r.channel}`,
        r.on ? "ON" : "off",
        r.since === null ? "never switched" : formatTime(r.since, this.zone),
      ]);
    this.print(
      rows.length === 0 ? "no relay boards" : table(["relay", "channel", "state", "last change"], rows),
    );
  }

  private print(text: string): void {
    this.output.write(`${text}\n`);
  }

  /** A line that arrives between commands (relay changes, device errors), at its level. */
  private live(level: "info" | "warn", text: string): void {
    if (!levelShows(this.level, level)) return;
    // On a terminal, clear the half-typed line first (readline's cursor handling), print the line,
    // and redraw the prompt with what was typed and the cursor where it was, under it.
    if (this.terminal) {
      cursorTo(this.output, 0);
      clearLine(this.output, 0);
    }
    this.print(text);
    if (this.terminal) this.rl?.prompt(true);
  }
}

/** The first `count` arguments, or a usage error. */
function need(args: string[], count: 1 | 2, usage: string): [string, string] {
  if (args.length < count) throw new Error(`usage: ${usage}`);
  return [args[0] ?? "", args[1] ?? ""];
}

/** Left-aligned columns with a header. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
