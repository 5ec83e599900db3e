/**
 * A simulated Tasmota device (default FullTopic `%prefix%/%topic%/`): relays switched by
 * `cmnd/<topic>/POWER<n>` that honour `PulseTime<n>` (switching themselves off on the injected
 * scheduler), and a card reader part that publishes `tele/<topic>/SENSOR` like the PN532,
 * MFRC522 (RC522), RDM6300 and Wiegand drivers do. Commands are case-insensitive, as in Tasmota; bad ones are counted and
 * answered with `{"Command":"Unknown"}` or `{"Command":"Error"}`, never a crash.
 */
import {
  DEFAULT_STATE_TEXT,
  parsePowerCommand,
  parsePulseTimePayload,
  pulseTimeMs,
  type StateText,
} from "../../drivers/codecs/tasmotaRelay.js";
import type { Scheduler } from "../../runtime/scheduler.js";
import {
  cardValue,
  type SimMqttBrokerOptions,
  SimMqttConnection,
  SimMqttDevice,
  simClientId,
} from "./mqttDeviceClient.js";
import { buzzerCountOf, displayTextOf, ReaderDisplay } from "./readerDisplay.js";
import { type RelayBoardEvents, type RelayChange, RelayStateRecorder } from "./relayState.js";

/** One card read as a Tasmota sensor driver reports it. */
export type TasmotaRead =
  | { sensor: "PN532"; uid: string; dataKey?: "DATA" | "Data" }
  | { sensor: "RC522"; uid: string }
  | { sensor: "RDM6300"; uid: string }
  | { sensor: "Wiegand"; uid: number; size: 26 | 34 | 35 | 37 | 48 };

/** Which sensor presentCard() reads with. */
export type TasmotaCardSensor = TasmotaRead["sensor"];

/**
 * How the Wiegand UID is printed: `decimal` (SetOption123 0, the default), `hex` (SetOption123 1:
 * `"UID":"3110D8h"`), `bare-hex` (SetOption123 1 on older firmware: `"UID":3110D8h`, not JSON).
 */
export type WiegandUidFormat = "decimal" | "hex" | "bare-hex";

/** What a SimTasmotaDevice is handed. */
export interface SimTasmotaDeviceOptions extends SimMqttBrokerOptions {
  /** The device topic (%topic%), e.g. "tasmota_8A3F1C". */
  topic: string;
  /** Relays POWER1..POWERn; default 1, 0 for a reader-only device. */
  relays?: number;
  /** Times PulseTime; handed in so tests can run it by hand. */
  scheduler: Scheduler;
  /** Stamps relay changes and the SENSOR "Time" (ms); default Date.now. */
  clock?: () => number;
  /** The sensor presentCard() uses; default "PN532". */
  cardSensor?: TasmotaCardSensor;
  /** How Wiegand UIDs are printed (SetOption123); default "decimal". */
  wiegandUid?: WiegandUidFormat;
  /** StateText1 (off) and StateText2 (on): the words relay states are reported with; default OFF/ON. */
  stateText?: StateText;
}

const COMMAND = /^(power|pulsetime)(\d*)$/i;

/** A Tasmota relay + reader on MQTT; start() connects, stop() disconnects cleanly. */
export class SimTasmotaDevice extends SimMqttDevice {
  private readonly topic: string;
  private readonly relayCount: number;
  private readonly scheduler: Scheduler;
  private readonly clock: () => number;
  private readonly cardSensor: TasmotaCardSensor;
  private readonly wiegandUid: WiegandUidFormat;
  private readonly stateText: StateText;
  private readonly relays: RelayStateRecorder;
  protected readonly connection: SimMqttConnection;
  private readonly pulseValues = new Map<number, number>();
  private readonly pulseTimers = new Map<number, unknown>();
  private bad = 0;

