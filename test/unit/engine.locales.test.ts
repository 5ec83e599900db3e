import { describe, expect, it } from "vitest";
import type { Catalogue, PeriodKey } from "../../gateway/engine/catalogues/catalogue.js";
import { CATALOGUES, wordsFor } from "../../gateway/engine/words.js";
import { at } from "../helpers/build.js";
import { mp, rome, scan, visit } from "./engineFixture.js";

const LANGUAGES = ["en", "it", "de", "fr", "es"] as const;
const PERIODS: PeriodKey[] = ["day", "week", "month", "year", "chargePeriod", "validity"];

/** Every text a catalogue can produce, with sample arguments. */
function texts(t: Catalogue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(t) as [keyof Catalogue, Catalogue[keyof Catalogue]][]) {
    if (typeof value === "string") out[key] = value;
  }
  Object.assign(out, {
    cardExpiredOn: t.cardExpiredOn("1 D 2027"),
    expiredOn: t.expiredOn("1 D 2027"),
    validFromDate: t.validFromDate("1 D 2027"),
    validFromTime: t.validFromTime("10:15"),
    suspendedUntil: t.suspendedUntil("1 D 2027"),
    notOpen: t.notOpen("Pool"),
    opensToday: t.opensToday("Pool", "08:00"),
    opensOn: t.opensOn("Pool", "W", "08:00"),
    cardModelRequired: t.cardModelRequired("fin-2026"),
    cardModelUnknown: t.cardModelRequired(null),
    memberCodeRequired: t.memberCodeRequired("student"),
    noCredits: t.noCredits(0, 10),
    pleaseWait: t.pleaseWait(3),
    areaFull: t.areaFull("Pool"),
    welcome: t.welcome("Ada"),
    welcomeBack: t.welcomeBack("Ada"),
    goodbye: t.goodbye("Ada"),
    creditsLeft: t.creditsLeft(7, 10),
    booked: t.booked("18:00", "19:30"),
    undoneRelay: t.undone("relay_failed"),
    undoneNoPassage: t.undone("no_passage"),
  });
  for (const p of PERIODS) {
    out[`allowanceUsed.${p}`] = t.allowanceUsed(p);
    out[`limitReached.${p}`] = t.limitReached(3, p);
  }
  return out;
}

describe("D6: message catalogues", () => {
  it("D6: en, it, de, fr and es each have a catalogue", () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES)("D6: the %s catalogue has every key of the English one, and no other", (lang) => {
    expect(Object.keys(CATALOGUES[lang] as Catalogue).sort()).toEqual(
      Object.keys(CATALOGUES.en as Catalogue).sort(),
    );
  });

  it.each(LANGUAGES)("D6: every %s text is filled in, with its arguments and no placeholder left", (lang) => {
    for (const [key, text] of Object.entries(texts(CATALOGUES[lang] as Catalogue))) {
      expect(text.trim(), `${lang}.${key}`).not.toBe("");
      expect(text, `${lang}.${key}`).not.toMatch(/\bundefined\b|\bnull\b|[{}]/);
    }
  });

  it.each(LANGUAGES.filter((l) => l !== "en"))(
    "D6: the %s catalogue is translated, not English copied",
    (lang) => {
      const own = texts(CATALOGUES[lang] as Catalogue);
      const english = texts(CATALOGUES.en as Catalogue);
      const same = Object.keys(english).filter((k) => own[k] === english[k]);
      // Only the words every language shares may match (none today).
      expect(same).toEqual([]);
    },
  );
});

describe("D6: dates, weekdays and times by Intl for the locale", () => {
  it.each([
    ["en", "30 Apr 2027", "30 Sep 2027", "Mon", "08:00"],
    ["it", "30 apr 2027", "30 set 2027", "lun", "08:00"],
    ["de", "30. Apr. 2027", "30. Sept. 2027", "Mo", "08:00"],
    ["fr", "30 avr. 2027", "30 sept. 2027", "lun.", "08:00"],
    ["es", "30 abr 2027", "30 sept 2027", "lun", "08:00"],
  ])(
    "D6: %s writes 2027-04-30 as %j, September as %j, a Monday as %j",
    (tag, april, september, monday, time) => {
      const w = wordsFor(null, tag);
      expect(w.date("2027-04-30")).toBe(april);
      expect(w.date("2027-09-30")).toBe(september);
      expect(w.weekday("2027-03-22")).toBe(monday);
      expect(w.time("08:00")).toBe(time);
      expect(w.time("21:45")).toBe("21:45");
    },
  );

  it("D6: a date is the calendar day whatever the zone (no shift at midnight)", () => {
    expect(wordsFor(null, "it").date("2027-01-01")).toBe("1 gen 2027");
    expect(wordsFor(null, "en").date("2026-12-31")).toBe("31 Dec 2026");
  });
});

