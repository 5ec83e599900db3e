// `npm run screenshots`: copies the pictures the README shows from test-output/screenshots/ (what
// the browser tests photographed: npx vitest run test/browser) to docs/screenshots/, where they are
// committed. The tests take them at a fixed, small viewport (1024×700, a phone at 390×844), which is
// what keeps the files small; a picture over MAX_BYTES is refused rather than committed.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The README's pictures (four of the console, one of the central's editor): the test's screenshot → its name in docs/screenshots/. */
export const CHOSEN = [
  { from: "live-locked.png", to: "live.png" },
  { from: "member-explain.png", to: "member.png" },
  { from: "events.png", to: "events.png" },
  { from: "live-phone.png", to: "phone.png" },
  { from: "editor-whatif.png", to: "editor-whatif.png" },
];

/** The most one committed picture may weigh. */
export const MAX_BYTES = 150_000;

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const source = join(root, "test-output", "screenshots");
const target = join(root, "docs", "screenshots");

/** Copies CHOSEN; returns the problems (a missing or too large picture), copying nothing then. */
export function copyScreenshots() {
  const problems = [];
  for (const { from } of CHOSEN) {
    const file = join(source, from);
    if (!existsSync(file))
      problems.push(`${from}: not in test-output/screenshots/ (run: npx vitest run test/browser)`);
    else if (statSync(file).size > MAX_BYTES)
      problems.push(
        `${from}: ${statSync(file).size} bytes, more than ${MAX_BYTES}: take it at a smaller viewport`,
      );
  }
  if (problems.length > 0) return problems;
  mkdirSync(target, { recursive: true });
  for (const { from, to } of CHOSEN) {
    copyFileSync(join(source, from), join(target, to));
    process.stdout.write(
      `docs/screenshots/${to}  ${statSync(join(target, to)).size} bytes  (from ${from})\n`,
    );
  }
  return [];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = copyScreenshots();
  for (const p of problems) process.stderr.write(`screenshots: ${p}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
