/** The change records live in config/ (pure, shared with the central's editor); re-exported for the store. */
export {
  type Change,
  type ChangeCounts,
  type ChangeKind,
  type ChangeReport,
  ChangeSet,
  changeText,
  countsText,
  MAX_LISTED_CHANGES,
  reportLines,
} from "../../config/changeSet.js";
