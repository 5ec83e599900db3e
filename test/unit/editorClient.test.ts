/**
 * The editor's script, the parts that run without a browser (the pages themselves are driven by the
 * browser tests): a problem's path from `import` finds its field, the forms edit every field of the
 * site configuration's schemas (config/site.ts) and nothing else, and a new record as the forms make
 * it is valid once its id (and the ids it names) are filled in.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  AccessType,
  Allowance,
  AntiPassback,
  Area,
  DateRange,
  Item,
  Limit,
  Product,
  Window,
} from "../../config/site.js";

interface FieldSpec {
  key: string;
  kind: string;
  fields?: FieldSpec[];
  make?: () => Record<string, unknown>;
}
interface FormsModule {
  formPath(path: string): string;
  SECTIONS: Record<string, { fields: FieldSpec[]; make(): Record<string, unknown> }>;
}

// The module is served to browsers as it is (no build): load it from its file.
const forms = (await import(
  new URL("../../central/editorWeb/assets/editorForms.js", import.meta.url).href
)) as FormsModule;

const keys = (schema: z.ZodObject) => Object.keys(schema.shape).sort();
const fieldKeys = (fields: FieldSpec[]) => fields.map((f) => f.key).sort();
const sub = (fields: FieldSpec[], key: string) => fields.find((f) => f.key === key)?.fields ?? [];

describe("the editor's script", () => {
  it.each([
    ["accessTypes[0] (early).windows[1].from", "accessTypes.0.windows.1.from"],
    ["products[2] (swim-10).items[0].allowance.period", "products.2.items.0.allowance.period"],
    ["areas[1]", "areas.1"],
    ["site.holidays[0]", "site.holidays.0"],
    ["limits", "limits"],
  ])("finds the field of a problem at %s (%s)", (path, field) => {
    expect(forms.formPath(path)).toBe(field);
  });

  it("edits every field of the site configuration's records, as config/site.ts names them", () => {
    const s = forms.SECTIONS;
    expect(fieldKeys(s.areas?.fields ?? [])).toEqual(keys(Area));
    expect(fieldKeys(sub(s.areas?.fields ?? [], "antiPassback"))).toEqual(keys(AntiPassback));
    expect(fieldKeys(s.accessTypes?.fields ?? [])).toEqual(keys(AccessType));
    expect(fieldKeys(sub(s.accessTypes?.fields ?? [], "windows"))).toEqual(keys(Window));
    expect(fieldKeys(sub(s.accessTypes?.fields ?? [], "dates"))).toEqual(keys(DateRange));
    expect(fieldKeys(s.products?.fields ?? [])).toEqual(keys(Product));
    const items = sub(s.products?.fields ?? [], "items");
    expect(fieldKeys(items)).toEqual(keys(Item));
    expect(fieldKeys(sub(items, "allowance"))).toEqual(keys(Allowance));
    expect(fieldKeys(s.limits?.fields ?? [])).toEqual(keys(Limit));
  });

  it("makes new records that are valid once their ids are filled in", () => {
    const s = forms.SECTIONS;
    expect(Area.safeParse({ ...s.areas?.make(), id: "sauna" }).success).toBe(true);
    const accessType = { ...s.accessTypes?.make(), id: "late", areas: ["pool"] };
    expect(AccessType.safeParse(accessType).error).toBeUndefined();
    const product = s.products?.make() as { items: { accessType: string }[] };
    for (const item of product.items) item.accessType = "late";
    expect(Product.safeParse({ ...product, id: "swim-5" }).error).toBeUndefined();
    expect(Limit.safeParse({ ...s.limits?.make(), id: "two-a-day" }).error).toBeUndefined();
  });
});
