/**
 * The benchmark's site: a large leisure centre in Rome with 9 areas, 20 access types, 12 products
 * and 5 limits. It exercises what a real site does: windows past midnight, a holiday in the scanned
 * week, a seasonal access type, a card-model lane, allowances with rollover, charge periods, limits
 * of every period kind, deduction intervals, anti-passback and capacity areas.
 */

const ALL = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"];
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];
const WEEKEND = ["sat", "sun", "hol"];

/** The scanned week: Monday 2026-12-07 00:00 to Monday 2026-12-14 00:00, Rome time (UTC+1). */
export const WEEK_START = Date.parse("2026-12-07T00:00:00+01:00");
export const WEEK_MS = 7 * 86_400_000;
/** The instant the generated data is "as of" (purchases, ledgers and bookings are placed around it). */
export const NOW = Date.parse("2026-12-10T12:00:00+01:00");

/** Area weights of the scans (where members go). */
export const SCAN_AREAS: [string, number][] = [
  ["gym", 40],
  ["pool", 20],
  ["studio-1", 10],
  ["studio-2", 6],
  ["spa", 8],
  ["sauna", 4],
  ["climbing", 5],
  ["padel", 4],
  ["kids-pool", 3],
];

/** The site document, in the input form `accessgw import` reads. */
export const SITE = {
  site: {
    id: "rome-center",
    name: "Rome Center",
    timezone: "Europe/Rome",
    holidays: ["2026-12-08", "2026-12-25", "2026-12-26", "2027-01-01", "2027-01-06"],
    tieBreak: "fifo",
    deductionIntervalMinutes: 0,
    bookingEarlyMinutes: 30,
  },
  areas: [
    { id: "gym", name: "Gym" },
    { id: "pool", name: "Pool", antiPassback: { mode: "timed", minutes: 3 } },
    { id: "kids-pool", name: "Kids pool" },
    { id: "spa", name: "Spa", capacity: 40 },
    { id: "sauna", name: "Sauna", antiPassback: { mode: "hard" } },
    { id: "studio-1", name: "Studio 1", capacity: 30 },
    { id: "studio-2", name: "Studio 2", capacity: 20 },
    { id: "climbing", name: "Climbing wall" },
    { id: "padel", name: "Padel courts" },
  ],
  cardModels: [{ id: "fin-2026", name: "FIN federation card 2026" }],
  accessTypes: [
    { id: "gym-any", areas: ["gym"], windows: [{ days: ALL, from: "06:00", to: "23:00" }] },
    {
      id: "gym-offpeak",
      areas: ["gym"],
      windows: [
        { days: WEEKDAYS, from: "09:00", to: "16:00" },
        { days: WEEKEND, from: "10:00", to: "18:00" },
      ],
    },
    { id: "gym-night", areas: ["gym"], windows: [{ days: ALL, from: "22:00", to: "02:00" }] },
    { id: "gym-24", areas: ["gym"], windows: [{ days: ALL, from: "00:00", to: "24:00" }] },
    {
      id: "pool-offpeak",
      areas: ["pool"],
      windows: [
        { days: WEEKDAYS, from: "07:00", to: "16:00" },
        { days: WEEKEND, from: "08:00", to: "20:00" },
      ],
    },
    { id: "pool-peak", areas: ["pool"], windows: [{ days: WEEKDAYS, from: "16:00", to: "22:00" }] },
    {
      id: "pool-summer",
      areas: ["pool"],
      windows: [{ days: ALL, from: "08:00", to: "20:00" }],
      dates: { from: "2026-06-01", to: "2026-09-15" },
    },
    {
      id: "pool-lanes-fin",
      areas: ["pool"],
      windows: [
        { days: ["mon", "tue", "wed", "thu", "fri", "sat"], from: "06:00", to: "09:00" },
        { days: ["mon", "tue", "wed", "thu", "fri", "sat"], from: "20:00", to: "23:00" },
      ],
      requiresCardModel: true,
    },
    {
      id: "kids-pool-weekend",
      areas: ["kids-pool"],
      windows: [{ days: WEEKEND, from: "09:00", to: "13:00" }],
    },
    { id: "spa-any", areas: ["spa"], windows: [{ days: ALL, from: "10:00", to: "22:00" }] },
    { id: "spa-evening", areas: ["spa"], windows: [{ days: ALL, from: "18:00", to: "01:00" }] },
    { id: "sauna", areas: ["sauna"], windows: [{ days: ALL, from: "12:00", to: "22:00" }] },
    {
      id: "studio-1-classes",
      areas: ["studio-1"],
      windows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat"], from: "07:00", to: "22:00" }],
    },
    {
      id: "studio-2-classes",
      areas: ["studio-2"],
      windows: [{ days: WEEKDAYS, from: "07:00", to: "22:00" }],
    },
    { id: "yoga", areas: ["studio-2"], windows: [{ days: WEEKEND, from: "09:00", to: "12:00" }] },
    {
      id: "crossfit",
      areas: ["studio-1"],
      windows: [
        { days: WEEKDAYS, from: "06:00", to: "09:00" },
        { days: WEEKDAYS, from: "18:00", to: "21:00" },
      ],
    },
    { id: "climbing-day", areas: ["climbing"], windows: [{ days: WEEKDAYS, from: "10:00", to: "17:00" }] },
    { id: "climbing-evening", areas: ["climbing"], windows: [{ days: ALL, from: "17:00", to: "23:30" }] },
    { id: "padel", areas: ["padel"], windows: [{ days: ALL, from: "07:00", to: "23:00" }] },
    { id: "holiday-open", areas: ["gym", "pool"], windows: [{ days: ["hol"], from: "09:00", to: "13:00" }] },
  ],
  products: [
    {
      id: "premium",
      name: "Premium membership",
      credits: 0,
      validity: { months: 1 },
      chargePeriod: { months: 1 },
      items: [
        { accessType: "gym-any", credits: 0, priority: 1 },
        { accessType: "holiday-open", credits: 0, priority: 1 },
        {
          accessType: "pool-offpeak",
          credits: 0,
          priority: 1,
          allowance: { count: 8, period: "month", rollover: true },
        },
        { accessType: "pool-peak", credits: 0, priority: 2, allowance: { count: 4, period: "month" } },
        { accessType: "spa-any", credits: 0, priority: 1, allowance: { count: 2, period: "chargePeriod" } },
        { accessType: "sauna", credits: 0, priority: 1 },
        { accessType: "studio-1-classes", credits: 0, priority: 1 },
        { accessType: "studio-2-classes", credits: 0, priority: 1 },
        { accessType: "yoga", credits: 0, priority: 1 },
        { accessType: "crossfit", credits: 0, priority: 1 },
      ],
    },
    {
      id: "gym-annual",
      name: "Gym annual",
      credits: 0,
      validity: { years: 1 },
      chargePeriod: { months: 1 },
      items: [
        { accessType: "gym-any", credits: 0, priority: 1 },
        { accessType: "gym-night", credits: 0, priority: 1 },
        { accessType: "holiday-open", credits: 0, priority: 1 },
        { accessType: "studio-1-classes", credits: 0, priority: 2, allowance: { count: 4, period: "week" } },
      ],
    },
    {
      id: "gym-offpeak-3m",
      name: "Gym off-peak, 3 months",
      credits: 0,
      validity: { months: 3 },
      items: [{ accessType: "gym-offpeak", credits: 0, priority: 1 }],
    },
    {
      id: "swim-10",
      name: "10 swims",
      credits: 10,
      validity: { months: 6 },
      deductionIntervalMinutes: 120,
      items: [
        { accessType: "pool-offpeak", credits: 1, priority: 1 },
        { accessType: "pool-peak", credits: 2, priority: 1 },
        { accessType: "kids-pool-weekend", credits: 1, priority: 1 },
      ],
    },
    {
      id: "swim-25-fin",
      name: "25 swims, federation lanes",
      credits: 25,
      validity: { years: 1 },
      deductionIntervalMinutes: 120,
      cardModels: ["fin-2026"],
      items: [
        { accessType: "pool-lanes-fin", credits: 1, priority: 1 },
        { accessType: "pool-offpeak", credits: 1, priority: 2 },
        { accessType: "pool-peak", credits: 1, priority: 2 },
      ],
    },
    {
      id: "spa-5",
      name: "5 spa visits",
      credits: 5,
      validity: { weeks: 8 },
      deductionIntervalMinutes: 240,
      items: [
        { accessType: "spa-any", credits: 1, priority: 1 },
        { accessType: "spa-evening", credits: 1, priority: 1 },
        { accessType: "sauna", credits: 1, priority: 1, deductionIntervalMinutes: 60 },
      ],
    },
    {
      id: "classes-10",
      name: "10 classes",
      credits: 10,
      validity: { months: 3 },
      items: [
        { accessType: "studio-1-classes", credits: 1, priority: 1 },
        { accessType: "studio-2-classes", credits: 1, priority: 1 },
        { accessType: "yoga", credits: 1, priority: 1 },
        { accessType: "crossfit", credits: 2, priority: 1 },
      ],
    },
    {
      id: "crossfit-unlimited",
      name: "CrossFit unlimited",
      credits: 0,
      validity: { months: 1 },
      chargePeriod: { months: 1 },
      items: [
        { accessType: "crossfit", credits: 0, priority: 1 },
        { accessType: "studio-1-classes", credits: 0, priority: 2 },
      ],
    },
    {
      id: "day-pass",
      name: "Day pass",
      credits: 1,
      validity: { days: 1 },
      deductionIntervalMinutes: 720,
      items: [
        { accessType: "gym-any", credits: 1, priority: 1 },
        { accessType: "pool-offpeak", credits: 1, priority: 1 },
      ],
    },
    {
      id: "climb-flex",
      name: "Climbing flex",
      credits: 20,
      validity: { fromFirstUse: { months: 2 } },
      deductionIntervalMinutes: 180,
      items: [
        { accessType: "climbing-day", credits: 1, priority: 1 },
        { accessType: "climbing-evening", credits: 2, priority: 1 },
      ],
    },
    {
      id: "summer-season",
      name: "Summer pool season",
      credits: 0,
      validity: { until: "2026-09-15" },
      items: [{ accessType: "pool-summer", credits: 0, priority: 1 }],
    },
    {
      id: "padel-150",
      name: "Padel 150 hours",
      credits: 150,
      validity: { years: 1 },
      deductionIntervalMinutes: 90,
      items: [{ accessType: "padel", credits: 1, priority: 1 }],
    },
  ],
  limits: [
    { id: "one-crossfit-a-day", amount: 1, period: "day", accessTypes: ["crossfit"] },
    {
      id: "three-crossfit-a-week",
      amount: 3,
      period: "week",
      accessTypes: ["crossfit"],
      products: ["premium"],
    },
    {
      id: "nine-classes-a-month",
      amount: 9,
      period: "month",
      areas: ["studio-1", "studio-2"],
      products: ["premium"],
    },
    { id: "spa-per-charge-period", amount: 6, period: "chargePeriod", areas: ["spa"], products: ["premium"] },
    { id: "day-pass-four-entries", amount: 4, period: "validity", products: ["day-pass"] },
  ],
};

/** Which areas each product's visits happen in (with the access type), for generated ledgers. */
export function productVisitTargets(productId: string): { area: string; accessType: string }[] {
  const p = SITE.products.find((x) => x.id === productId);
  if (!p) return [];
  const out: { area: string; accessType: string }[] = [];
  for (const item of p.items) {
    const t = SITE.accessTypes.find((a) => a.id === item.accessType);
    for (const area of t?.areas ?? []) out.push({ area, accessType: item.accessType });
  }
  return out;
}
