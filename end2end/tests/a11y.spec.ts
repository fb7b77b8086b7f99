import { expect, test } from "@playwright/test";
import { audit, completeBuyerFlow, initSession } from "./helpers";

test("every page has no WCAG 2.1 A/AA violations, light and dark", async ({ page, request }) => {
  await page.goto("/");
  await audit(page, "home");
  await page.goto("/privacy");
  await audit(page, "privacy");
  await page.goto("/request");
  await audit(page, "no session");
  await page.goto("/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  await audit(page, "expired link");

  await page.goto(await initSession(request, { user_side: null }));
  await audit(page, "role step");
  await page.getByLabel("خریدارم و کالا را می‌گیرم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByRole("heading", { name: "کالا", exact: true })).toBeVisible();
  await audit(page, "item step");
  // With errors shown.
  await page.getByLabel("شرح کالا").fill("");
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await audit(page, "item step with errors");

  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
  await audit(page, "tracking");
});

test("the party and quote steps", async ({ page, request }) => {
  await page.goto(await initSession(request, { user_side: "Supply" }));
  await page.getByLabel("متوسط (تا ۵ کیلوگرم)").check();
  await page.getByLabel("ارزش کالا (تومان)").fill("0");
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByRole("heading", { name: "مشخصات فرستنده (شما)" })).toBeVisible();
  await audit(page, "party step (sender)");
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("09121234567");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("پیک از نشانی من بگیرد").check();
  await page.getByLabel("۹ تا ۱۲").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByRole("heading", { name: "هزینه و ثبت" })).toBeVisible();
  await audit(page, "quote step");
});
