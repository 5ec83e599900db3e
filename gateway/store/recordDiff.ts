/** The diff by record id lives in config/ (pure, shared with the central's editor); re-exported for the store. */
export { diffRecord, diffSiteConfig, plain, siteConfigChanges } from "../../config/recordDiff.js";
