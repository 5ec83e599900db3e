import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FireInput } from "../../config/doors.js";
import { Door } from "../../config/gateway.js";
import { Member } from "../../config/members.js";

const doc = readFileSync("docs/doors.md", "utf8");
/** Every YAML block of docs/doors.md, parsed. */
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
  (m) => parse((m[1] ?? "").replace(/^ {2}/gm, "")) as Record<string, unknown[]>,
);

describe("docs/doors.md's examples are what the gateway reads", () => {
  it("D2, D3: every door, fire input and member in its YAML examples parses", () => {
    const doors = blocks.flatMap((b) => b.doors ?? []);
    const fires = blocks.flatMap((b) => b.fireInputs ?? []);
    const members = blocks.flatMap((b) => b.members ?? []);
    expect(doors.map((d) => Door.parse(d).id)).toEqual(["pool-gate", "pool-gate", "gym-door"]);
    expect(fires.map((f) => FireInput.parse(f).reset)).toEqual(["manual"]);
    expect(members.map((m) => Member.parse(m).lockdownAccess)).toEqual([true]);
  });
});
