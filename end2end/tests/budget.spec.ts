import { CDPSession, expect, Page, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { CONVERSATION, fillBuyerSteps, initSession } from "./helpers";

// Every user page's weight on a cold cache: every resource, as transferred (compressed). Divar
// allows 400 KB; Ersal's goal is 100 KB. The figures are printed for every page; the run fails
// above 150 KB.
const FAIL_ABOVE = 150 * 1024;

/** Transferred bytes per URL, collected while `page` loads. */
async function watch(page: Page): Promise<{ cdp: CDPSession; bytes: () => Map<string, number> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const urls = new Map<string, string>();
  let sizes = new Map<string, number>();
  cdp.on("Network.responseReceived", (e: any) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e: any) => sizes.set(e.requestId, e.encodedDataLength));
  return {
    cdp,
    bytes: () => {
      const byUrl = new Map<string, number>();
      for (const [id, size] of sizes) {
        byUrl.set((urls.get(id) ?? id).replace(/^https?:\/\/[^/]+/, ""), size);
      }
      sizes = new Map();
      return byUrl;
    },
  };
}

const figures: string[] = [];

/** Reloads the page Ersal shows now with an empty cache and records what it transferred. */
async function measure(page: Page, name: string, bytes: () => Map<string, number>) {
  await page.waitForLoadState("networkidle");
  bytes();
  const started = Date.now();
  await page.reload({ waitUntil: "load" });
  const loadMs = Date.now() - started;
  if ((await page.locator('script[type="module"]').count()) > 0) {
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  }
  await page.waitForLoadState("networkidle");
  const resources = bytes();
  const total = [...resources.values()].reduce((a, b) => a + b, 0);
  const lines = [...resources].map(([url, size]) => `      ${String(size).padStart(7)} B  ${url}`);
  figures.push(
    `  ${name.padEnd(24)} ${(total / 1024).toFixed(1).padStart(6)} KB in ${resources.size} responses, load ${loadMs} ms\n${lines.join("\n")}`,
  );
  expect(total, `${name}: ${total} bytes`).toBeLessThanOrEqual(FAIL_ABOVE);
}

test.afterAll(() => {
  console.log(`page weight on a cold cache (goal 100 KB, fails above 150 KB):\n${figures.join("\n")}`);
});

test("every page of the flow, tracking and privacy, cold cache", async ({ page, request }) => {
  test.setTimeout(90_000);
  await request.post(`${SANDBOX_URL}/control/reset`);
  const { bytes } = await watch(page);

  await page.goto("/");
  await measure(page, "home", bytes);
  await page.goto("/privacy");
  await measure(page, "privacy", bytes);

  // The opener's steps, in a session whose side Divar did not say.
  await page.goto(await initSession(request, { conversation_id: null, user_side: null }));
  await measure(page, "role", bytes);
  await page.getByLabel("خریدارم و کالا را می‌گیرم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByLabel("شرح کالا")).toBeVisible();
  await measure(page, "item", bytes);

  // The seller's page for shipping on the post (a seller's session from the chat).
  await page.goto(await initSession(request, { conversation_id: null, user_side: "Supply" }));
  await page.goto("/offer");
  await expect(page.getByTestId("widget-preview")).toBeVisible();
  await measure(page, "offer (seller)", bytes);

  // The buyer's steps from the chat, through Divar's consent, to the seller's side.
  await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=buyer`);
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await fillBuyerSteps(page);
  await measure(page, "quote", bytes);
  await page.getByLabel("گیرنده (پس‌کرایه)").check();
  await page.getByRole("checkbox", { name: /می‌پذیرم/ }).check();
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
    await expect(page.getByRole("button", { name: "تکمیل مشخصات" })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "تکمیل مشخصات" }).click();
  await expect(page.getByRole("heading", { name: "تکمیل درخواست ارسال" })).toBeVisible();
  await measure(page, "other side: party", bytes);
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("۰۹۱۲۱۲۳۴۵۶۷");
  await page.getByLabel("شهر", { exact: true }).selectOption("tehran");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("خودم به شعبه می‌برم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByTestId("final-total")).toBeVisible();
  await measure(page, "other side: confirm", bytes);
  await page.getByRole("button", { name: "تأیید و ثبت ارسال" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
    await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "پیگیری ارسال" }).click();
  await expect(page.getByTestId("status")).toBeVisible();
  await measure(page, "tracking", bytes);
});
