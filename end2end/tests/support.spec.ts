import { expect, Page } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { test } from "./fixtures";
import { audit, completeBuyerFlow, createOperator, initSession, OPERATOR_PASSWORD } from "./helpers";

// The support bot, end to end: a user writes to Ersal's bot in the sandbox (Divar delivers each
// message to Ersal's events URL), gets a shipment's status for its tracking code typed in
// Persian digits, asks a question; an operator answers it from the console's inbox; the user
// sees the answer exactly once. The greeting's quick reply asks Ersal for a hint. Each project has a demo user (and bot conversation) of its own.

const USER: Record<string, number> = { mobile: 2, "mobile-no-js": 4, "mobile-no-wasm": 6, desktop: 8 };
const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

function conversation(user: number): string {
  return `b0700000-0000-4000-8000-${String(user).padStart(12, "0")}`;
}

/** Reloads the bot conversation until a bot line matching `text` is there. */
async function botSays(page: Page, user: number, text: string | RegExp) {
  await expect(async () => {
    await page.goto(`${SANDBOX_URL}/bot/${user}`);
    await expect(page.getByTestId("bot-line").filter({ hasText: text })).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
}

async function write(page: Page, text: string) {
  await page.getByLabel("پیام").fill(text);
  await page.getByRole("button", { name: "بفرست" }).click();
}

test("a user gets a shipment's status from the bot, asks staff, and sees the answer once", async ({
  page,
  request,
  browser,
}, testInfo) => {
  const user = USER[testInfo.project.name] ?? 1;
  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
  const code = (await page.getByTestId("tracking-code").textContent())!.trim();

  await page.goto(`${SANDBOX_URL}/bot/${user}`);
  await page.getByRole("button", { name: "شروع از «دیوار من»" }).click();
  await botSays(page, user, "کد پیگیری ۱۰ نویسه‌ای");
  // A quick reply: Divar asks Ersal's dynamic-action URL and shows the hint it answers.
  await page.getByRole("button", { name: "پیگیری ارسال" }).click();
  await expect(page.getByTestId("notice")).toContainText("کد پیگیری ۱۰ نویسه‌ای ارسال را همین‌جا بفرستید");

  // As a user types it: Persian digits, lower case, a space in the middle.
  const typed = code.toLowerCase().replace(/[0-9]/g, (d) => PERSIAN[Number(d)]);
  await write(page, `${typed.slice(0, 5)} ${typed.slice(5)}`);
  await botSays(page, user, "وضعیت: در انتظار تکمیل اطلاعات طرف مقابل");
  const status = page.getByTestId("bot-line").filter({ hasText: "وضعیت:" });
  await expect(status).toContainText(code);
  await expect(status).toContainText("از تهران به اصفهان");

  const question = `بستهٔ ${testInfo.project.name} کی می‌رسد؟`;
  await write(page, question);
  await botSays(page, user, "از ساعت ۹ تا ۲۱");

  const operator = `support-${testInfo.project.name}`;
  createOperator(operator);
  // The console as the project runs it: with JavaScript, or without.
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled ?? true;
  const staff = await (await browser.newContext({ javaScriptEnabled })).newPage();
  await staff.goto("/console/login");
  await staff.getByLabel("نام کاربری").fill(operator);
  await staff.getByLabel("گذرواژه").fill(OPERATOR_PASSWORD);
  await staff.getByRole("button", { name: "ورود" }).click();
  await staff.getByRole("link", { name: "پشتیبانی" }).click();
  const row = staff.getByTestId("support-threads").locator("li", { has: staff.locator(`a[href="/console/support/${conversation(user)}"]`) });
  await expect(row).toContainText("در انتظار پاسخ ما");
  // The row tells the conversation apart: its newest message, who wrote it, and its age.
  await expect(row).toContainText(`کاربر: ${question}`);
  const axe = ["mobile", "desktop"].includes(testInfo.project.name);
  if (axe) await audit(staff, "console-inbox");
  await expect(row).toContainText(/همین حالا|دقیقه پیش/);
  // Waiting conversations come first.
  await expect(staff.getByTestId("support-threads").locator("li").first()).toContainText("در انتظار پاسخ ما");
  await row.getByRole("link").first().click();
  await expect(staff.getByTestId("thread")).toContainText(question);
  // A canned answer fills the box, and is edited before it is sent.
  await staff.getByRole("link", { name: /پیامتان را دیدیم/ }).click();
  await expect(staff.getByLabel("متن پاسخ")).toHaveValue(/پیامتان را دیدیم/);
  if (axe) await audit(staff, "console-thread");
  const answer = `فردا می‌رسد (${testInfo.project.name}).`;
  await staff.getByLabel("متن پاسخ").fill(`سلام، ${answer}`);
  await staff.getByRole("button", { name: "فرستادن پاسخ" }).click();
  await expect(staff.getByTestId("console-message")).toHaveText("پاسخ در صف ارسال به گفتگوی بات است.");
  await expect(staff.getByTestId("thread-state")).toHaveText("پاسخ داده شد");
  await expect(staff.getByTestId("thread")).toContainText(`پشتیبانی (${operator})`);

  await staff.getByRole("button", { name: "بستن گفتگو" }).click();
  await expect(staff).toHaveURL(/\/console\/support$/);
  await expect(row).toContainText("بسته");

  await botSays(page, user, answer);
  const lines = await (await request.get(`${SANDBOX_URL}/control/bot?conversation=${conversation(user)}`)).json();
  const sent = lines.lines.filter((l: { from_user: boolean; text: string }) => !l.from_user && l.text === `سلام، ${answer}`);
  expect(sent).toHaveLength(1);
});
