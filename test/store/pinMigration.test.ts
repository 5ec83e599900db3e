/**
 * Migration 18 (R21): a version-17 cache gains the members' PIN hash and the wrong-PIN counts; the
 * members stay, with no PIN set. Then the hash is stored by an import, and the lock-out is kept.
 */
import { describe, expect } from "vitest";
import { memberBalance } from "../../gateway/decisions.js";
import {
  clearPinFailures,
  PIN_LOCK_MS,
  pinHolder,
  pinLockedUntil,
  recordWrongPin,
} from "../../gateway/store/pinLockout.js";
import { test } from "../harness/index.js";
import { at } from "../helpers/build.js";
import { asVersion17 } from "../helpers/packedRows.js";
import { importExamples, importInputs } from "./storeHelpers.js";

const HASH = "$scrypt$ln=14,r=8,p=1$YWNjZXNzZ3ctcGluLWthdA$PVm4GSVpMFmmwkpHwyNIr/YSGrjLjcoGI8B18GwYEBs";

describe("R21: migration 18 and the PIN store", () => {
  test("R21: a version-17 cache migrates: members kept with no PIN, then an import stores the hash", ({
    store: t,
  }) => {
    importExamples(t.store);
    asVersion17(t.store);
    const store = t.reopen();
    expect(store.db.pragma("user_version", { simple: true })).toBe(18);
    expect(pinHolder(store, "1234567")).toEqual({ memberId: "m-anna", locale: null, pinHash: null });
    importInputs(store, [
      { name: "pin.yaml", value: { members: [{ id: "m-pia", cards: [{ number: "42" }], pinHash: HASH }] } },
    ]);
    expect(pinHolder(store, "42")?.pinHash).toBe(HASH);
    const now = at("2027-03-22T10:00");
    expect(memberBalance(store, { member: "m-pia" }, now).pinSet).toBe(true);
    expect(memberBalance(store, { member: "m-anna" }, now).pinSet).toBe(false);
  });

  test("R21: the fifth wrong PIN in a row locks the card for 15 minutes; a right one starts the count again", ({
    store: t,
  }) => {
    const s = t.store;
    const now = at("2027-03-22T10:00");
    for (let i = 0; i < 4; i++) expect(recordWrongPin(s, "42", now + i)).toBeNull();
    clearPinFailures(s, "42");
    for (let i = 0; i < 4; i++) expect(recordWrongPin(s, "42", now + i)).toBeNull();
    expect(pinLockedUntil(s, "42", now)).toBeNull();
    expect(recordWrongPin(s, "42", now + 10)).toBe(now + 10 + PIN_LOCK_MS);
    expect(pinLockedUntil(s, "42", now + 10 + PIN_LOCK_MS - 1)).toBe(now + 10 + PIN_LOCK_MS);
    expect(pinLockedUntil(s, "42", now + 10 + PIN_LOCK_MS)).toBeNull();
    // After the lock, the count starts from nothing: one wrong PIN does not lock again.
    expect(recordWrongPin(s, "42", now + 10 + PIN_LOCK_MS)).toBeNull();
    expect(pinLockedUntil(s, "99", now)).toBeNull();
  });
});