describe("D6: which language a member hears", () => {
  it.each([
    ["the member's locale wins over the site's", "de", "it", "de", "de"],
    ["the site's locale without a member's", null, "it-IT", "it", "it-IT"],
    ["English without either", null, undefined, "en", "en"],
    ["a regional tag speaks its language, formatted for the region", "de-CH", "it", "de", "de-CH"],
    ["a language without a catalogue speaks English", "pt-BR", "it", "en", "en"],
    ["a tag Intl cannot read is skipped for the site's", "it_IT", "fr", "fr", "fr"],
    ["a lower-case tag is canonicalised", null, "es-es", "es", "es-ES"],
  ])("D6: %s", (_label, member, site, language, locale) => {
    const w = wordsFor(member, site);
    expect(w.t).toBe(CATALOGUES[language]);
    expect(w.locale).toBe(locale);
  });
});

const site = (locale?: string) =>
  rome({
    site: locale === undefined ? {} : { locale },
    areas: [{ id: "pool", name: "Piscina", capacity: 1 }],
    accessTypes: [
      {
        id: "pool-offpeak",
        areas: ["pool"],
        windows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "20:00" }],
      },
    ],
    products: [
      {
        id: "pool-10",
        credits: 10,
        deductionIntervalMinutes: 60,
        items: [{ accessType: "pool-offpeak", credits: 2 }],
      },
    ],
  });
const pool10 = (extra = {}) => mp("mp-1", "pool-10", "2027-03-01T10:00", extra);

describe("D6: decisions in the member's language", () => {
  it("D6: an Italian site greets in Italian with the credits left", () => {
    expect(scan(site("it"), { multipacks: [pool10()] }, "2027-03-22T10:00", "pool").message).toBe(
      "Ciao Ada — restano 8/10",
    );
  });

  it("D6: the member's own locale beats the site's", () => {
    const f = { multipacks: [pool10()], member: { locale: "de-DE" } };
    expect(scan(site("it"), f, "2027-03-22T10:00", "pool").message).toBe("Willkommen Ada — noch 8/10");
  });

  it.each([
    ["it", "Piscina apre alle 08:00", "Piscina apre mar alle 08:00"],
    ["de", "Piscina öffnet um 08:00 Uhr", "Piscina öffnet Di um 08:00 Uhr"],
    ["fr", "Piscina : ouverture à 08:00", "Piscina : ouverture mar. à 08:00"],
    ["es", "Piscina: abre a las 08:00", "Piscina: abre el mar a las 08:00"],
    ["en", "Piscina opens at 08:00", "Piscina opens Tue 08:00"],
  ])("D6: R15's opening time in %s: %j today, %j another day", (locale, today, tomorrow) => {
    expect(scan(site(locale), { multipacks: [pool10()] }, "2027-03-22T07:00", "pool").message).toBe(today);
    expect(scan(site(locale), { multipacks: [pool10()] }, "2027-03-22T21:00", "pool").message).toBe(tomorrow);
  });

  it("D6: an expiry date is written by Intl for the member's locale", () => {
    const f = { multipacks: [pool10({ validUntil: "2027-04-30" })], member: { locale: "fr" } };
    expect(scan(site(), f, "2027-05-02T10:00", "pool").message).toBe("Expiré le 30 avr. 2027");
  });

  it("D6: an unknown card hears the site's language; reasons and the trace stay English", () => {
    const d = scan(site("es"), {}, "2027-03-22T10:00", "pool", "in", "999");
    expect(d).toMatchObject({ reason: "unknown_card", message: "Tarjeta desconocida" });
    const full = scan(site("it"), { multipacks: [pool10()], presentCount: 1 }, "2027-03-22T10:00", "pool");
    expect(full).toMatchObject({ reason: "area_full", message: "Piscina al completo" });
    expect(full.trace.map((r) => r.detail).join(" ")).toMatch(/1 of 1 present \(R12\)/);
  });

  it("D6: a re-entry, a booking and an exit in Italian", () => {
    const v = visit("2027-03-22T09:30", { multipackId: "mp-1", area: "pool", productId: "pool-10" });
    const it = site("it");
    const reentry = { multipacks: [pool10({ used: 2 })], visits: [v] };
    expect(scan(it, reentry, "2027-03-22T10:00", "pool").message).toBe("Rieccoti Ada — restano 8/10");
    const booking = { id: "b-1", area: "pool", start: at("2027-03-22T18:00"), end: at("2027-03-22T19:30") };
    expect(scan(it, { member: { bookings: [booking] } }, "2027-03-22T17:40", "pool").message).toBe(
      "Ciao Ada — prenotazione 18:00–19:30",
    );
    expect(scan(it, {}, "2027-03-22T10:00", "pool", "out").message).toBe("Arrivederci Ada");
  });
});
