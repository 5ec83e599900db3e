/**
 * Migration 16 (issue 12 §3): the packed ledger and visits give back exactly what was packed —
 * unicode ids, negative amounts, undone and local flags, nulls, instants to the millisecond — with
 * the codes of a real cache's dictionary, which survives a reopen.
 */
import fc from "fast-check";
import { describe, expect } from "vitest";
import { Store } from "../../gateway/store/db.js";
import type { CodeBook, PackedEntry, PackedVisit } from "../../gateway/store/packedCodec.js";
import {
  decodeLedger,
  decodeVisits,
  encodeLedger,
  encodeVisits,
  sortVisits,
} from "../../gateway/store/packedCodec.js";
import { codeBook } from "../../gateway/store/packedCodes.js";
import { readLedger, readVisits, writeLedger, writeVisits } from "../../gateway/store/packedHistory.js";
import { it } from "../harness/index.js";

/** Ids as the central and gateways make them, and any unicode text (1–200 characters, as the schema allows). */
const id = fc.oneof(
  fc
    .tuple(fc.constantFrom("srv", "gw-1", "turin"), fc.nat(99_999), fc.nat(9))
    .map(([g, n, k]) => `${g}:${n}:${k}`),
  fc.string({ unit: "binary", minLength: 1, maxLength: 200 }),
  // Trailing numbers that step from one id to the next, and some that must not be read as numbers.
  fc
    .tuple(
      fc.constantFrom("gw-1:", "srv:1:0:", "é:", ""),
      fc.oneof(fc.nat(30).map(String), fc.constantFrom("0", "00", "007", "999999999999", "1000000000000")),
    )
    .filter(([stem, n]) => stem.length + n.length > 0)
    .map(([stem, n]) => stem + n),
);
/** Instants from 1970 to 2100, whole seconds or not. */
const instant = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800 }).map((s) => s * 1000),
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
);
const text = fc.oneof(
  fc.constantFrom("pool", "gym", "swim-10", "central", "local"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
);

const entry: fc.Arbitrary<PackedEntry> = fc.record({
  id,
  amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  at: instant,
  area: fc.option(text, { nil: null }),
  accessType: fc.option(text, { nil: null }),
  kind: fc.constantFrom("usage", "refund", "deduction", "addition"),
  origin: text,
});

const visit: fc.Arbitrary<PackedVisit> = fc.record({
  id,
  at: instant,
  // Mostly one of a member's few packs, so that "as the visit before" is exercised.
  multipack: fc.option(fc.oneof(fc.constantFrom("mp-1-0", "mp-1-1"), id), { nil: null }),
  product: fc.option(text, { nil: null }),
  accessType: fc.option(text, { nil: null }),
  area: text,
  credits: fc.integer({ min: 0, max: 1_000_000 }),
  site: fc.option(text, { nil: null }),
  undone: fc.boolean(),
  local: fc.boolean(),
});

/** A dictionary in memory, as the cache's behaves: a text keeps its first code. */
function memoryCodes(): CodeBook {
  const texts: string[] = [];
  return {
    code: (t) => {
      const i = texts.indexOf(t);
      return i >= 0 ? i : texts.push(t) - 1;
    },
    text: (c) => texts[c] as string,
  };
}

describe("packed history (migration 16)", () => {
  it("R16: a multipack's ledger entries come back exactly, in the order packed", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), (entries) => {
        const codes = memoryCodes();
        expect(decodeLedger(encodeLedger(entries, codes), codes)).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it("R5/R7/R8: a member's visits come back newest first, and from `since` on only those", () => {
    fc.assert(
      fc.property(fc.array(visit, { maxLength: 40 }), instant, (visits, since) => {
        const codes = memoryCodes();
        const sorted = sortVisits([...visits]);
        const blob = encodeVisits(sorted, codes);
        expect(decodeVisits(blob, codes)).toEqual(sorted);
        expect(decodeVisits(blob, codes, since)).toEqual(sorted.filter((v) => v.at >= since));
      }),
      { numRuns: 300 },
    );
  });

  it("stores packs with the cache's dictionary, readable after a reopen", ({ store: t }) => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 12 }),
        fc.array(visit, { maxLength: 12 }),
        (entries, visits) => {
          const store = t.store;
          store.db.transaction(() => {
            writeLedger(store, "mp-1", [...entries]);
            writeVisits(store, "m-1", [...visits]);
          })();
          const byTime = [...entries].sort((a, b) => a.at - b.at);
          expect(readLedger(store, "mp-1").map((e) => e.at)).toEqual(byTime.map((e) => e.at));
          expect(new Set(readLedger(store, "mp-1"))).toEqual(new Set(entries));
          expect(readVisits(store, "m-1")).toEqual(sortVisits([...visits]));
        },
      ),
      { numRuns: 40 },
    );
    const before = readVisits(t.store, "m-1");
    const reopened = t.reopen();
    expect(readVisits(reopened, "m-1")).toEqual(before);
  });

  it("finds a code another connection to the cache added after this one read the dictionary", ({
    store: t,
  }) => {
    const codes = codeBook(t.store.db);
    const gym = codes.code("gym");
    const other = Store.open(t.dir);
    try {
      const sauna = codeBook(other.db).code("sauna");
      expect(codes.code("sauna")).toBe(sauna);
      expect(codes.text(sauna)).toBe("sauna");
      expect(codeBook(other.db).text(gym)).toBe("gym");
    } finally {
      other.close();
    }
  });

  it("gives a code added in a transaction that rolled back to no other text", ({ store: t }) => {
    const store = t.store;
    const codes = codeBook(store.db);
    const gym = codes.code("gym");
    expect(() =>
      store.db.transaction(() => {
        codes.code("sauna");
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    const spa = store.db.transaction(() => codes.code("spa"))();
    expect(codes.text(spa)).toBe("spa");
    expect(codes.code("sauna")).not.toBe(spa);
    expect(codes.text(codes.code("sauna"))).toBe("sauna");
    expect(codes.text(gym)).toBe("gym");
    expect(store.prepare("SELECT text FROM codes ORDER BY code").pluck().all()).toEqual([
      "gym",
      "spa",
      "sauna",
    ]);
  });
});
