// The search-and-edit walk in a real browser: Debian's headless
// Chromium, driven by playwright-core. frontend/tests/browser.rs starts the
// whole pipeline (pelican, emu, frontend on a fresh database and fresh
// queues) and runs this script:
//
//   node search_edit.mjs <base-url> <tmpdir>
//
// with the scenario in environment variables (all required):
//   E2E_USERNAME, E2E_PASSWORD  a user the frontend was configured with
//   E2E_QUERY                   a first search that must return ranked results
//   E2E_SKU                     the product to edit
//   E2E_DESCRIPTION             its new description
//   E2E_NEW_QUERY               a search for the new wording: E2E_SKU must come first
//
// Exits 0 when every step passed and the page logged no console error and
// threw no uncaught error; otherwise prints what failed and exits 1.
// Screenshots of each step are saved in <tmpdir>.

import { STEP_TIMEOUT_MS, fail, runWalk, setUp } from "./harness.mjs";

// Edit → "indexed" crosses pelican, SQS, emu (embedding) and the store.
const INDEXED_TIMEOUT_MS = 60_000;
// Never hang the test run, whatever the page does.
const OVERALL_TIMEOUT_MS = 150_000;

const walkSetup = setUp("search_edit", [
  "E2E_USERNAME",
  "E2E_PASSWORD",
  "E2E_QUERY",
  "E2E_SKU",
  "E2E_DESCRIPTION",
  "E2E_NEW_QUERY",
]);
const { base, scenario, log, shot, logIn } = walkSetup;

/** Rows of the result list: sku, link target and score, in page order. */
async function results(page) {
  return page.$$eval("ol#results > li.result", (items) =>
    items.map((li) => ({
      sku: li.querySelector(".result-sku")?.textContent.trim() ?? "",
      href: li.querySelector("a.result-name")?.getAttribute("href") ?? "",
      name: li.querySelector("a.result-name")?.textContent.trim() ?? "",
      score: Number.parseFloat(li.querySelector(".result-score")?.textContent ?? "NaN"),
    })),
  );
}

/** Type a query into the search box, submit it and wait for its results. */
async function search(page, query) {
  await page.goto(`${base}/`);
  await page.locator("form#search-form input#q[name=q]").fill(query);
  // Enter submits the form: the no-JavaScript path works with or without
  // the search-as-you-type script. Wait for the page whose URL carries the
  // query, then for its list.
  await Promise.all([
    page.waitForURL((url) => new URL(url).searchParams.get("q") === query, { timeout: STEP_TIMEOUT_MS }),
    page.locator("form#search-form input#q").press("Enter"),
  ]);
  await page.locator("ol#results > li.result").first().waitFor({ timeout: STEP_TIMEOUT_MS });
  const rows = await results(page);
  if (rows.length === 0) fail(`search "${query}": no results`);
  for (const row of rows) {
    if (!Number.isFinite(row.score)) fail(`search "${query}": result ${row.sku} shows no numeric score`);
    if (!row.href.endsWith(`/products/${encodeURIComponent(row.sku)}`)) {
      fail(`search "${query}": result ${row.sku} links to ${row.href}`);
    }
  }
  // Ranked: the page lists exactly the server's ranking for this query
  // (the JSON API's order: similarity, category vote and exact-match
  // fusion), nothing dropped or reordered on the way to the page.
  const api = await fetch(`${base}/api/search?q=${encodeURIComponent(query)}&k=${rows.length}`);
  if (!api.ok) fail(`GET /api/search for "${query}": HTTP ${api.status}`);
  const ranked = (await api.json()).results.map((r) => r.sku);
  const shown = rows.map((r) => r.sku);
  if (ranked.join(" ") !== shown.join(" ")) {
    fail(`search "${query}": the page shows ${shown.join(", ")} but the ranking is ${ranked.join(", ")}`);
  }
  return rows;
}

/** Edit the description; resolves once the product page says "indexed". */
async function editDescription(page) {
  const sku = scenario.E2E_SKU;
  await page.goto(`${base}/products/${encodeURIComponent(sku)}`);
  await page.locator("a#edit-product").click({ timeout: STEP_TIMEOUT_MS });
  const form = page.locator("form#product-form");
  await form.waitFor({ timeout: STEP_TIMEOUT_MS });
  await form.locator("textarea[name=description]").fill(scenario.E2E_DESCRIPTION);
  await Promise.all([
    page.waitForURL((url) => new URL(url).pathname === `/products/${encodeURIComponent(sku)}`, {
      timeout: STEP_TIMEOUT_MS,
    }),
    form.locator("button[type=submit]").click(),
  ]);
  const status = page.locator("#index-status");
  await status.waitFor({ timeout: STEP_TIMEOUT_MS });
  // The first state the saved page shows: the pipeline needs at least emu's
  // batch timeout (the Rust side sets it to seconds), so a correct page says
  // "indexing" first and must then flip by itself, without a reload.
  const first = await status.getAttribute("data-state");
  log(`after save #index-status is "${first}"`);
  if (first !== "indexing") fail(`right after saving, #index-status has data-state="${first}", expected "indexing"`);
  await shot(page, "2-indexing");
  const navigations = [];
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations.push(frame.url());
  });
  const started = Date.now();
  await page.locator('#index-status[data-state="indexed"]').waitFor({ timeout: INDEXED_TIMEOUT_MS });
  log(`"indexed" after ${Date.now() - started} ms`);
  const text = (await status.textContent()).trim().toLowerCase();
  if (!text.includes("indexed")) fail(`#index-status says "${text}" in state indexed`);
  if (navigations.length > 0) fail(`the page reloaded to show "indexed": ${navigations.join(", ")}`);
  await shot(page, "3-indexed");
}

async function run(page) {
  const first = await search(page, scenario.E2E_QUERY);
  log(`search "${scenario.E2E_QUERY}": ${first.length} ranked results, top ${first[0].sku} (${first[0].score})`);
  await shot(page, "1-search");

  await logIn(page);
  log("logged in");
  await editDescription(page);

  const after = await search(page, scenario.E2E_NEW_QUERY);
  log(`search "${scenario.E2E_NEW_QUERY}": top ${after[0].sku} (${after[0].score})`);
  await shot(page, "4-search-new-wording");
  if (after[0].sku !== scenario.E2E_SKU) {
    fail(
      `search "${scenario.E2E_NEW_QUERY}": expected ${scenario.E2E_SKU} first, got ${after
        .slice(0, 5)
        .map((r) => r.sku)
        .join(", ")}`,
    );
  }

  // The sync status page under the same strict CSP (no console errors).
  await page.goto(`${base}/status`);
  await page.locator("table").first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await shot(page, "5-status");
}

await runWalk(walkSetup, OVERALL_TIMEOUT_MS, run);
