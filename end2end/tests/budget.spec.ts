import { expect, test } from "@playwright/test";
import { initSession } from "./helpers";

// The landing page's weight on a cold cache: every resource, as transferred (compressed), and
// the time to `load`. Divar allows 400 KB; Ersal aims for 150 KB. Numbers are printed; only the
// byte limit fails the run.
const DIVAR_LIMIT = 400 * 1024;

test("landing page budget, cold cache", async ({ page, request }) => {
  const url = await initSession(request);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const sizes = new Map<string, number>();
  const urls = new Map<string, string>();
  cdp.on("Network.responseReceived", (e: any) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e: any) => sizes.set(e.requestId, e.encodedDataLength));

  const started = Date.now();
  await page.goto(url, { waitUntil: "load" });
  const loadMs = Date.now() - started;
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await page.waitForLoadState("networkidle");

  let total = 0;
  const lines: string[] = [];
  for (const [id, bytes] of sizes) {
    total += bytes;
    lines.push(`  ${String(bytes).padStart(8)} B  ${(urls.get(id) ?? id).replace(/^https?:\/\/[^/]+/, "")}`);
  }
  console.log(
    `landing page budget: ${(total / 1024).toFixed(1)} KB transferred in ${sizes.size} responses, load in ${loadMs} ms\n${lines.join("\n")}`,
  );
  expect(total).toBeLessThanOrEqual(DIVAR_LIMIT);
});
