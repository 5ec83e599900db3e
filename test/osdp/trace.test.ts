import { describe, expect, it } from "vitest";
import { parseTrace, readTrace, withoutMark } from "./trace.js";

describe("the OSDP trace reader", () => {
  it("reads every block of both libosdp traces with its direction and bytes", () => {
    const plain = readTrace("libosdp-plain-trace.txt");
    const secure = readTrace("libosdp-sc-trace.txt");
    expect(plain).toHaveLength(26);
    expect(secure).toHaveLength(52);
    expect(plain[0]?.direction).toBe("cp");
    expect(plain[1]?.direction).toBe("pd");
    expect(
      Array.from(withoutMark(plain[0] ?? { direction: "cp", line: 0, bytes: new Uint8Array() })),
    ).toEqual([0x53, 0x05, 0x09, 0x00, 0x04, 0x61, 0x00, 0xc1, 0x25]);
  });

  it("refuses a block whose header's length does not match its bytes", () => {
    expect(() => parseTrace("< length=3 from=0 to=2\n ff 53\n")).toThrow(/line 2: expected 3 hex bytes/);
  });
});
