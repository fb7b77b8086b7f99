import { expect, Page, test } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { audit, bookThroughChat, chat, createOperator, login, messagesArrive } from "./helpers";

// Handover proved by codes, end to end: the sender's tracking page shows the waybill (the
// tracking code, its QR code, the pickup code) and nothing of the receiver; the receiver's shows
// the delivery code only. The courier's page confirms the pickup with the sender's code, refuses
// a wrong delivery code without changing anything, and delivers with the receiver's; the chat
// hears each once, never a code, and neither does the log.

/** Opens the tracking page from the chat as `side`; returns the page's text. */
async function tracking(page: Page, side: "buyer" | "seller"): Promise<string> {
  await page.goto(chat(side));
  await page.getByRole("button", { name: "پیگیری ارسال" }).first().click();
  await expect(page.getByTestId("status")).toBeVisible();
  return page.locator("main").innerText();
}

const digits = (code: string) => code.replace(/[۰-۹]/g, (d) => String("۰۱۲۳۴۵۶۷۸۹".indexOf(d))).replace(/\s/g, "");

test("the pickup and the delivery are confirmed with their holders' codes", async ({ page, request, browser }, testInfo) => {
  const axe = testInfo.project.name === "mobile";
  const logFile = path.join(__dirname, "../../target/e2e/ersal.log");
  const logBefore = fs.readFileSync(logFile, "utf8").length;
  const code = await bookThroughChat(page, request);

  // The sender (the seller) sees the waybill, and nothing of the receiver.
  const senderText = await tracking(page, "seller");
  await expect(page.getByTestId("waybill")).toBeVisible();
  await expect(page.getByTestId("waybill-qr").locator("svg")).toBeVisible();
  const pickup = digits((await page.getByTestId("pickup-code").textContent())!);
  expect(pickup).toMatch(/^\d{6}$/);
  await expect(page.getByTestId("delivery-code")).toHaveCount(0);
  for (const receiver of ["علی محمدی", "چهارباغ", "۰۹۳۵", "09351234567"]) {
    expect(senderText).not.toContain(receiver);
  }
  if (axe) await audit(page, "waybill");

  // The receiver (the buyer) sees the delivery code only.
  await tracking(page, "buyer");
  const delivery = digits((await page.getByTestId("delivery-code").textContent())!);
  expect(delivery).toMatch(/^\d{6}$/);
  await expect(page.getByTestId("waybill")).toHaveCount(0);
  await expect(page.getByTestId("pickup-code")).toHaveCount(0);

  // Staff schedule the pickup; the courier confirms it with the sender's code.
  createOperator("courier-" + testInfo.project.name);
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled ?? true;
  const staff = await (await browser.newContext({ javaScriptEnabled })).newPage();
  await login(staff, "courier-" + testInfo.project.name);
  await staff.goto(`/console/s/${code}`);
  await staff.getByRole("button", { name: "زمان‌بندی جمع‌آوری", exact: true }).click();
  await expect(staff.getByTestId("console-status")).toHaveText("در انتظار جمع‌آوری");

  await staff.getByRole("link", { name: "پیک" }).click();
  await staff.getByLabel("کد پیگیری مرسوله").fill(code.toLowerCase());
  await staff.getByRole("button", { name: "یافتن مرسوله" }).click();
  await expect(staff.getByTestId("courier-status")).toHaveText("در انتظار جمع‌آوری");
  if (axe) await audit(staff, "courier");
  await staff.getByLabel("کد جمع‌آوری (از فرستنده)").fill(pickup);
  await staff.getByRole("button", { name: "تأیید جمع‌آوری" }).click();
  await expect(staff.getByTestId("courier-message")).toContainText("جمع‌آوری با کد فرستنده تأیید");
  await expect(staff.getByTestId("courier-status")).toHaveText("تحویل پیک شد");

  // On the way, then out for delivery, by staff.
  await staff.goto(`/console/s/${code}`);
  for (const [button, status] of [
    ["ثبت حرکت به مقصد", "در مسیر"],
    ["سپردن به پیک توزیع", "در حال توزیع"],
  ]) {
    await staff.getByRole("button", { name: button, exact: true }).click();
    await expect(staff.getByTestId("console-status")).toHaveText(status);
  }

  // A wrong delivery code (the sender's) changes nothing; the receiver's delivers it.
  await staff.goto(`/console/courier?code=${code}`);
  await staff.getByLabel("کد تحویل (از گیرنده)").fill(pickup === delivery ? "000000" : pickup);
  await staff.getByRole("button", { name: "تأیید تحویل" }).click();
  await expect(staff.getByTestId("courier-message")).toContainText("کد درست نیست");
  await expect(staff.getByTestId("courier-status")).toHaveText("در حال توزیع");
  await staff.getByLabel("کد تحویل (از گیرنده)").fill(delivery);
  await staff.getByRole("button", { name: "تأیید تحویل" }).click();
  await expect(staff.getByTestId("courier-status")).toHaveText("تحویل شد");

  // 2 messages before; then scheduled, picked up, in transit, out, delivered: each once.
  await messagesArrive(page, "buyer", 7);
  const texts = await page.getByTestId("message").allTextContents();
  expect(texts.filter((t) => t.includes("با کد فرستنده تأیید شد"))).toHaveLength(1);
  expect(texts.filter((t) => t.includes("با کد گیرنده تأیید شد"))).toHaveLength(1);
  for (const t of texts) {
    expect(t).not.toContain(pickup);
    expect(t).not.toContain(delivery);
  }
  // The receiver's page no longer shows a code: it is used.
  await tracking(page, "buyer");
  await expect(page.getByTestId("delivery-code")).toHaveCount(0);

  // Not as a number of its own (a timestamp's fraction after its "." may hold any digits).
  const log = fs.readFileSync(logFile, "utf8").slice(logBefore);
  for (const secret of [pickup, delivery]) {
    expect(log).not.toMatch(new RegExp(`(?<![\\d.])${secret}(?!\\d)`));
  }
});
