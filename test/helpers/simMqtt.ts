/** What the simulator's MQTT device tests share besides the harness's broker, watcher and starter. */
import { ManualScheduler } from "./fakeTransport.js";

/** A ManualScheduler that also remembers the delay of every timer. */
export class RecordingScheduler extends ManualScheduler {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}
