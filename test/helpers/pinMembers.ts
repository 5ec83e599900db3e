/**
 * R21 test data at a Tasmota reader: the worked example with Pia (card and PIN) and Noè (card, no
 * PIN), both holding the unlimited gym pack, and the gym's entry reader that asks for a PIN.
 */
import type { Store } from "../../gateway/store/db.js";
import { importExamples, importInputs } from "../store/storeHelpers.js";
import { phc } from "./osdpRig.js";

export const PIA = "04A1B2C3";
export const NOPIN = "04D4E5F6";
export const PIN = "7305";

/** The gym's entry reader, a Tasmota on `gym-reader`, that always asks for the PIN. */
export const GYM_PIN_READER = {
  id: "gym-in",
  driver: "mqtt-tasmota",
  topic: "gym-reader",
  area: "gym",
  direction: "in",
  pin: "always",
} as const;

/** One of the two members: the card, the PIN (none: no PIN set) and the product of the pack. */
export interface PinPerson {
  card: string;
  pin?: string;
  product: string;
}

/**
 * The worked example, and Pia and Noè with a pack each bought on 20 March 2027: by default Pia
 * with a PIN and Noè without, both with the unlimited gym pack.
 */
export function pinMembers(
  store: Store,
  pia: PinPerson = { card: PIA, pin: PIN, product: "gymflex" },
  noe: PinPerson = { card: NOPIN, product: "gymflex" },
): void {
  importExamples(store);
  const member = (id: string, name: string, p: PinPerson) => ({
    id: `m-${id}`,
    name,
    cards: [{ number: p.card }],
    ...(p.pin === undefined ? {} : { pinHash: phc(p.pin) }),
    multipacks: [{ id: `mp-${id}`, product: p.product, purchasedAt: "2027-03-20T10:00:00+01:00" }],
  });
  importInputs(store, [
    { name: "pin.yaml", value: { members: [member("pia", "Pia", pia), member("noe", "Noè", noe)] } },
  ]);
}
