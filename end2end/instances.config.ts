import { defineConfig, devices } from "@playwright/test";
import { chromiumArgs } from "./playwright.config";

// Two release instances of Ersal on one PostgreSQL behind nginx (round-robin), with the Divar
// sandbox: started and stopped around this run by scripts/instances.sh (`make e2e-instances`),
// which the fault tests also call to kill, pause and revive instances and to stop PostgreSQL.
export const PUBLIC_URL = "http://127.0.0.1:3200";

export default defineConfig({
  testDir: "./instances",
  // A fault test waits out an outbox lease (22 s) and a restart.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: PUBLIC_URL,
    locale: "fa-IR",
    timezoneId: "Asia/Tehran",
    trace: "off",
    ...devices["Pixel 5"],
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
  },
});
