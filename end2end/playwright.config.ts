import { defineConfig, devices } from "@playwright/test";

// Journeys run the production build of Ersal (`make build-release`) against the Divar
// sandbox started as its own binary, both on fresh state, in Debian's Chromium on a mobile
// profile. One worker: the machine has two cores.
export const BASE_URL = "http://127.0.0.1:3000";
export const SANDBOX_URL = "http://127.0.0.1:3100";
export const IDENTIFICATION_KEY = "e2e-identification-key-000000";

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

// Both processes read the same configuration, so they agree on keys and secrets.
const env = {
  ERSAL_MODE: "dev",
  DATABASE_URL: "sqlite://target/e2e/ersal.db",
  DIVAR_IDENTIFICATION_KEYS: IDENTIFICATION_KEY,
  ERSAL_PUBLIC_URL: BASE_URL,
  DIVAR_SANDBOX_ADDR: "127.0.0.1:3100",
  // Every journey comes from one loopback address, far faster than a person: the per-address
  // limits are raised so that they never decide a journey (tests/api/limits.rs tests them).
  ERSAL_RATE_LIMITS: "fallback=1000,landing=1000,login=1000,functions=10000,pages=10000",
  // The item is prefilled from the sandbox's post, which answers at once; a loaded machine
  // may not within the default 300 ms.
  ERSAL_PREFILL_MS: "5000",
  // The assistant waits this long for the seller before answering (90 s by default).
  ERSAL_ASSISTANT_DELAY_SECS: "1",
  RUST_LOG: "info",
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    locale: "fa-IR",
    timezoneId: "Asia/Tehran",
    trace: "off",
  },
  projects: [
    {
      name: "mobile",
      use: {
        ...devices["Pixel 5"],
        launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
      },
    },
    {
      // Every page must work as plain HTML forms.
      name: "mobile-no-js",
      testMatch: /(flow|chat|console|csp|support|addons|api-tokens|assistant|handover|webhooks)\.spec\.ts/,
      use: {
        ...devices["Pixel 5"],
        javaScriptEnabled: false,
        launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
      },
    },
    {
      // Staff also work at a desk: the console's journeys at 1280 px.
      name: "desktop",
      testMatch: /(console|support|api-tokens|webhooks)\.spec\.ts/,
      use: {
        viewport: { width: 1280, height: 800 },
        launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
      },
    },
    {
      // Android 5's newest WebView may not run modern WASM: JavaScript on, WebAssembly absent
      // (removed before any page script runs; tests/fixtures.ts).
      name: "mobile-no-wasm",
      testMatch: /(flow|csp|addons)\.spec\.ts/,
      metadata: { noWasm: true },
      use: {
        ...devices["Pixel 5"],
        launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
      },
    },
  ],
  webServer: [
    {
      command: "exec target/release/divar-sandbox",
      cwd: "..",
      url: `${SANDBOX_URL}/`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env,
    },
    {
      // The log goes to a file that a test searches for secrets.
      command: "rm -rf target/e2e && mkdir -p target/e2e && exec target/release/ersal > target/e2e/ersal.log 2>&1",
      cwd: "..",
      url: `${BASE_URL}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env,
    },
  ],
});
