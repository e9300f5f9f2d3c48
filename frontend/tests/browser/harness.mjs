// What every browser walk shares (search_edit.mjs, upload.mjs): its
// arguments and scenario from the environment, Chromium started with the
// flags this machine needs, screenshots, logging in, and the rule that a
// console error, an uncaught page error or a 5xx anywhere fails the walk.
//
//   node <walk>.mjs <base-url> <tmpdir>

import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const STEP_TIMEOUT_MS = 15_000;

// Without the background-networking flags Chromium keeps dialling
// services this machine cannot reach.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function fail(message) {
  throw new Error(message);
}

/**
 * The walk `name`: its base URL, screenshot directory and the scenario
 * variables `names` (all required; exits 2 when one is missing).
 */
export function setUp(name, names) {
  const [baseArg, tmpdir] = process.argv.slice(2);
  if (!baseArg || !tmpdir) {
    console.error(`usage: node ${name}.mjs <base-url> <tmpdir>`);
    process.exit(2);
  }
  const scenario = {};
  for (const variable of names) {
    const value = process.env[variable];
    if (!value) {
      console.error(`${name}: ${variable} is not set`);
      process.exit(2);
    }
    scenario[variable] = value;
  }
  const log = (message) => console.log(`${name}: ${message}`);
  const shot = async (page, step) => {
    const path = join(tmpdir, `${step}.png`);
    await page.screenshot({ path, fullPage: true });
    log(`screenshot ${path}`);
  };
  const logIn = async (page) => {
    await page.goto(`${base}/login`);
    await page.locator("input[name=username]").fill(scenario.E2E_USERNAME);
    await page.locator("input[name=password]").fill(scenario.E2E_PASSWORD);
    await Promise.all([
      page.waitForURL((url) => new URL(url).pathname !== "/login", { timeout: STEP_TIMEOUT_MS }),
      page.locator("button[type=submit]").click(),
    ]);
  };
  const base = baseArg.replace(/\/+$/, "");
  return { name, base, tmpdir, scenario, log, shot, logIn };
}

/**
 * Run `walk(page)` in a fresh Chromium profile, within `overallMs`; exit 0
 * when it passed and nothing went wrong on any page, else print every
 * problem and exit 1.
 */
export async function runWalk(walkSetup, overallMs, walk) {
  const { name, tmpdir, shot } = walkSetup;
  const problems = [];
  const watchdog = setTimeout(() => {
    console.error(`${name}: gave up after ${overallMs} ms`);
    process.exit(1);
  }, overallMs);
  let context;
  let ok = false;
  try {
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir, `${name}-profile-`)), {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = context.pages()[0] ?? (await context.newPage());
    // Any console error (a CSP violation, a CORS refusal, a failed load, a
    // script error) or uncaught exception fails the walk.
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error at ${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error at ${page.url()}: ${error.message}`));
    page.on("response", (response) => {
      if (response.status() >= 500) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    try {
      await walk(page);
      ok = true;
    } catch (error) {
      problems.push(error.message);
      await shot(page, `${name}-failure`).catch(() => {});
    }
  } catch (error) {
    problems.push(`could not start chromium: ${error.message}`);
  } finally {
    await context?.close().catch(() => {});
    clearTimeout(watchdog);
  }
  if (!ok || problems.length > 0) {
    for (const problem of problems) console.error(`${name}: FAIL ${problem}`);
    process.exit(1);
  }
  console.log(`${name}: passed`);
}
