/** The decision JSON fields of cli.md: present on every decision, null (never absent) when not applicable. */
export const DECISION_FIELDS = [
  "decision",
  "reason",
  "at",
  "card",
  "memberId",
  "area",
  "direction",
  "readerId",
  "multipackId",
  "productId",
  "accessTypeId",
  "creditsDeducted",
  "creditsRemaining",
  "creditsTotal",
  "message",
  "trace",
] as const;
