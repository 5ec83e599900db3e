/**
 * The facility manager's editor through its router (issue 11 §2), in-process over a backend double:
 * its pages for the manager only, the draft's check, diff, what-if and save as JSON, a save refused
 * without a reason, and names printed so that they cannot inject markup.
 */
import { describe, expect, it } from "vitest";
import { ASSET_FILES } from "../../central/editorWeb/editorRoutes.js";
import { AccessGwError } from "../../config/errors.js";
import type { WebResponse } from "../../web/webTypes.js";
import { editorDouble, editorRouter, request, sampleSections } from "../helpers/editorDouble.js";

const DRAFT_PAGES = [
  "/editor/areas",
  "/editor/access-types",
  "/editor/products",
  "/editor/limits",
  "/editor/review",
];
const PAGES = [
  "/editor/areas",
  "/editor/access-types",
  "/editor/products",
  "/editor/limits",
  "/editor/review",
  "/editor/history",
];

async function answer(res: Promise<WebResponse | undefined>): Promise<WebResponse> {
  const r = await res;
  if (r === undefined) throw new Error("no route answered");
  return r;
}

function json(r: WebResponse): Record<string, unknown> {
  return JSON.parse(String(r.body)) as Record<string, unknown>;
}

/** The configuration a page carries for its script. */
function embedded(r: WebResponse): unknown {
  const m = /<script type="application\/json" id="current-config">(.*?)<\/script>/s.exec(String(r.body));
  return JSON.parse(m?.[1] ?? "null");
}

describe("the editor's pages", () => {
  it.each(PAGES)(
    "%s opens for a manager, with the CSRF token (and the draft's script but on the history)",
    async (path) => {
      const r = await answer(editorRouter(editorDouble()).handle(request("GET", path, { as: "manager" })));
      expect(r.status).toBe(200);
      const body = String(r.body);
      expect(body).toContain('<meta name="csrf-token" content="csrf-marta">');
      expect(body.includes('<script type="module" src="/editor/assets/editor.js"></script>')).toBe(
        DRAFT_PAGES.includes(path),
      );
      expect(body).toContain("accessgw central");
      expect(body).toMatch(new RegExp(`<a href="${path}" aria-current="page">`));
    },
  );

  it.each(PAGES)("%s is refused to the desk (403) and sends the logged-out to the login", async (path) => {
    const router = editorRouter(editorDouble());
    const desk = await answer(router.handle(request("GET", path, { as: "desk" })));
    expect(desk.status).toBe(403);
    expect(json(desk).error).toBe("dino is desk; this needs the manager role");
    const nobody = await answer(router.handle(request("GET", path)));
    expect(nobody.status).toBe(303);
    expect(nobody.headers?.Location).toBe(`/login?next=${encodeURIComponent(path)}`);
  });

  it("sends /editor to the first section", async () => {
    const r = await answer(editorRouter(editorDouble()).handle(request("GET", "/editor", { as: "manager" })));
    expect(r).toMatchObject({ status: 303, headers: { Location: "/editor/areas" } });
  });

  it("gives the script the configuration in force, and a name cannot close the script element", async () => {
    const sections = sampleSections();
    (sections.areas as { name?: string }[])[1] = {
      id: "gym",
      name: "</script><script>alert(1)</script>",
    } as never;
    const r = await answer(
      editorRouter(editorDouble(sections)).handle(request("GET", "/editor/areas", { as: "manager" })),
    );
    expect(String(r.body)).not.toContain("<script>alert(1)");
    expect(String(r.body)).toContain("\\u003c/script>\\u003cscript>alert(1)\\u003c/script>");
    expect(embedded(r)).toEqual(sections);
  });

  it("lists the saves newest first with who, why and when in the site's time, escaped", async () => {
    const backend = editorDouble();
    const router = editorRouter(backend, Date.parse("2026-12-06T09:00:00Z"));
    const draft = sampleSections();
    (draft.areas as object[]).push({ id: "sauna" });
    const save = await answer(
      router.handle(
        request("POST", "/editor/save", {
          as: "manager",
          json: { draft, reason: "<img src=x onerror=alert(1)> sauna" },
        }),
      ),
    );
    expect(save.status).toBe(200);
    const r = await answer(router.handle(request("GET", "/editor/history", { as: "manager" })));
    const body = String(r.body);
    expect(body).toContain("<th>When (Europe/Rome)</th>");
    // 09:00 UTC is 10:00 in Rome in December.
    expect(body).toContain(
      '<tr><td><time datetime="2026-12-06T09:00:00.000Z">2026-12-06 10:00</time></td><td>marta</td><td>&lt;img src=x onerror=alert(1)&gt; sauna</td><td class="num">1</td></tr>',
    );
    expect(body).not.toContain("<img");
  });

  it("says when nothing has been saved yet", async () => {
    const r = await answer(
      editorRouter(editorDouble()).handle(request("GET", "/editor/history", { as: "manager" })),
    );
    expect(String(r.body)).toContain("Nothing has been saved from the editor yet.");
  });
});