  constructor(options: SimTasmotaDeviceOptions) {
    super();
    this.topic = options.topic;
    this.relayCount = options.relays ?? 1;
    this.scheduler = options.scheduler;
    this.clock = options.clock ?? Date.now;
    this.cardSensor = options.cardSensor ?? "PN532";
    this.wiegandUid = options.wiegandUid ?? "decimal";
    this.stateText = options.stateText ?? DEFAULT_STATE_TEXT;
    this.relays = new RelayStateRecorder(this.clock);
    this.display = new ReaderDisplay(this.clock);
    this.connection = new SimMqttConnection({
      ...options,
      clientId: options.clientId ?? simClientId(`DVES_${options.topic}`),
      availability: { topic: `tele/${options.topic}/LWT`, online: "Online", offline: "Offline" },
      // Readers too: D6 feedback comes as cmnd/<topic>/Buzzer and DisplayText.
      subscriptions: [`cmnd/${options.topic}/+`],
      onMessage: (topic, payload) => this.receive(topic, payload),
    });
  }

  /** D6: what its display showed and its buzzer sounded, oldest first. */
  readonly display: ReaderDisplay;

  /** Every relay change, oldest first (`channel` is the POWER index, 1-based). */
  get history(): readonly RelayChange[] {
    return this.relays.history;
  }

  /** Commands that were not understood (unknown command, bad payload, relay index out of range). */
  get badCommands(): number {
    return this.bad;
  }

  /** Whether relay POWER<channel> is on. */
  isOn(channel: number): boolean {
    return this.relays.isOn(channel);
  }

  /** The PulseTime value last set for relay `channel` (0 = no pulse) and the duration it stands for. */
  pulseTime(channel: number): { value: number; ms: number } {
    const value = this.pulseValues.get(channel) ?? 0;
    return { value, ms: pulseTimeMs(value) };
  }

  /** Subscribes to "change"; returns a function that unsubscribes. */
  on<K extends keyof RelayBoardEvents>(event: K, listener: RelayBoardEvents[K]): () => void {
    return this.relays.on(event, listener);
  }

  /** Publishes Offline itself and disconnects; pending pulses are cancelled (relays stay as they are). */
  override async stop(): Promise<void> {
    this.cancelPulses();
    await this.connection.stop();
  }

  /** Publishes one card read on `tele/<topic>/SENSOR`; returns false when not connected. */
  present(read: TasmotaRead): boolean {
    const payload = tasmotaSensorPayload(read, this.clock(), this.wiegandUid);
    return this.connection.publish(`tele/${this.topic}/SENSOR`, payload);
  }

  /**
   * Presents a card number with the configured sensor. PN532, RC522 and RDM6300 send it as an 8-digit
   * upper-case hex UID (9357203 → "008EC793", so a reader with `cardNumber: decimal` gets the
   * number back); Wiegand sends it as a 26-bit read whose parity-free value is the number
   * (FC << 16 | CN), which must then fit in 24 bits (0 is what Tasmota sends after a parity
   * error). A string must be decimal digits. Throws RangeError for cards it cannot send.
   */
  presentCard(cardNumber: number | string): boolean {
    const card = cardValue(cardNumber);
    if (this.cardSensor === "Wiegand") {
      if (card >= 2 ** 24)
        throw new RangeError(`a 26-bit Wiegand read carries at most 24 data bits, found ${card}`);
      return this.present({ sensor: "Wiegand", uid: card, size: 26 });
    }
    if (card >= 2 ** 32) throw new RangeError(`a 4-byte UID carries at most 32 bits, found ${card}`);
    const uid = card.toString(16).toUpperCase().padStart(8, "0");
    return this.present({ sensor: this.cardSensor, uid });
  }

  /** Publishes raw text or bytes on `tele/<topic>/SENSOR` (what the gateway reads); false when offline. */
  garbage(payload: string | Uint8Array): boolean {
    return this.connection.publish(`tele/${this.topic}/SENSOR`, payload);
  }

  /** Handles one command message (also what the connection feeds it). */
  receive(topic: string, payload: Buffer | string): void {
    const prefix = `cmnd/${this.topic}/`;
    if (!topic.startsWith(prefix)) return;
    if (this.feedback(topic.slice(prefix.length).toLowerCase(), payload.toString())) return;
    const match = COMMAND.exec(topic.slice(prefix.length));
    // Tasmota treats POWER as POWER1.
    const channel = match?.[2] === "" ? 1 : Number(match?.[2]);
    if (match === null || channel < 1 || channel > this.relayCount) {
      this.reject("Unknown");
      return;
    }
    const text = payload.toString();
    if (match[1]?.toLowerCase() === "power") this.power(channel, text);
    else this.setPulseTime(channel, text);
  }

