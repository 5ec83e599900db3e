/**
 * doors.md D1 and D3 in the gateway configuration: a door's inputs, timings, lock release and
 * schedule, and the site's fire inputs, with every wrong reference named by file and path.
 */
import { describe, expect, it } from "vitest";
import { doorProblems, FireInput } from "../../config/doors.js";
import { checkGatewayConfig } from "../../config/gateway.js";

const RELAYS = "relays: [{ id: board-1, driver: lcus-serial, port: /dev/ttyUSB2 }]";

describe("D1, D3: the door's fields in the gateway configuration", () => {
  it("D3: takes the issue's reference door: schedule windows as access type windows, releaseOn, firstPersonIn", () => {
    const { config, problems } = checkGatewayConfig(
      "/etc/gw.yaml",
      `${RELAYS}
doors:
  - id: pool-gate
    relay: board-1
    channel: 1
    channelB: 2
    pulseMs: 1000
    passageTimeoutSeconds: 12
    heldOpenSeconds: 45
    forcedGraceSeconds: 3
    releaseOn: de-energise
    schedule: [{ days: [sat, sun, hol], from: "08:00", to: "10:00" }]
    firstPersonIn: true
fireInputs: []
`,
    );
    expect(problems).toEqual([]);
    expect(config?.doors[0]).toMatchObject({
      passageTimeoutSeconds: 12,
      heldOpenSeconds: 45,
      forcedGraceSeconds: 3,
      releaseOn: "de-energise",
      schedule: [{ days: ["sat", "sun", "hol"], from: "08:00", to: "10:00" }],
      firstPersonIn: true,
    });
  });

  it("refuses a wrong release mode, a schedule window out of shape and a passage timeout out of range, by path", () => {
    const { problems } = checkGatewayConfig(
      "/etc/gw.yaml",
      `${RELAYS}
doors:
  - { id: d, relay: board-1, channel: 1, releaseOn: unlock, passageTimeoutSeconds: 0, schedule: [{ days: [sat], from: "10:00", to: "10:00" }] }
`,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/etc\/gw\.yaml: doors\[0\]\.releaseOn: /),
        expect.stringMatching(/^\/etc\/gw\.yaml: doors\[0\]\.passageTimeoutSeconds: /),
        expect.stringMatching(/^\/etc\/gw\.yaml: doors\[0\]\.schedule\[0\]: from and to are equal/),
      ]),
    );
  });

  it("D3: defaults a fire input to reset manual and all doors; refuses an empty door list and another reset", () => {
    expect(FireInput.parse({ input: "fire-panel" })).toEqual({ input: "fire-panel", reset: "manual" });
    expect(FireInput.safeParse({ input: "fire-panel", doors: [] }).success).toBe(false);
    expect(FireInput.safeParse({ input: "fire-panel", reset: "later" }).success).toBe(false);
  });
});

describe("D1, D3: door and fire-input references (doorProblems)", () => {
  const doc = (o: object) => ({
    inputs: [{ id: "pass-a" }, { id: "pass-b" }, { id: "contact" }, { id: "fire" }],
    ...o,
  });

  it("accepts doors and fire inputs naming inputs and doors that exist", () => {
    expect(
      doorProblems(
        doc({
          doors: [{ id: "gate", passage: "pass-a", passageB: "pass-b", contact: "contact" }],
          fireInputs: [{ input: "fire", doors: ["gate"] }],
        }),
      ),
    ).toEqual([]);
  });

  it("names an unknown input per role, an unknown door of a fire input, and says when there are no inputs at all", () => {
    expect(
      doorProblems(
        doc({
          doors: [{ id: "gate", passage: "pass-x", rex: "rex-1" }],
          fireInputs: [{ input: "panel", doors: ["gate", "gym"] }],
        }),
      ),
    ).toEqual([
      'doors[0].passage: unknown input "pass-x"',
      'doors[0].rex: unknown input "rex-1"',
      'fireInputs[0].input: unknown input "panel"',
      'fireInputs[0].doors[1]: unknown door "gym"',
    ]);
    expect(doorProblems({ doors: [{ id: "gate", contact: "c" }] })).toEqual([
      'doors[0].contact: unknown input "c" (there is no inputs section)',
    ]);
  });

  it("refuses passageB without passage, firstPersonIn without a schedule, and one input in two roles", () => {
    expect(
      doorProblems(
        doc({
          doors: [
            { id: "gate", passageB: "pass-b", firstPersonIn: true },
            { id: "gym", passage: "pass-b", contact: "contact", schedule: [{}] },
          ],
          fireInputs: [{ input: "contact" }],
        }),
      ),
    ).toEqual([
      "doors[0].passageB: needs passage (the input of direction A, or of both directions)",
      "doors[0].firstPersonIn: applies to a scheduled unlock, and the door has no schedule",
      'doors[1].passage: input "pass-b" is already used as doors[0].passageB',
      'fireInputs[0].input: input "contact" is already used as doors[1].contact',
    ]);
  });

  it("is part of checking a configuration: the problem names the file", () => {
    const { problems } = checkGatewayConfig(
      "/etc/gw.yaml",
      `${RELAYS}\ndoors: [{ id: d, relay: board-1, channel: 1, contact: door-contact }]`,
    );
    expect(problems).toContain(
      '/etc/gw.yaml: doors[0].contact: unknown input "door-contact" (there is no inputs section)',
    );
  });
});
