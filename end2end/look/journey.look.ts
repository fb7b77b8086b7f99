import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { report, shoot } from "./shoot";
import { CONVERSATION, fillBuyerSteps, initSession, submitShortMobile } from "../tests/helpers";

// Every screen of the journey as a picture, in the order a user meets them (look/shoot.ts says
// what else is checked on each).
test.afterAll(report);

test("the journey at 360 px", async ({ page, request }) => {
  await request.post(`${SANDBOX_URL}/control/reset`);
  await page.goto("/");
  await shoot(page, "01-home");
  await page.goto("/privacy");
  await shoot(page, "02-privacy");

  // A session whose side Divar did not say, with no chat: role, item, field errors.
  await page.goto(await initSession(request, { conversation_id: null, user_side: null }));
  await shoot(page, "03-role");
  await page.getByLabel("خریدارم و کالا را می‌گیرم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByLabel("شرح کالا")).toBeVisible();
  await shoot(page, "04-item");
  await page.getByLabel("شرح کالا").fill("");
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.locator(".field.invalid").first()).toBeVisible();
  await shoot(page, "05-item-errors");
  await page.getByLabel("شرح کالا").fill("گوشی سامسونگ A54");
  await submitShortMobile(page);
  await expect(page.locator(".field.invalid").first()).toBeVisible();
  await shoot(page, "06-party-errors");

  // The buyer from the chat, through Divar's consent, to the seller's side and tracking.
  await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=buyer`);
  await shoot(page, "07-sandbox-chat");
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await shoot(page, "08-chat-item");
  await fillBuyerSteps(page);
  await shoot(page, "09-quote");
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await shoot(page, "10-consent");
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
    await expect(page.getByRole("button", { name: "تکمیل مشخصات" })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await shoot(page, "11-sandbox-chat-seller");
  await page.getByRole("button", { name: "تکمیل مشخصات" }).click();
  await expect(page.getByRole("heading", { name: "تکمیل درخواست ارسال" })).toBeVisible();
  await shoot(page, "12-other-side-party");
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("۰۹۱۲۱۲۳۴۵۶۷");
  await page.getByLabel("شهر", { exact: true }).selectOption("tehran");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("خودم به شعبه می‌برم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByTestId("final-total")).toBeVisible();
  await shoot(page, "13-other-side-confirm");
  await page.getByRole("button", { name: "تأیید و ثبت ارسال" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
    await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await page.getByRole("button", { name: "پیگیری ارسال" }).click();
  await expect(page.getByTestId("status")).toBeVisible();
  await shoot(page, "14-tracking");

  // A landing link opened twice: the dead end a user may meet.
  const url = await initSession(request, { conversation_id: null });
  await page.goto(url);
  await page.context().clearCookies();
  await page.goto(url);
  await shoot(page, "15-link-used");

  // Shipping on the post: the seller's page from MY_POST, then a buyer's price.
  await page.goto(`${SANDBOX_URL}/post/QpR7x2Lm/manage`);
  await page.getByRole("link", { name: "ارسال", exact: true }).click();
  await page.goto("/offer");
  await expect(page.getByTestId("widget-preview")).toBeVisible();
  await shoot(page, "16-offer");
  await page.getByRole("button", { name: "افزودن به آگهی" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/post/QpR7x2Lm`);
    await expect(page.getByTestId("addon")).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await shoot(page, "17-post-with-widgets");
  await page.getByRole("button", { name: "هزینهٔ ارسال به شهر من" }).click();
  await page.getByLabel("شهر شما", { exact: true }).selectOption("isfahan");
  await page.getByRole("button", { name: "دیدن هزینه" }).click();
  await expect(page.getByTestId("prices")).toBeVisible();
  await shoot(page, "18-price");

  // The seller takes them off again, so that the next project starts from the same post.
  await page.goto(`${SANDBOX_URL}/post/QpR7x2Lm/manage`);
  await page.getByRole("link", { name: "ارسال", exact: true }).click();
  await page.goto("/offer");
  await page.getByRole("button", { name: "برداشتن از آگهی" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(async () => {
    await page.goto("/offer");
    await expect(page.getByRole("button", { name: "افزودن به آگهی" })).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
});