  /** D6: Buzzer and DisplayText, as a Tasmota with a buzzer and a display takes them; false for other commands. */
  private feedback(command: string, text: string): boolean {
    if (command === "displaytext") {
      this.display.show("display", displayTextOf(text));
      this.publishResult({ DisplayText: text });
      return true;
    }
    if (command !== "buzzer") return false;
    const beeps = buzzerCountOf(text);
    if (beeps === null) this.reject("Error");
    else {
      this.display.show("buzzer", `${beeps} beep${beeps === 1 ? "" : "s"}`);
      this.publishResult({ Buzzer: "Done" });
    }
    return true;
  }

  private power(channel: number, text: string): void {
    if (text.trim() === "") {
      this.report(channel);
      return;
    }
    const parsed = parsePowerCommand(text, this.stateText);
    if (!parsed.ok) {
      this.reject("Error");
      return;
    }
    const on = parsed.action === "toggle" ? !this.isOn(channel) : parsed.action === "on";
    this.switchTo(channel, on);
  }

  private setPulseTime(channel: number, text: string): void {
    if (text.trim() !== "") {
      const parsed = parsePulseTimePayload(text);
      if (!parsed.ok) {
        this.reject("Error");
        return;
      }
      this.pulseValues.set(channel, parsed.value);
    }
    const value = this.pulseTime(channel).value;
    this.publishResult({ [`PulseTime${channel}`]: { Set: value, Remaining: 0 } });
  }

  /** Switches and reports; an ON with a PulseTime (re)arms the automatic OFF, as Tasmota does. */
  private switchTo(channel: number, on: boolean): void {
    this.cancelPulse(channel);
    this.relays.set(channel, on);
    this.report(channel);
    const value = this.pulseValues.get(channel) ?? 0;
    if (!on || value === 0) return;
    const timer = this.scheduler.setTimeout(() => {
      if (this.pulseTimers.get(channel) !== timer) return;
      this.pulseTimers.delete(channel);
      this.relays.set(channel, false);
      this.report(channel);
    }, pulseTimeMs(value));
    this.pulseTimers.set(channel, timer);
  }

  private report(channel: number): void {
    const state = this.isOn(channel) ? this.stateText.on : this.stateText.off;
    this.publishResult({ [`POWER${channel}`]: state });
    this.connection.publish(`stat/${this.topic}/POWER${channel}`, state);
  }

  private reject(command: "Unknown" | "Error"): void {
    this.bad += 1;
    this.publishResult({ Command: command });
  }

  private publishResult(result: Record<string, unknown>): void {
    this.connection.publish(`stat/${this.topic}/RESULT`, JSON.stringify(result));
  }

  private cancelPulse(channel: number): void {
    const timer = this.pulseTimers.get(channel);
    if (timer === undefined) return;
    this.pulseTimers.delete(channel);
    this.scheduler.clearTimeout(timer);
  }

  private cancelPulses(): void {
    for (const channel of [...this.pulseTimers.keys()]) this.cancelPulse(channel);
  }
}

/**
 * The `tele/<topic>/SENSOR` payload for a read; `Time` is local-format ISO without zone, as
 * Tasmota prints it, and a Wiegand UID is printed as `wiegandUid` says (SetOption123).
 */
export function tasmotaSensorPayload(
  read: TasmotaRead,
  at: number,
  wiegandUid: WiegandUidFormat = "decimal",
): string {
  const Time = new Date(at).toISOString().slice(0, 19);
  switch (read.sensor) {
    case "PN532":
      return JSON.stringify({ Time, PN532: { UID: read.uid, [read.dataKey ?? "DATA"]: "" } });
    case "RC522":
      return JSON.stringify({ Time, RC522: { UID: read.uid, Type: "MIFARE 1KB" } });
    case "RDM6300":
      return JSON.stringify({ Time, RDM6300: { UID: read.uid } });
    case "Wiegand": {
      const hex = `${read.uid.toString(16).toUpperCase()}h`;
      if (wiegandUid === "decimal")
        return JSON.stringify({ Time, Wiegand: { UID: read.uid, Size: read.size } });
      if (wiegandUid === "hex") return JSON.stringify({ Time, Wiegand: { UID: hex, Size: read.size } });
      return `{"Time":"${Time}","Wiegand":{"UID":${hex},"Size":${read.size}}}`;
    }
  }
}
