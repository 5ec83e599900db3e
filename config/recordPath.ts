/**
 * Paths to records that say which record as well as where: `members[3] (m-dario).cards[0] (…5834)`.
 * A position alone makes a technician count through a file of thousands of members; an id alone
 * is ambiguous when the id itself is what is wrong (given twice, or malformed). Both, then.
 */
import { maskCard } from "./cardNumber.js";

/**
 * What names a record of a list that has no `id`: a member's cards by number (masked: problems reach
 * the daemon's log), a member's card models by model, a product's items by access type, blocks by reason.
 */
const NAMED_BY: Readonly<Record<string, string>> = {
  cards: "number",
  cardModels: "model",
  items: "accessType",
  blocks: "reason",
};

/** The longest label shown; longer ids are cut (the field's own problem says what is wrong with it). */
const MAX_LABEL = 64;

/** How the record at `list[i]` is named beside its position, or undefined when it has no usable name. */
export function recordLabel(list: PropertyKey | undefined, record: unknown): string | undefined {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  const field = r.id !== undefined ? "id" : NAMED_BY[String(list)];
  const raw = field === undefined ? undefined : r[field];
  const value = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  // A number of 4 characters or fewer masks to nothing worth showing.
  if (field === "number") return value.trim().length > 4 ? maskCard(value.trim()) : undefined;
  const cut = value.length > MAX_LABEL ? `${value.slice(0, MAX_LABEL)}…` : value;
  // An id as ids are written stays bare; anything else is quoted so its spaces and brackets show.
  return /^[A-Za-z0-9][A-Za-z0-9._:@-]*…?$/.test(cut) ? cut : JSON.stringify(cut);
}

/** `list[i]`, followed by ` (label)` when the record has one. */
export function recordAt(list: string, index: number, record: unknown): string {
  const label = recordLabel(list, record);
  return label === undefined ? `${list}[${index}]` : `${list}[${index}] (${label})`;
}
