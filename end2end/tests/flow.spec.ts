import { expect, test } from "./fixtures";
import { SANDBOX_URL } from "../playwright.config";
import { completeBuyerFlow, initSession, submitShortMobile } from "./helpers";

// Runs in three projects: normal, JavaScript off, and WebAssembly unavailable.

test("each project runs in the conditions it names", async ({ page, request }, testInfo) => {
  await page.goto(await initSession(request));
  await expect(page.getByLabel("شرح کالا")).toBeVisible();
  const project = testInfo.project.name;
  if (project === "mobile-no-js") {
    // No script runs at all: the page was never hydrated.
    await page.waitForLoadState("load");
    expect(await page.locator("html").getAttribute("data-hydrated")).toBeNull();
  } else if (project === "mobile-no-wasm") {
    expect(await page.evaluate(() => typeof WebAssembly)).toBe("undefined");
    await page.waitForLoadState("load");
    expect(await page.locator("html").getAttribute("data-hydrated")).toBeNull();
  } else {
    expect(await page.evaluate(() => typeof WebAssembly)).toBe("object");
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  }
});

test("the opener's flow, from Divar's init call to the saved shipment and its tracking page", async ({
  page,
  request,
}) => {
  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
});

test("wrong input shows the Persian field error and keeps what was typed", async ({ page, request }) => {
  await page.goto(await initSession(request));
  await submitShortMobile(page);

  await expect(page.getByText("شمارهٔ همراه را به شکل ۰۹۱۲۳۴۵۶۷۸۹ بنویسید.")).toBeVisible();
  await expect(page.getByText("یکی از گزینه‌ها را انتخاب کنید.").first()).toBeVisible();
  await expect(page.getByLabel("شمارهٔ همراه")).toHaveValue("۰۹۱۲");
  await expect(page.getByLabel("نام و نام خانوادگی")).toHaveValue("علی محمدی");
  await expect(page.getByLabel("نشانی", { exact: true })).toHaveValue("خیابان چهارباغ، کوچهٔ گلستان");
  await expect(page.getByRole("alert")).toContainText("نیاز به اصلاح");

  // A reload (or an app switch) loses nothing: the draft is on the server.
  await page.reload();
  await expect(page.getByLabel("شمارهٔ همراه")).toHaveValue("۰۹۱۲");
});

test("tracking is only for the conversation's sides, and cancelling works before pickup", async ({
  page,
  request,
  browser,
}) => {
  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
  const tracking = page.url();

  // Someone else, without the session: nothing is shown.
  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  await other.goto(tracking);
  await expect(other.getByRole("heading", { name: "این مرسوله را نمی‌توان نشان داد" })).toBeVisible();
  await expect(other.getByTestId("status")).toHaveCount(0);
  await stranger.close();

  await page.getByRole("button", { name: "لغو درخواست" }).click();
  // Back to Divar after cancelling; the tracking page shows it.
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await page.goto(tracking);
  await expect(page.getByTestId("status")).toHaveText("لغو شد");
  await expect(page.locator(".timeline li")).toHaveCount(3);
  await expect(page.getByRole("button", { name: "لغو درخواست" })).toHaveCount(0);
});