describe("the editor's actions", () => {
  it("checks a draft and answers its problems by path", async () => {
    const draft = sampleSections();
    (draft.areas as { id: string }[])[1] = { id: "the gym" };
    const r = await answer(
      editorRouter(editorDouble()).handle(request("POST", "/editor/check", { as: "manager", json: draft })),
    );
    expect(r.status).toBe(200);
    expect(json(r)).toEqual({
      ok: false,
      problems: [{ path: "areas[1].id", message: "expected an id of letters, digits and . _ : @ -" }],
    });
  });

  it("answers the draft's diff", async () => {
    const draft = sampleSections();
    (draft.accessTypes as unknown as [{ windows: [{ from: string }] }])[0].windows[0].from = "06:30";
    const r = await answer(
      editorRouter(editorDouble()).handle(request("POST", "/editor/diff", { as: "manager", json: draft })),
    );
    expect(json(r)).toEqual({
      changes: [
        {
          kind: "changed",
          section: "accessTypes",
          id: "early",
          fields: [
            {
              path: "windows",
              before: [{ days: ["mon", "tue"], from: "07:00", to: "09:00" }],
              after: [{ days: ["mon", "tue"], from: "06:30", to: "09:00" }],
            },
          ],
        },
      ],
    });
  });

  it("replays 7 days by default at the central's clock, and the days asked for", async () => {
    const backend = editorDouble();
    const now = Date.parse("2026-12-06T09:00:00Z");
    const router = editorRouter(backend, now);
    const draft = sampleSections();
    (draft.accessTypes as unknown as [{ windows: [{ from: string }] }])[0].windows[0].from = "06:30";
    const r = await answer(router.handle(request("POST", "/editor/whatif", { as: "manager", json: draft })));
    expect(r.status).toBe(200);
    expect(json(r)).toMatchObject({
      from: "2026-11-29T09:00:00.000Z",
      to: "2026-12-06T09:00:00.000Z",
      changes: [{ member: "m-anna", before: { decision: "deny" }, after: { decision: "grant" } }],
      totals: { newlyGranted: 1, newlyDenied: 0 },
    });
    await router.handle(request("POST", "/editor/whatif?days=30", { as: "manager", json: draft }));
    expect(backend.calls.whatIf).toEqual([
      { days: 7, now },
      { days: 30, now },
    ]);
  });

  it.each(["0", "367", "seven", "1.5"])("refuses days=%s for a what-if", async (days) => {
    const backend = editorDouble();
    const r = await answer(
      editorRouter(backend).handle(
        request("POST", `/editor/whatif?days=${days}`, { as: "manager", json: sampleSections() }),
      ),
    );
    expect(r.status).toBe(400);
    expect(json(r).error).toBe(`days must be a whole number from 1 to 366 (found "${days}")`);
    expect(backend.calls.whatIf).toEqual([]);
  });

  it("replays nothing for a draft with problems: it answers them (422)", async () => {
    const backend = editorDouble();
    const draft = sampleSections();
    (draft.limits as unknown as [{ id: string }])[0].id = "";
    const r = await answer(
      editorRouter(backend).handle(request("POST", "/editor/whatif", { as: "manager", json: draft })),
    );
    expect(r.status).toBe(422);
    expect(json(r)).toMatchObject({ ok: false, problems: [{ path: "limits[0].id" }] });
    expect(backend.calls.whatIf).toEqual([]);
  });

  it("saves with the user from the login, the reason and the clock", async () => {
    const backend = editorDouble();
    const now = Date.parse("2026-12-06T09:00:00Z");
    const draft = sampleSections();
    (draft.areas as object[]).push({ id: "sauna" });
    const r = await answer(
      editorRouter(backend, now).handle(
        request("POST", "/editor/save", { as: "manager", json: { draft, reason: "  sauna opens  " } }),
      ),
    );
    expect(r.status).toBe(200);
    expect(json(r)).toEqual({
      revision: "2",
      changes: [{ kind: "added", section: "areas", id: "sauna", fields: [] }],
    });
    expect(backend.calls.saves).toEqual([{ who: "marta", why: "sauna opens", now }]);
    expect(backend.current()).toEqual(draft);
  });

  it.each([undefined, "", "   "])(
    "refuses a save without a reason (%j) and saves nothing",
    async (reason) => {
      const backend = editorDouble();
      const r = await answer(
        editorRouter(backend).handle(
          request("POST", "/editor/save", { as: "manager", json: { draft: sampleSections(), reason } }),
        ),
      );
      expect(r.status).toBe(400);
      expect(json(r).error).toBe("say why you make this change: a save needs a reason (kept in the history)");
      expect(backend.calls.saves).toEqual([]);
    },
  );

  it("refuses to save a draft with problems (422) and saves nothing", async () => {
    const backend = editorDouble();
    const draft = sampleSections();
    (draft.products as unknown as [{ id: string }])[0].id = "swim 10";
    const r = await answer(
      editorRouter(backend).handle(
        request("POST", "/editor/save", { as: "manager", json: { draft, reason: "x" } }),
      ),
    );
    expect(r.status).toBe(422);
    expect(json(r)).toMatchObject({
      error: "the draft has problems: nothing was saved",
      problems: [{ path: "products[0].id" }],
    });
    expect(backend.calls.saves).toEqual([]);
  });

  it("answers the backend's refusal of a save (422) with its words", async () => {
    const backend = editorDouble();
    backend.save = () => {
      throw new AccessGwError("CONFIG_INVALID", "site.yaml: cannot write the file (EACCES)");
    };
    const r = await answer(
      editorRouter(backend).handle(
        request("POST", "/editor/save", { as: "manager", json: { draft: sampleSections(), reason: "x" } }),
      ),
    );
    expect(r.status).toBe(422);
    expect(json(r).error).toBe("site.yaml: cannot write the file (EACCES)");
  });

  it("does nothing for the desk (403) nor without the CSRF token (403)", async () => {
    const backend = editorDouble();
    const router = editorRouter(backend);
    const body = { draft: sampleSections(), reason: "x" };
    const desk = await answer(router.handle(request("POST", "/editor/save", { as: "desk", json: body })));
    expect(desk.status).toBe(403);
    const noToken = await answer(
      router.handle(
        request("POST", "/editor/save", { as: "manager", json: body, headers: { "x-csrf-token": "forged" } }),
      ),
    );
    expect(noToken.status).toBe(403);
    expect(backend.calls.saves).toEqual([]);
  });

  it.each([
    ["{ not json", "application/json", /^the body is not valid JSON: /],
    ["{}", "text/plain", /^expected a JSON body \(Content-Type: application\/json\), found "text\/plain"$/],
  ])("answers a bad body %j (%s) with 400 naming the problem", async (body, type, message) => {
    const r = await answer(
      editorRouter(editorDouble()).handle(
        request("POST", "/editor/check", { as: "manager", body, headers: { "content-type": type } }),
      ),
    );
    expect(r.status).toBe(400);
    expect(json(r).error).toMatch(message);
  });

  it("wants the draft as an object for a diff", async () => {
    const r = await answer(
      editorRouter(editorDouble()).handle(request("POST", "/editor/diff", { as: "manager", json: [1] })),
    );
    expect(r.status).toBe(400);
    expect(json(r).error).toBe("expected the draft as a JSON object (areas, accessTypes, …)");
  });
});

describe("the editor's assets", () => {
  it("serves its scripts and style sheet without a login, and nothing else", async () => {
    const router = editorRouter(editorDouble());
    for (const name of ASSET_FILES) {
      const r = await answer(router.handle(request("GET", `/editor/assets/${name}`)));
      expect(r.status).toBe(200);
      expect(r.headers?.["Content-Type"]).toMatch(name.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
    }
    for (const name of ["..%2Feditor.ts", "editorRoutes.ts", "nope.js"])
      expect((await answer(router.handle(request("GET", `/editor/assets/${name}`)))).status).toBe(404);
  });

  it("keeps the first load of a page under 200 KB (issue 11 §4)", async () => {
    const router = editorRouter(editorDouble());
    let bytes = String(
      (await answer(router.handle(request("GET", "/editor/access-types", { as: "manager" })))).body,
    ).length;
    for (const name of ASSET_FILES)
      bytes += ((await answer(router.handle(request("GET", `/editor/assets/${name}`)))).body as Buffer)
        .length;
    expect(bytes).toBeLessThan(200 * 1024);
  });
});
