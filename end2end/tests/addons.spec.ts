import { expect, Page } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { test } from "./fixtures";
import { audit } from "./helpers";

// Shipping offered on the seller's post: the seller opens Ersal from the post's management page
// in the sandbox (MY_POST), puts the widgets on the post, and sees them there; a buyer taps
// them and gets the price to their city; the seller takes them off. Each project ends with the
// widgets off, so the next starts from the same post as it was.

const POST = "QpR7x2Lm";

/** Reloads `url` until `check` passes (the outbox sends in the background). */
async function eventually(page: Page, url: string, check: () => Promise<void>) {
  await expect(async () => {
    await page.goto(url);
    await check();
  }).toPass({ timeout: 20_000 });
}

test("a seller offers shipping on the post, a buyer gets a price, the seller takes it off", async ({
  page,
  browser,
}, testInfo) => {
  await page.goto(`${SANDBOX_URL}/post/${POST}/manage`);
  await page.getByRole("link", { name: "ارسال", exact: true }).click();
  await page.getByRole("link", { name: /ارسال را روی آگهی به خریداران نشان دهید/ }).click();
  await expect(page).toHaveURL(/\/offer$/);
  await expect(page.getByTestId("offer-state")).toHaveText("روی آگهی نیست");
  const preview = page.getByTestId("widget-preview");
  await expect(preview).toContainText("ارسال این کالا به شهر شما");
  await expect(preview).toContainText("تهران");
  await expect(page.getByTestId("offer-range")).toContainText("تومان");
  const axe = testInfo.project.name === "mobile";
  if (axe) await audit(page, "offer");

  await page.getByRole("button", { name: "افزودن به آگهی" }).click();
  // Divar's consent screen, as the post's seller.
  await expect(page.getByTestId("scopes")).toContainText(`افزودن بخشی به آگهی ${POST}`);
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(/\/offer$/);
  await eventually(page, "/offer", () => expect(page.getByTestId("offer-state")).toHaveText("روی آگهی است", { timeout: 500 }));

  // The post as a buyer sees it, in a browser of their own.
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled ?? true;
  const buyer = await (await browser.newContext({ javaScriptEnabled })).newPage();
  await buyer.goto(`${SANDBOX_URL}/post/${POST}`);
  await expect(buyer.getByTestId("addon")).toContainText("ارسال این کالا به شهر شما");
  await buyer.getByRole("button", { name: "هزینهٔ ارسال به شهر من" }).click();
  await expect(buyer).toHaveURL(/\/price$/);
  await buyer.getByLabel("شهر شما", { exact: true }).selectOption("isfahan");
  await buyer.getByRole("button", { name: "دیدن هزینه" }).click();
  await expect(buyer.getByTestId("prices")).toContainText("اصفهان");
  await expect(buyer.getByTestId("prices")).toContainText("تومان");
  await expect(buyer.getByTestId("open-chat")).toContainText("گفتگو با فروشنده را باز کنید");
  if (axe) await audit(buyer, "price");

  // Removing needs Divar to confirm the post's owner again (anyone can open the direct link).
  await page.getByRole("button", { name: "برداشتن از آگهی" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(/\/offer$/);
  await eventually(buyer, `${SANDBOX_URL}/post/${POST}`, () => expect(buyer.getByTestId("no-addon")).toBeVisible({ timeout: 500 }));
  await eventually(page, "/offer", () => expect(page.getByTestId("offer-state")).toHaveText("روی آگهی نیست", { timeout: 500 }));
});
