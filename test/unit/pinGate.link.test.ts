/**
 * R21 with R17: the PIN step keeps its own repeat window per reader (a card held at the reader while
 * the PIN is typed is one presentation). When the reader's link changes, the pipeline takes the
 * next card as a new presentation; the PIN step must too, or a member who presents the card again
 * right after the reader came back is not asked for the PIN.
 */
import { describe, expect, vi } from "vitest";
import { GatewayConfig } from "../../config/gateway.js";
import type { CardEvent } from "../../drivers/readers/readerDriver.js";
import { PinGate } from "../../gateway/features/pinGate.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { ManualScheduler } from "../helpers/fakeTransport.js";
import { silentLogger } from "../helpers/logs.js";
import { GYM_PIN_READER, PIA, PIN, pinMembers } from "../helpers/pinMembers.js";

const reader = GatewayConfig.parse({
  readers: [GYM_PIN_READER],
  mqtt: { url: "mqtt://127.0.0.1:1" },
}).readers[0];

describe("the PIN step and the reader's link (R17, R21)", () => {
  test("a card presented again within the repeat window is one presentation, unless the reader's link changed in between", async ({
    store: t,
  }) => {
    if (reader === undefined) throw new Error("no reader in the test's configuration");
    pinMembers(t.store);
    let now = at("2027-03-22T10:00");
    // A card waiting for its PIN has its timeout queued here: that is how the test sees one wait.
    const scheduler = new ManualScheduler();
    const decided: { card: string; refused: boolean }[] = [];
    const gate = new PinGate({
      store: t.store,
      clock: () => now,
      scheduler,
      log: silentLogger(),
      pipeline: {
        onCard: (_r, e, pin) => decided.push({ card: e.card, refused: pin?.refusal !== undefined }),
      },
    });
    const card = () => gate.card(reader, { readerId: reader.id, card: PIA, at: now } satisfies CardEvent);
    const keys = (k: string) => gate.keypad(reader, { readerId: reader.id, keys: k, at: now });

    card();
    keys("8642#");
    await vi.waitFor(() => expect(decided).toEqual([{ card: PIA, refused: true }]));

    // Within the window: the same presentation, no PIN is asked.
    now += 1000;
    card();
    expect(scheduler.pending).toBe(0);

    // The reader went away and came back: the same card is a new presentation and asks again.
    gate.linkChanged(reader.id);
    now += 500;
    card();
    expect(scheduler.pending).toBe(1);
    keys(`${PIN}#`);
    await vi.waitFor(() =>
      expect(decided).toEqual([
        { card: PIA, refused: true },
        { card: PIA, refused: false },
      ]),
    );
  });
});
