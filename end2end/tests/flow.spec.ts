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
  const url = await initSession(request, { conversation_id: null });
  await completeBuyerFlow(page, url);
  const tracking = page.url();
  // Reopening the session (its link again, or the flow's address) shows the saved shipment,
  // never a blank request.
  await page.goto(url);
  await expect(page).toHaveURL(tracking);
  await page.goto("/request");
  await expect(page).toHaveURL(tracking);
  await expect(page.getByTestId("status")).toHaveText("در انتظار تکمیل اطلاعات طرف مقابل");
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

test("where the WASM runs, a field is checked as it is left and the other city's prices come at once", async ({
  page,
  request,
}, testInfo) => {
  const islands = testInfo.project.name === "mobile";
  await page.goto(await initSession(request, { conversation_id: null }));
  await page.getByLabel("کوچک (تا ۲ کیلوگرم)").check();
  await page.getByLabel("ارزش کالا (تومان)").fill("۵۰۰۰۰۰");
  await page.getByRole("button", { name: "ادامه" }).click();

  // Leaving a wrong field: its error at once (and cleared once fixed), or only after sending.
  const mobile = page.getByLabel("شمارهٔ همراه");
  const error = page.getByText("شمارهٔ همراه را به شکل ۰۹۱۲۳۴۵۶۷۸۹ بنویسید.");
  await mobile.fill("۰۹۱۲");
  await mobile.press("Tab");
  if (islands) {
    await expect(error).toBeVisible();
    await expect(mobile).toHaveAttribute("aria-invalid", "true");
    await expect(mobile).toHaveAttribute("aria-describedby", "f-mobile-hint f-mobile-error");
    await mobile.fill("۰۹۳۵ ۱۲۳ ۴۵۶۷");
    await mobile.press("Tab");
    await expect(error).toHaveCount(0);
    await expect(mobile).toHaveAttribute("aria-invalid", "false");
  } else {
    await page.waitForTimeout(300);
    await expect(error).toHaveCount(0);
    await mobile.fill("۰۹۳۵ ۱۲۳ ۴۵۶۷");
  }
  await page.getByLabel("نام و نام خانوادگی").fill("علی محمدی");
  await page.getByLabel("شهر", { exact: true }).selectOption("isfahan");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان چهارباغ، کوچهٔ گلستان");
  await page.getByLabel("تحویل درِ خانه").check();
  await page.getByRole("button", { name: "ادامه" }).click();

  // The quote follows the other city: at once, or when "calculate" is pressed; what was
  // chosen stays.
  const economy = page.getByTestId("total-economy");
  const fromTehran = await economy.textContent();
  await page.getByLabel("گیرنده (پس‌کرایه)").check();
  await page.getByLabel(/شهر فرستنده/).selectOption("isfahan");
  if (!islands) {
    await page.waitForTimeout(300);
    await expect(economy).toHaveText(fromTehran!);
    await page.getByRole("button", { name: "محاسبهٔ هزینه" }).click();
  }
  await expect(economy).not.toHaveText(fromTehran!);
  await expect(page.getByLabel(/شهر فرستنده/)).toHaveValue("isfahan");
  await expect(page.getByLabel("گیرنده (پس‌کرایه)")).toBeChecked();
});
