import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { bookThroughChat, createOperator, login } from "../tests/helpers";
import { report, shoot } from "./shoot";

// Every console page as staff meet it, on a phone (390 px) and at a desk (1280 px): the login
// (and its refusal), the day and the list (filtered, and empty), a shipment with its actions,
// an outcome next to its action, the exceptions opened, the support inbox and a conversation,
// the courier's page, a label and the day's sheet, the API's tokens, the webhook endpoints (one
// just registered, its secret shown) and an endpoint's log.
test.afterAll(report);

const WIDTHS = [390, 1280];

test("the console at 390 and 1280 px", async ({ page, request, browser }) => {
  const code = await bookThroughChat(page, request);
  // A question waiting in the support inbox.
  await page.goto(`${SANDBOX_URL}/bot/1`);
  await page.getByRole("button", { name: "شروع از «دیوار من»" }).click();
  await page.getByLabel("پیام").fill("سلام، بستهٔ من کی می‌رسد؟");
  await page.getByRole("button", { name: "بفرست" }).click();

  createOperator("look-operator");
  const staff = await (await browser.newContext({ colorScheme: test.info().project.use.colorScheme })).newPage();
  for (const width of WIDTHS) {
    await staff.setViewportSize({ width, height: width < 600 ? 844 : 800 });
    const at = (name: string) => shoot(staff, `console-${width}/${name}`);
    await staff.context().clearCookies();
    await login(staff, "look-operator", "not-the-password");
    await at("01-login-refused");
    await login(staff, "look-operator");
    await expect(staff.getByTestId("dashboard")).toBeVisible();
    await at("02-day-and-list");
    await staff.goto("/console?stage=needs_action&from=1300/01/01");
    await at("03-list-filtered");
    await staff.goto("/console?code=ZZZZ&from=31/31/31");
    await at("04-list-empty");
    await staff.goto(`/console/s/${code}`);
    await at("05-shipment");
    await staff.goto(`/console/s/${code}?m=reason#actions`);
    await at("06-reason-missing");
    await staff.goto(`/console/s/${code}?m=done#actions`);
    await at("07-done");
    await staff.goto("/console/support");
    await expect(staff.getByTestId("support-threads")).toBeVisible();
    await at("08-inbox");
    await staff.getByTestId("support-threads").getByRole("link").first().click();
    await expect(staff.getByTestId("thread")).toBeVisible();
    await at("09-thread");
    await staff.goto("/console/courier?code=" + code);
    await at("10-courier");
    await staff.goto(`/console/s/${code}/label`);
    await at("11-label");
    await staff.goto("/console/labels");
    await at("12-labels");
    await staff.goto("/console/tokens");
    await at("13-tokens");
    await staff.goto("/console/webhooks");
    const receiver = `${SANDBOX_URL}/receiver/look-${test.info().project.name}-${width}`;
    await staff.getByLabel("نشانی (https)").fill(receiver);
    await staff.getByRole("button", { name: "ثبت نشانی" }).click();
    await expect(staff.getByTestId("webhook-secret")).toBeVisible();
    await at("14-webhooks");
    await staff.getByRole("link", { name: receiver }).click();
    await at("15-webhook");
  }
});
