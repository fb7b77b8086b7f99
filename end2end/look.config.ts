import { defineConfig, devices } from "@playwright/test";
import base, { chromiumArgs } from "./playwright.config";

// `make screens` (not part of `make test`): the whole journey at 360 px wide and every console
// page at 390 and 1280 px, light and dark, saved as pictures under target/screens/ for whoever
// changes a page to look at, with every touch target under 44 px listed. Same servers as the
// journeys (playwright.config.ts).
const phone = {
  ...devices["Pixel 5"],
  viewport: { width: 360, height: 740 },
  launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
};

export default defineConfig({
  ...base,
  testDir: "./look",
  testMatch: /\.look\.ts$/,
  timeout: 120_000,
  projects: [
    { name: "light", use: { ...phone, colorScheme: "light" } },
    { name: "dark", use: { ...phone, colorScheme: "dark" } },
  ],
});
