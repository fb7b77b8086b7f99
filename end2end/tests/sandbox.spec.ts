import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { CONVERSATION, expectPostCard } from "./helpers";

test.beforeEach(async ({ request }) => {
  await request.post(`${SANDBOX_URL}/control/reset`);
});

test("buyer opens Ersal from the sandbox chat and returns to Divar", async ({ page, request }) => {
  await page.goto(`${SANDBOX_URL}/`);
  await page.getByRole("link", { name: "ورود به گفتگو به‌عنوان خریدار" }).first().click();
  await expect(page.getByTestId("viewer")).toHaveText("علی محمدی");

  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await expect(page).toHaveURL("http://127.0.0.1:3000/request");
  await expect(page.getByTestId("side")).toHaveText("خریدار (گیرندهٔ کالا)");
  await expectPostCard(page);

  await page.getByRole("link", { name: "بازگشت به دیوار" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await expect(page.getByTestId("came-from")).toContainText("گوشی سامسونگ A54 در حد نو");

  // The sandbox journaled its init call: authenticated, answered 200, key masked.
  const journal = await (await request.get(`${SANDBOX_URL}/control/journal`)).json();
  const init = journal.entries.find((e: any) => e.direction === "out" && e.path.endsWith("/divar/init"));
  expect(init.status).toBe(200);
  expect(init.body.source).toBe("CHAT");
  expect(init.headers).toContainEqual(["authorization", "***"]);
  expect(JSON.stringify(journal)).not.toContain("e2e-identification-key");
});

test("the seller opens Ersal with a legacy v1 request", async ({ page }) => {
  await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
  await page.getByLabel("نسخهٔ درخواست").selectOption("v1");
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await expect(page).toHaveURL("http://127.0.0.1:3000/request");
  await expect(page.getByTestId("side")).toHaveText("فروشنده (فرستندهٔ کالا)");
  // v1 carried a callback_url on the sandbox's chat page: "back" returns there.
  await page.getByRole("link", { name: "بازگشت به دیوار" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/chat/${CONVERSATION}?as=seller`);
});
