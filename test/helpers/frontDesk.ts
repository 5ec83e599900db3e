/**
 * A recording fake of the daemon's FrontDeskActions (gateway/features/frontDeskActions.ts): it keeps
 * every call, answers with a result made from the call's number, or refuses when told to, and can
 * hold a call until the test lets it finish. The command channel's tests use it in place of the
 * door logic, which has tests of its own.
 */
import type { ActionResult, FrontDeskActions, Staff } from "../../gateway/features/frontDeskActions.js";
import { FrontDeskRefusal } from "../../gateway/features/frontDeskActions.js";

/** One call the fake received. */
export interface FrontDeskCall {
  verb: "open" | "admit" | "door" | "emergency";
  args: unknown;
  staff: Staff;
}

/** What the fake does with the next calls. */
export interface FrontDeskScript {
  /** Refuse every call with this code and message (and a decision event, for a denied admit). */
  refuse?: { code: string; message: string; eventId?: string };
  /** Hold every call until `release()`. */
  hold?: boolean;
}

/** The fake and what it saw. */
export interface RecordingFrontDesk {
  actions: FrontDeskActions;
  calls: FrontDeskCall[];
  script: FrontDeskScript;
  /** Lets the held calls finish. */
  release(): void;
}

/**
 * A FrontDeskActions that records its calls. `open` and `admit` answer with a decision event id
 * `gw-1:<100 + call number>`, `admit` with a grant; `door` and `emergency` with one door event id.
 */
export function recordingFrontDesk(script: FrontDeskScript = {}): RecordingFrontDesk {
  const calls: FrontDeskCall[] = [];
  let releaseHeld: () => void = () => {};
  let held = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  const fake: RecordingFrontDesk = {
    calls,
    script,
    release: () => {
      releaseHeld();
      held = Promise.resolve();
    },
    actions: {
      open: (args, staff) => answer("open", args, staff),
      admit: (args, staff) => answer("admit", args, staff),
      door: (args, staff) => answer("door", args, staff),
      emergency: (args, staff) => answer("emergency", args, staff),
    },
  };
  async function answer(verb: FrontDeskCall["verb"], args: unknown, staff: Staff): Promise<ActionResult> {
    calls.push({ verb, args, staff });
    const n = calls.length;
    if (fake.script.hold) await held;
    const refusal = fake.script.refuse;
    if (refusal) throw new FrontDeskRefusal(refusal.code, refusal.message, refusal.eventId ?? null);
    if (verb === "open") return { eventId: `gw-1:${100 + n}` };
    if (verb === "admit")
      return {
        eventId: `gw-1:${100 + n}`,
        decision: { decision: "grant", reason: "staff_override", message: "Welcome" },
      };
    return { eventId: null, doorEventIds: [`gw-1:${200 + n}`] };
  }
  return fake;
}
