/**
 * HTML written as tagged templates: every interpolated value is escaped unless it is already Html
 * (made by `html` or `raw`), so a member's name or a reader's error cannot inject markup. Arrays
 * are joined, and undefined, null and false print nothing (for `cond && html\`…\``).
 */

/** Markup that is safe to print as it is. */
export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

/** Escapes text for an element's content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** One interpolated value as markup. */
function print(value: Value): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(print).join("");
  if (value === undefined || value === null || value === false || value === true) return "";
  return escapeHtml(String(value));
}

/** The template with its values escaped. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += print(values[i] as Value) + (strings[i + 1] as string);
  return new Html(out);
}

/** Markup from a trusted source (the package's own assets), printed as it is. */
export function raw(text: string): Html {
  return new Html(text);
}
