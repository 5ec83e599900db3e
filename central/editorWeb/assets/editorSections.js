// The editor's record shapes, after config/site.ts: which fields each section's records have, their
// kinds and labels. editorForms.js builds the forms from them.

const ID = { key: "id", kind: "text", label: "Id" };
const NAME = { key: "name", kind: "text", label: "Name", optional: true };
export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"];
export const DAY_LABELS = {
  mon: "Mon",
  tue: "Tue",
  wed: "Wed",
  thu: "Thu",
  fri: "Fri",
  sat: "Sat",
  sun: "Sun",
  hol: "Hol",
};

const WINDOW = {
  key: "windows",
  kind: "list",
  label: "Weekly windows",
  item: "window",
  row: true,
  make: () => ({ days: ["mon", "tue", "wed", "thu", "fri"], from: "06:00", to: "22:00" }),
  fields: [
    { key: "days", kind: "days", label: "Days" },
    { key: "from", kind: "time", label: "From" },
    { key: "to", kind: "time", label: "To" },
  ],
};

const ITEM = {
  key: "items",
  kind: "list",
  label: "Items (what the product gives access to)",
  item: "item",
  make: () => ({ accessType: "", credits: 1, priority: 1 }),
  fields: [
    { key: "accessType", kind: "text", label: "Access type" },
    { key: "credits", kind: "int", label: "Credits per entry" },
    { key: "priority", kind: "int", label: "Priority" },
    {
      key: "allowance",
      kind: "object",
      label: "Allowance",
      optional: true,
      make: () => ({ count: 1, period: "week" }),
      fields: [
        { key: "count", kind: "int", label: "Entries" },
        {
          key: "period",
          kind: "choice",
          label: "Per",
          options: ["day", "week", "month", "year", "chargePeriod"],
        },
        { key: "rollover", kind: "bool", label: "Unused entries roll over" },
      ],
    },
    { key: "deductionIntervalMinutes", kind: "int", label: "Deduction interval (minutes)", optional: true },
    { key: "requiresMemberCode", kind: "codes", label: "Only for member codes", optional: true },
  ],
};

/** Each section's records: what a new one holds and its fields. */
export const SECTIONS = {
  areas: {
    item: "area",
    make: () => ({ id: "" }),
    fields: [
      ID,
      NAME,
      { key: "capacity", kind: "int", label: "Capacity (people)", optional: true },
      {
        key: "antiPassback",
        kind: "object",
        label: "Anti-passback",
        optional: true,
        make: () => ({ mode: "hard" }),
        fields: [
          { key: "mode", kind: "choice", label: "Mode", options: ["none", "hard", "timed"] },
          { key: "minutes", kind: "int", label: "Minutes (timed)", optional: true },
        ],
      },
    ],
  },
  accessTypes: {
    item: "access type",
    make: () => ({ id: "", areas: [], windows: [WINDOW.make()] }),
    fields: [
      ID,
      NAME,
      { key: "areas", kind: "ids", label: "Areas" },
      WINDOW,
      {
        key: "dates",
        kind: "object",
        label: "Only between dates",
        optional: true,
        make: () => ({}),
        fields: [
          { key: "from", kind: "date", label: "From", optional: true },
          { key: "to", kind: "date", label: "To", optional: true },
        ],
      },
      { key: "requiresCardModel", kind: "bool", label: "Requires a card model" },
    ],
  },
  products: {
    item: "product",
    make: () => ({ id: "", credits: 0, items: [ITEM.make()] }),
    fields: [
      ID,
      NAME,
      { key: "credits", kind: "int", label: "Credits in a pack (0: unlimited)" },
      {
        key: "validity",
        kind: "json",
        label: "Validity",
        optional: true,
        hint: '{"months": 1} or {"until": "2027-06-30"}',
      },
      { key: "chargePeriod", kind: "json", label: "Charge period", optional: true, hint: '{"months": 1}' },
      { key: "deductionIntervalMinutes", kind: "int", label: "Deduction interval (minutes)", optional: true },
      { key: "transferUnused", kind: "bool", label: "Unused credits move to the next pack" },
      { key: "cardModels", kind: "ids", label: "Card models" },
      ITEM,
    ],
  },
  limits: {
    item: "limit",
    make: () => ({ id: "", amount: 1, period: "day" }),
    fields: [
      ID,
      { key: "amount", kind: "int", label: "At most (entries)" },
      {
        key: "period",
        kind: "choice",
        label: "Per",
        options: ["day", "week", "month", "year", "chargePeriod", "validity"],
      },
      { key: "accessTypes", kind: "ids", label: "Access types" },
      { key: "areas", kind: "ids", label: "Areas" },
      { key: "products", kind: "ids", label: "Products" },
      // R20: left unchosen, the select shows "all", the default.
      { key: "at", kind: "choice", label: "Where (member's home site)", options: ["all", "home", "away"] },
    ],
  },
};

export const HOLIDAYS = { key: "holidays", kind: "dates", label: "Holidays (the days “Hol” of the windows)" };
