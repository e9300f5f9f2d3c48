// Bulk upload in a real browser: Debian's headless Chromium, driven by
// playwright-core. frontend/tests/browser.rs starts the whole pipeline
// (pelican, emu, the frontend with an uploads bucket on the emulator) and
// runs this script:
//
//   node upload.mjs <base-url> <tmpdir>
//
// with the scenario in environment variables (all required):
//   E2E_USERNAME, E2E_PASSWORD  an editor the frontend was configured with
//   E2E_CSV                     path of the CSV file to upload
//   E2E_ROWS                    rows of the file that must be imported
//   E2E_SKIPPED                 bad lines that must be listed as skipped
//
// Log in, choose the file on /imports, upload it (the page PUTs it straight
// to S3 and shows the upload's progress), land on the job's page and watch
// it go to "imported" and then "indexed n of n" without a reload; the
// skipped lines are listed with their line numbers; /status lists the job.
// Exits 0 when every step passed and no page logged a console error;
// screenshots of each step are saved in <tmpdir>.

import { STEP_TIMEOUT_MS, fail, runWalk, setUp } from "./harness.mjs";

// Upload, check and import of a small file.
const IMPORTED_TIMEOUT_MS = 60_000;
// Every imported row through pelican, SQS, emu (embedding) and the store.
const INDEXED_TIMEOUT_MS = 120_000;
const OVERALL_TIMEOUT_MS = 200_000;

const walkSetup = setUp("upload", ["E2E_USERNAME", "E2E_PASSWORD", "E2E_CSV", "E2E_ROWS", "E2E_SKIPPED"]);
const { base, scenario, log, shot, logIn } = walkSetup;
const rows = Number(scenario.E2E_ROWS);
const skipped = Number(scenario.E2E_SKIPPED);

const number = (text) => Number(String(text).replace(/,/g, ""));

async function walk(page) {
  // What the progress elements said, in order, across page loads: the
  // upload page's status line and percentage, the job page's phase and
  // index lines. Recorded in the page as they change, so even states
  // shown for a few milliseconds are seen.
  const seen = [];
  await page.exposeFunction("recordShown", (id, text) => seen.push({ id, text, at: Date.now() }));
  await page.addInitScript(() => {
    const watched = ["upload-status", "upload-percent", "import-phase", "import-rows", "import-index"];
    const start = () => {
      for (const id of watched) {
        const element = document.getElementById(id);
        if (!element) continue;
        window.recordShown(id, element.textContent.trim());
        new MutationObserver(() => window.recordShown(id, element.textContent.trim())).observe(element, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      }
    };
    document.addEventListener("DOMContentLoaded", start);
  });

  await logIn(page);
  log("logged in");

  await page.goto(`${base}/imports`);
  const form = page.locator("form#upload-form");
  await form.waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.locator("input#upload-file").setInputFiles(scenario.E2E_CSV);
  await shot(page, "5-upload-chosen");
  await Promise.all([
    page.waitForURL((url) => /^\/imports\/[0-9a-f-]{36}$/.test(new URL(url).pathname), {
      timeout: IMPORTED_TIMEOUT_MS,
    }),
    page.locator("button#upload-button").click(),
  ]);
  const jobUrl = page.url();
  log(`uploaded; the job is ${jobUrl}`);
  const uploadShown = seen.filter((s) => s.id === "upload-status").map((s) => s.text);
  const percents = seen.filter((s) => s.id === "upload-percent").map((s) => s.text);
  log(`upload page said: ${uploadShown.join(" | ")}`);
  if (!uploadShown.some((text) => /^Uploading… [\d,]+ of [\d,]+ bytes$/.test(text))) {
    fail(`the upload page never showed the upload's progress: ${uploadShown.join(" | ")}`);
  }
  if (!percents.includes("100 %")) fail(`the upload's progress bar never reached 100 %: ${percents.join(", ")}`);

  // The job page follows the job by itself: no reload from here on.
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
  const section = page.locator("section#import-job");
  await page.waitForFunction(() => document.getElementById("import-job")?.dataset.phase === "imported", null, {
    timeout: IMPORTED_TIMEOUT_MS,
  });
  const rowsLine = (await page.locator("#import-rows").textContent()).trim();
  log(`imported: ${rowsLine}`);
  const imported = rowsLine.match(/([\d,]+) imported/);
  if (!imported || number(imported[1]) !== rows) fail(`expected ${rows} rows imported, the page says "${rowsLine}"`);
  const lines = await page.$$eval("#import-skipped-rows tr", (trs) =>
    trs.map((tr) => ({ line: Number(tr.querySelector("td.line")?.textContent), reason: tr.cells[1]?.textContent ?? "" })),
  );
  if (lines.length !== skipped || lines.some((l) => !Number.isInteger(l.line) || l.line < 2 || !l.reason.trim())) {
    fail(`expected ${skipped} skipped lines with line numbers and reasons, the page lists ${JSON.stringify(lines)}`);
  }
  await shot(page, "6-imported");

  await page.waitForFunction(() => document.getElementById("import-job")?.dataset.indexState === "indexed", null, {
    timeout: INDEXED_TIMEOUT_MS,
  });
  const indexLine = (await page.locator("#import-index").textContent()).trim();
  if (indexLine !== `indexed ${rows.toLocaleString("en-US")} of ${rows.toLocaleString("en-US")}`) {
    fail(`the job page ends with "${indexLine}"`);
  }
  if (navigations !== 0) fail(`the job page reloaded ${navigations} time(s) to show its progress`);
  const indexShown = [...new Set(seen.filter((s) => s.id === "import-index").map((s) => s.text))];
  log(`the job page said: ${indexShown.join(" | ")}`);
  await shot(page, "7-indexed");
  if ((await section.getAttribute("data-phase")) !== "imported") fail("the job left the imported phase");

  await page.goto(`${base}/status`);
  const jobPath = new URL(jobUrl).pathname;
  await page.locator(`a[href="${jobPath}"]`).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await shot(page, "8-status-lists-the-import");
}

await runWalk(walkSetup, OVERALL_TIMEOUT_MS, walk);
