import type { Item } from "../../config/site.js";
import type { RuleFailure } from "./context.js";
import type { MemberFact } from "./types.js";

/**
 * R19: an item with `requiresMemberCode` is a candidate only for a member holding one of those codes
 * (else `member_code_missing`, the R13 stage after card_model_missing). Codes compare exactly.
 */
export function memberCodeFailure(member: MemberFact | null, item: Item): RuleFailure | null {
  const wanted = item.requiresMemberCode;
  if (!wanted || wanted.length === 0) return null;
  const held = member?.codes ?? [];
  if (held.some((c) => wanted.includes(c))) return null;
  return {
    reason: "member_code_missing",
    detail: `${item.accessType} needs member code ${wanted.join(" or ")}; the member holds ${held.length > 0 ? held.join(", ") : "none"} (R19)`,
    info: { codes: wanted },
  };
}

/** R19: the code that lets the member use the item, for the trace; null when the item needs none. */
export function memberCodeUsed(member: MemberFact | null, item: Item): string | null {
  const wanted = item.requiresMemberCode;
  if (!wanted || wanted.length === 0) return null;
  return member?.codes.find((c) => wanted.includes(c)) ?? null;
}
