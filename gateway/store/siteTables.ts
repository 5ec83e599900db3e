/**
 * The site configuration's record tables (one JSON document per record, upserted by id), each with
 * the key of the site file that fills it. Import, sync and reading the site all walk this one list.
 * (Migrations name the tables as they were when each was written, and do not use it.)
 */
export const SITE_TABLES = [
  ["areas", "areas"],
  ["accessTypes", "access_types"],
  ["products", "products"],
  ["limits", "limits"],
  ["cardModels", "card_models"],
] as const;
