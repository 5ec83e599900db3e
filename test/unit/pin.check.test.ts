import { randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkGatewayConfig } from "../../config/gateway.js";
import { Member } from "../../config/members.js";
import { parsePinHash } from "../../config/pinHash.js";
import { checkPin } from "../../gateway/pinCheck.js";

/** A PHC string for `pin`, made here with Node's scrypt (ln=10 keeps the tests quick). */
function phc(pin: string, ln = 10, r = 8, p = 1): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32, { N: 2 ** ln, r, p });
  const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`;
}

// Computed outside Node (Python's hashlib.scrypt): PIN "4711", salt "accessgw-pin-kat", R21's parameters.
const KNOWN = "$scrypt$ln=14,r=8,p=1$YWNjZXNzZ3ctcGluLWthdA$PVm4GSVpMFmmwkpHwyNIr/YSGrjLjcoGI8B18GwYEBs";
// PIN "0042" (a leading zero is a digit like any other), salt "saltsalt", ln=10, p=2.
const KNOWN_P2 = "$scrypt$ln=10,r=8,p=2$c2FsdHNhbHQ$X5om0psGdQ57szh0510z23OJCUMyeKEuymXc9s60qmk";

describe("R21: the pinHash PHC string", () => {
  it("R21: parses the parameters, the salt as raw bytes and the 32-byte hash", () => {
    const parsed = parsePinHash(KNOWN);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.parts).toMatchObject({ ln: 14, r: 8, p: 1 });
    expect(parsed.parts.salt.toString("utf8")).toBe("accessgw-pin-kat");
    expect(parsed.parts.hash).toHaveLength(32);
  });

  it.each([
    ["a bare PIN", "4711", "expected a PHC string"],
    ["another algorithm", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA", "expected a PHC string"],
    ["padded base64", `${KNOWN}=`, "expected a PHC string"],
    [
      "a short hash",
      "$scrypt$ln=14,r=8,p=1$YWNjZXNzZ3ctcGluLWthdA$PVm4GSVpMFmmwkpH",
      "hash: expected 32 bytes",
    ],
    [
      "a short salt",
      "$scrypt$ln=14,r=8,p=1$c2FsdA$PVm4GSVpMFmmwkpHwyNIr/YSGrjLjcoGI8B18GwYEBs",
      "salt: expected at least 8",
    ],
    [
      "too much memory",
      "$scrypt$ln=20,r=8,p=1$YWNjZXNzZ3ctcGluLWthdA$PVm4GSVpMFmmwkpHwyNIr/YSGrjLjcoGI8B18GwYEBs",
      "MiB per check",
    ],
    [
      "ln=0",
      "$scrypt$ln=0,r=8,p=1$YWNjZXNzZ3ctcGluLWthdA$PVm4GSVpMFmmwkpHwyNIr/YSGrjLjcoGI8B18GwYEBs",
      "ln=0",
    ],
  ])("R21: refuses %s with a reason that names what is wrong", (_what, text, problem) => {
    const parsed = parsePinHash(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });

  it("R21: a member with a bad pinHash is refused by name, never stored without it", () => {
    const bad = Member.safeParse({ id: "m-1", pinHash: "1234" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ["pinHash"] });
    expect(bad.error?.issues[0]?.message).toContain("PHC string");
    // The refusal does not echo the string: it may be a PIN typed where the hash belongs.
    expect(JSON.stringify(bad.error?.issues)).not.toContain('"1234"');
    expect(Member.parse({ id: "m-1", pinHash: KNOWN }).pinHash).toBe(KNOWN);
    expect(Member.parse({ id: "m-1" }).pinHash).toBeUndefined();
  });
});

describe("R21: checking a PIN with scrypt", () => {
  it("R21: matches the known-answer string computed outside Node, and nothing else", async () => {
    expect(await checkPin("4711", KNOWN)).toBe(true);
    expect(await checkPin("4712", KNOWN)).toBe(false);
    expect(await checkPin("4711#", KNOWN)).toBe(false);
    expect(await checkPin("0042", KNOWN_P2)).toBe(true);
    expect(await checkPin("42", KNOWN_P2)).toBe(false);
  });

  it("R21: uses the parameters written in the string (a hash made here with r=4, p=2)", async () => {
    const hash = phc("90210", 11, 4, 2);
    expect(await checkPin("90210", hash)).toBe(true);
    expect(await checkPin("90211", hash)).toBe(false);
  });

  it("R21: a damaged string never matches", async () => {
    expect(await checkPin("4711", "$scrypt$ln=14,r=8,p=1$garbage")).toBe(false);
  });
});

describe("R21: check refuses a PIN a reader cannot take", () => {
  const config = (reader: string) =>
    [
      "gateway: { id: gw-1 }",
      "mqtt: { url: mqtt://127.0.0.1:1883 }",
      `readers: [{ id: r1, area: gym, direction: in, ${reader} }]`,
      "doors: []",
      "relays: []",
    ].join("\n");

  it("R21: accepts pin on mqtt-tasmota, with windows and a timeout", () => {
    const text = config(
      'driver: mqtt-tasmota, topic: gym-reader, pin: { windows: [{ days: [mon], from: "20:00", to: "06:00" }] }, pinTimeoutSeconds: 20',
    );
    expect(checkGatewayConfig("gw.yaml", text).problems).toEqual([]);
  });

  it("R21: accepts pin on an osdp reader (a PD's keypad)", () => {
    const text = config("driver: osdp, port: /dev/ttyUSB0, address: 1, secureChannel: off, pin: always");
    expect(checkGatewayConfig("gw.yaml", text).problems).toEqual([]);
  });

  it("R21: refuses pin on a driver without a keypad, naming the drivers that have one", () => {
    const text = config("driver: mqtt-text, topic: x/card, pin: always");
    expect(checkGatewayConfig("gw.yaml", text).problems).toEqual([
      "gw.yaml: readers[0].pin: driver mqtt-text has no keypad; a PIN needs one of mqtt-tasmota, osdp (R21)",
    ]);
    expect(
      checkGatewayConfig("gw.yaml", config("driver: mqtt-text, topic: x/card, pin: never")).problems,
    ).toEqual([]);
  });

  it("R21: refuses pin on an exit reader", () => {
    const text = config("driver: mqtt-tasmota, topic: gym-reader, pin: always").replace(
      "direction: in",
      "direction: out",
    );
    expect(checkGatewayConfig("gw.yaml", text).problems).toEqual([
      "gw.yaml: readers[0].pin: exits never ask for a PIN (R21); use pin: never",
    ]);
  });
});
