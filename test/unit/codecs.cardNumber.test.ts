import { describe, expect, it } from "vitest";
import type { CardNumberMode } from "../../config/deviceLimits.js";
import { type RawRead, toCardNumber } from "../../drivers/codecs/cardNumber.js";

const hexUid: RawRead = { kind: "hex", text: "94D8FC5F" };
const rdmTag: RawRead = { kind: "hex", text: "008EC793" };
/** esp-rfid with an RDM6300: 10 hex digits, the EM4100 version byte (14) first. */
const espRfidRdm: RawRead = { kind: "hex", text: "14008ec793" };
const decimal: RawRead = { kind: "decimal", text: "0004215834" };
const wiegand: RawRead = {
  kind: "wiegand",
  text: "7748328",
  format: "H10301",
  facilityCode: 118,
  cardNumber: 15080,
  data: 7748328n,
};
const h10302: RawRead = { ...wiegand, format: "H10302", facilityCode: null, cardNumber: 123456789 };
const fcCn: RawRead = { kind: "fc-cn", text: "123:04567", facilityCode: 123, cardNumber: 4567 };
const text: RawRead = { kind: "text", text: "card-7" };

describe("card number conversion", () => {
  it.each<[string, RawRead, CardNumberMode, string]>([
    ["a hex UID as-is stays unchanged", hexUid, "as-is", "94D8FC5F"],
    ["a hex UID in decimal is its value", hexUid, "decimal", "2497248351"],
    ["an RDM6300 tag in decimal is 9357203", rdmTag, "decimal", "9357203"],
    ["a hex UID in hex loses its leading zeros", rdmTag, "hex", "8EC793"],
    ["a decimal read as-is keeps its leading zeros", decimal, "as-is", "0004215834"],
    ["a decimal read in decimal loses its leading zeros", decimal, "decimal", "4215834"],
    ["a decimal read in hex is its value in upper-case hex", decimal, "hex", "40541A"],
    ["a Wiegand read as-is is its parity-stripped value", wiegand, "as-is", "7748328"],
    ["a Wiegand read in decimal is its parity-stripped value", wiegand, "decimal", "7748328"],
    ["a Wiegand read in hex is its parity-stripped value", wiegand, "hex", "763AE8"],
    ["a Wiegand read as FC:CN is 118:15080", wiegand, "wiegand-fc-cn", "118:15080"],
    ["an H10302 read as FC:CN is the card number alone", h10302, "wiegand-fc-cn", "123456789"],
    ["an fc-cn line as FC:CN drops leading zeros", fcCn, "wiegand-fc-cn", "123:4567"],
    ["an fc-cn line as-is stays unchanged", fcCn, "as-is", "123:04567"],
    ["a text read as-is stays unchanged", text, "as-is", "card-7"],
    ["esp-rfid's RDM6300 uid as an EM4100 tag drops the version byte", espRfidRdm, "em4100", "9357203"],
    ["Tasmota's RDM6300 UID as an EM4100 tag", rdmTag, "em4100", "9357203"],
    [
      "the rdm6300 driver's decimal tag as an EM4100 tag",
      { kind: "decimal", text: "9357203" },
      "em4100",
      "9357203",
    ],
  ])("%s", (_name, read, mode, card) => {
    expect(toCardNumber(read, mode)).toEqual({ ok: true, card });
  });

  it("gives the same hex string for a card whether the reader spoke hex or decimal", () => {
    expect(toCardNumber(rdmTag, "hex")).toEqual(toCardNumber({ kind: "decimal", text: "9357203" }, "hex"));
  });

  it.each<[string, RawRead, CardNumberMode]>([
    ["a hex UID", hexUid, "wiegand-fc-cn"],
    ["a decimal read", decimal, "wiegand-fc-cn"],
    ["an fc-cn line", fcCn, "decimal"],
    ["an fc-cn line", fcCn, "hex"],
    ["a text read", text, "decimal"],
    ["a Wiegand read", wiegand, "em4100"],
    ["a 7-byte UID", { kind: "hex", text: "04A1B2C3D4E5F6" }, "em4100"],
    ["an all-zero tag", { kind: "hex", text: "1400000000" }, "em4100"],
  ])("refuses to convert %s to %s", (_name, read, mode) => {
    expect(toCardNumber(read, mode)).toMatchObject({ ok: false, error: "unsupported" });
  });
});
