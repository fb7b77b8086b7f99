import { APIRequestContext, expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { IDENTIFICATION_KEY, SANDBOX_URL } from "../playwright.config";
import { CONVERSATION, fillBuyerSteps } from "./helpers";

// Journeys through the Divar sandbox: OAuth, chat messages with each side's buttons, the
// counterparty's side, and the way back to Divar. Run with JavaScript on and off.

test.beforeEach(async ({ request }) => {
  await request.post(`${SANDBOX_URL}/control/reset`);
});

const chat = (side: "buyer" | "seller") => `${SANDBOX_URL}/chat/${CONVERSATION}?as=${side}`;

/** The buyer opens Ersal from the chat and submits; the sandbox shows its consent screen. */
async function buyerSubmits(page: Page) {
  await page.goto(chat("buyer"));
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await fillBuyerSteps(page);
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:3100\/oauth2\/auth/);
  await expect(page.getByTestId("scopes")).toContainText(CONVERSATION);
}

/** Reloads a sandbox chat page until it shows `count` messages from Ersal (sent by the worker). */
async function messagesArrive(page: Page, side: "buyer" | "seller", count: number) {
  await expect(async () => {
    await page.goto(chat(side));
    await expect(page.getByTestId("message")).toHaveCount(count, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
}

async function sendAttempts(request: APIRequestContext): Promise<number[]> {
  const journal = await (await request.get(`${SANDBOX_URL}/control/journal`)).json();
  return journal.entries
    .filter((e: any) => e.direction === "in" && /\/v2\/open-platform\/conversations\/.*\/messages$/.test(e.path))
    .map((e: any) => e.status);
}

test("buyer and seller complete a shipment through the chat", async ({ page, request }) => {
  await buyerSubmits(page);
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  // The buyer (who sent the message) sees "track"; the seller sees "fill in".
  await messagesArrive(page, "buyer", 1);
  await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toBeVisible();
  await expect(page.getByRole("button", { name: "تکمیل مشخصات" })).toHaveCount(0);
  await expect(page.getByTestId("message")).toContainText("از تهران به اصفهان");
  await expect(page.getByTestId("message")).not.toContainText("چهارباغ");
  await page.goto(chat("seller"));
  await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toHaveCount(0);
  await page.getByRole("button", { name: "تکمیل مشخصات" }).click();

  // The seller fills their own side (never the buyer's), sees the price, confirms.
  await expect(page.getByRole("heading", { name: "تکمیل درخواست ارسال" })).toBeVisible();
  await expect(page.getByTestId("side")).toHaveText("فروشنده (فرستندهٔ کالا)");
  await expect(page.locator("body")).not.toContainText("چهارباغ");
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("۰۹۱۲۱۲۳۴۵۶۷");
  await page.getByLabel("شهر", { exact: true }).selectOption("tehran");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("خودم به شعبه می‌برم").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await expect(page.getByTestId("final-total")).toHaveText("۲۱۱٬۷۵۰ تومان");
  await page.getByRole("button", { name: "تأیید و ثبت ارسال" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  // Both see the "booked" message with a tracking button, which opens the tracking page.
  await messagesArrive(page, "seller", 2);
  await expect(page.getByTestId("message").nth(1)).toContainText("ثبت شد");
  await page.getByRole("button", { name: "پیگیری ارسال" }).last().click();
  await expect(page).toHaveURL(/127\.0\.0\.1:3000\/t\/[2-9A-HJ-NP-Z]{10}$/);
  await expect(page.getByTestId("status")).toHaveText("ثبت شد");
  await expect(page.getByTestId("route")).toHaveText("از تهران به اصفهان");
  // The track button's session, at the flow's address: its shipment, not "invalid button".
  const tracking = page.url();
  await page.goto("/request");
  await expect(page).toHaveURL(tracking);
  await expect(page.getByTestId("chat")).toHaveText("در گفتگو اعلام شد.");
  await messagesArrive(page, "buyer", 2);
  await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toHaveCount(2);
  expect(await sendAttempts(request)).toEqual([200, 200]);
});

test("permission denied: the request can still be saved, without a chat message", async ({ page }) => {
  await buyerSubmits(page);
  await page.getByRole("button", { name: "رد" }).click();
  await expect(page.getByRole("heading", { name: "اجازه داده نشد" })).toBeVisible();
  await expect(page.getByRole("link", { name: "دوباره اجازه بدهید" })).toBeVisible();
  await page.getByRole("button", { name: "ثبت درخواست بدون پیام در گفتگو" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await page.goto(chat("buyer"));
  await expect(page.getByTestId("message")).toHaveCount(0);
});

test("a failing token endpoint, and a replayed callback, are explained", async ({ page, request }) => {
  await request.post(`${SANDBOX_URL}/control/faults`, { data: { target: "token", kind: "server_error", count: 1 } });
  await buyerSubmits(page);
  const callback = page.waitForRequest(/\/oauth\/callback\?/);
  await page.getByRole("button", { name: "تأیید" }).click();
  const callbackUrl = (await callback).url();
  await expect(page.getByRole("heading", { name: "اجازه ثبت نشد" })).toBeVisible();

  // Try again: a fresh consent, this time the token endpoint answers.
  await page.getByRole("link", { name: "دوباره اجازه بدهید" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);

  // The first callback again (a reused state): refused, nothing saved twice.
  await page.goto(callbackUrl);
  await expect(page.getByRole("heading", { name: "این پاسخ معتبر نیست" })).toBeVisible();
  await messagesArrive(page, "buyer", 1);
});

test("sends that fail with 500 twice are retried, and the message arrives once", async ({ page, request }) => {
  await request.post(`${SANDBOX_URL}/control/faults`, {
    data: { target: "send_message", kind: "server_error", count: 2 },
  });
  await buyerSubmits(page);
  await page.getByRole("button", { name: "تأیید" }).click();
  await messagesArrive(page, "buyer", 1);
  expect(await sendAttempts(request)).toEqual([500, 500, 200]);
});

test("412 code 9: the shipment is kept and the tracking page says the chat was not notified", async ({
  page,
  request,
}) => {
  await request.post(`${SANDBOX_URL}/control/faults`, {
    data: { target: "send_message", kind: "restricted", count: 1 },
  });
  await buyerSubmits(page);
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(async () => expect(await sendAttempts(request)).toEqual([412])).toPass({ timeout: 10_000 });
  // The buyer opens the shipment (the code is in the refused message's text).
  const journal = await (await request.get(`${SANDBOX_URL}/control/journal`)).json();
  const refused = journal.entries.find((e: any) => e.status === 412);
  const code = /([2-9A-HJ-NP-Z]{10})\s*$/.exec(refused.body.message)![1];
  await expect(async () => {
    await page.goto(`/t/${code}`);
    await expect(page.getByTestId("chat")).toContainText("پیام به گفتگو نرسید", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(page.getByTestId("status")).toHaveText("در انتظار تکمیل اطلاعات طرف مقابل");
  // The message is marked undeliverable, a final state: it was not retried.
  expect(await sendAttempts(request)).toEqual([412]);
});

test("no token, secret or personal data appears in Ersal's log", async ({ page }) => {
  const logFile = path.join(__dirname, "../../target/e2e/ersal.log");
  const before = fs.readFileSync(logFile, "utf8").length;
  // Traffic of its own: a journey with permission, a message, and the typed personal data.
  await buyerSubmits(page);
  await page.getByRole("button", { name: "تأیید" }).click();
  await messagesArrive(page, "buyer", 1);
  const log = fs.readFileSync(logFile, "utf8").slice(before);
  expect(log).toContain("shipment created");
  expect(log).toContain("outbox attempt");
  const secrets = [IDENTIFICATION_KEY, "ersal-dev-api-key", "ersal-dev-oauth-client-secret", "ory_at_", "ory_rt_", "ory_ac_"];
  // Personal data typed in the journeys: phones, names, addresses.
  const personal = ["09351234567", "09121234567", "۰۹۳۵", "علی محمدی", "مریم رضایی", "چهارباغ", "ولیعصر"];
  for (const needle of [...secrets, ...personal]) {
    expect(log).not.toContain(needle);
  }
});
