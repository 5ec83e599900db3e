/**
 * Issue 13 §1, osdp.md "A PD that stops answering": a write that never settles (a serial port that
 * vanished mid-write) still ends in a reply timeout, so the PD goes offline after 8 s instead of the
 * bus waiting on the write for ever.
 */
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { advance, rig, secureReader } from "./cpRig.js";

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

it("reports a PD offline 8 s after its last reply even when the port's writes hang", async () => {
  const { line, bus } = rig([secureReader()]);
  await advance(100);
  expect(bus.status()[0]).toMatchObject({ online: true });
  line.write = () => new Promise<void>(() => {});
  await advance(7_000);
  expect(bus.status()[0]).toMatchObject({ online: true });
  await advance(3_000);
  expect(bus.status()[0]).toMatchObject({ online: false });
});
