import { describe, expect, it } from "vitest";
import { normaliseKeys } from "../../drivers/readers/keypad.js";

describe("R21: keypad keys", () => {
  it("R21: keeps 0-9, * and # as they are", () => {
    expect(normaliseKeys("0123456789*#")).toBe("0123456789*#");
  });

  it("R21: OSDP's # (0x0D) and * (0x7F) become # and *", () => {
    expect(normaliseKeys(Uint8Array.of(0x31, 0x32, 0x7f, 0x34, 0x0d))).toBe("12*4#");
    expect(normaliseKeys("12\r")).toBe("12#");
  });

  it("R21: anything else is no key", () => {
    expect(normaliseKeys("12a")).toBeNull();
    expect(normaliseKeys(Uint8Array.of(0x0a))).toBeNull();
    expect(normaliseKeys("")).toBeNull();
  });
});
