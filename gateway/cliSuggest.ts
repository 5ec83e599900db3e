/**
 * Did-you-mean for the command line: the closest verb or flag to what was typed, when it is close
 * enough to be a slip of the fingers (`evnts` → `events`, `--lmit` → `--limit`).
 */
import { closest, distance } from "fastest-levenshtein";

/** The most edits a typo may be: 1 for short words (`ls` is no typo of `id`), 2 from 4 letters on (`jsno`). */
function maxEdits(word: string): number {
  return word.length >= 4 ? 2 : 1;
}

/** The candidate `word` is most likely a typo of, or undefined when none is close enough. */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word === "") return undefined;
  const best = closest(word, candidates);
  return distance(word, best) <= maxEdits(word) ? best : undefined;
}

/** ` — did you mean X?` for a close candidate, else the empty string (`prefix` is `--` for flags). */
export function didYouMean(word: string, candidates: readonly string[], prefix = ""): string {
  const best = closestName(word, candidates);
  return best === undefined ? "" : ` — did you mean ${prefix}${best}?`;
}
