import { expect, Page } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { test } from "./fixtures";
import { audit } from "./helpers";

// The seller's shipping assistant: the seller turns it on from the post's management page
// (MY_POST); three buyers ask in their chats; the two shipping questions get one answer each,
// with the price the booking then shows, and a button that books (one buyer books through it);
// "is it still available?" gets none; the seller turns it off and a fourth question gets none.
// Each project has chats of its own (an answered chat is never answered again) and ends with
// the assistant off.

const POST = "QpR7x2Lm";
const CHATS: Record<string, [string, string, string]> = {
  mobile: [
    "5b2e9d41-7c3a-4f18-9e6d-0a8c3f5b7d22",
    "e91f4c7a-2d58-4b3e-a6f0-7c1d9e2b5a84",
    "3f7a1c9e-5b2d-4e86-8a40-d6c2e9f1b735",
  ],
  "mobile-no-js": [
    "a84d2f6b-1e9c-4b57-93f0-2c7e5a1d8b46",
    "6c1b8e3d-9f4a-4d20-b7e5-8a3f0c6d2e19",
    "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10",
  ],
};

const chat = (conversation: string, side: "buyer" | "seller") =>
  `${SANDBOX_URL}/chat/${conversation}?as=${side}`;

/** A buyer writes in a chat from the sandbox's chat page. */
async function write(page: Page, conversation: string, text: string) {
  await page.goto(chat(conversation, "buyer"));
  await page.getByLabel("پیام شما").fill(text);
  await page.getByRole("button", { name: "فرستادن" }).click();
  await expect(page.getByTestId("person-message").last()).toContainText(text);
}

/** Reloads a chat until Ersal's answers there number `count` (after the seller's wait). */
async function answers(page: Page, conversation: string, count: number) {
  await expect(async () => {
    await page.goto(chat(conversation, "buyer"));
    await expect(page.getByTestId("message")).toHaveCount(count, { timeout: 500 });
  }).toPass({ timeout: 25_000 });
}

test("the assistant answers shipping questions once, with a price and a button that books", async ({
  page,
  browser,
}, testInfo) => {
  // Three chats answered (each answer a round of the outbox), then a whole booking: on two
  // busy cores this runs close to the default 30 s.
  test.slow();
  const [toMashhad, anywhere, stillThere] = CHATS[testInfo.project.name];
  // The buyers, in a browser of their own (the seller's keeps the seller's session).
  const javaScriptEnabled = testInfo.project.use.javaScriptEnabled ?? true;
  const buyer = await (await browser.newContext({ javaScriptEnabled })).newPage();
  const before = async (conversation: string) => {
    await buyer.goto(chat(conversation, "buyer"));
    return buyer.getByTestId("message").count();
  };
  const already = [await before(toMashhad), await before(anywhere), await before(stillThere)];

  // The seller turns it on from the post's page.
  await page.goto(`${SANDBOX_URL}/post/${POST}/manage`);
  await page.getByRole("link", { name: "ارسال", exact: true }).click();
  await page.getByRole("link", { name: /ارسال را روی آگهی به خریداران نشان دهید/ }).click();
  await expect(page).toHaveURL(/\/offer$/);
  const card = page.getByTestId("assistant");
  await expect(card.getByTestId("assistant-state")).toHaveText("خاموش است.");
  if (testInfo.project.name === "mobile") await audit(page, "offer-assistant");
  await page.getByRole("button", { name: "روشن کردن پاسخ خودکار" }).click();
  await expect(page.getByTestId("scopes")).toContainText(`خواندن پیام‌های گفتگوهای آگهی ${POST}`);
  await expect(page.getByTestId("scopes")).toContainText(`فرستادن پیام از طرف شما در گفتگوهای آگهی ${POST}`);
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(/\/offer$/);
  await expect(card.getByTestId("assistant-state")).toContainText("روشن است تا");

  // Three buyers ask.
  await write(buyer, toMashhad, "سلام، به مشهد می‌فرستید؟");
  await write(buyer, anywhere, "ارسال دارید؟");
  await write(buyer, stillThere, "هنوز موجوده؟");
  await answers(buyer, toMashhad, already[0] + 1);
  const answer = buyer.getByTestId("message").last();
  await expect(answer).toContainText("از تهران به مشهد");
  const economy = (await answer.innerText()).match(/اقتصادی: ([۰-۹٬]+ تومان)/)?.[1];
  expect(economy).toBeTruthy();
  await answers(buyer, anywhere, already[1] + 1);
  await expect(buyer.getByTestId("message").last()).toContainText("همهٔ شهرها");
  // Given the same time as the others (and more), «هنوز موجوده؟» gets nothing.
  await buyer.waitForTimeout(3_000);
  await answers(buyer, stillThere, already[2]);

  // The first buyer books through the button: Mashhad is already where it goes, and the quote
  // is the price the chat was told.
  await buyer.goto(chat(toMashhad, "buyer"));
  await buyer.getByTestId("message").last().getByRole("button", { name: "ثبت درخواست ارسال" }).click();
  await expect(buyer).toHaveURL(/\/request/);
  // A small parcel of the class's weight, worth too little to insure: what the chat priced.
  await buyer.getByLabel("کوچک (تا ۲ کیلوگرم)").check();
  await buyer.getByLabel("ارزش کالا (تومان)").fill("۵۰۰٬۰۰۰");
  await buyer.getByRole("button", { name: "ادامه" }).click();
  await expect(buyer.getByLabel("شهر", { exact: true })).toHaveValue("mashhad");
  await buyer.getByLabel("نام و نام خانوادگی").fill("مهدی کاظمی");
  await buyer.getByLabel("شمارهٔ همراه").fill("۰۹۳۶ ۱۲۳ ۴۵۶۷");
  await buyer.getByLabel("نشانی", { exact: true }).fill("بلوار وکیل‌آباد، کوچهٔ ۱۲");
  await buyer.getByLabel("پلاک", { exact: true }).fill("۸");
  await buyer.getByLabel("تحویل درِ خانه").check();
  await buyer.getByRole("button", { name: "ادامه" }).click();
  await expect(buyer.getByTestId("total-economy")).toHaveText(economy!);
  await buyer.getByLabel("گیرنده (پس‌کرایه)").check();
  await buyer.getByRole("checkbox", { name: /می‌پذیرم/ }).check();
  await buyer.getByRole("button", { name: "ثبت درخواست" }).click();
  await buyer.getByRole("button", { name: "تأیید" }).click();
  await expect(buyer).toHaveURL(`${SANDBOX_URL}/completion`);
  await answers(buyer, toMashhad, already[0] + 2);

  // The seller's page lists the answers, then the seller turns it off.
  await page.goto("/offer");
  await expect(page.getByTestId("assistant-answers")).toContainText("مشهد");
  await expect(page.getByTestId("assistant-answers")).not.toContainText("موجوده");
  await page.getByRole("button", { name: "خاموش کردن پاسخ خودکار" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await expect(page).toHaveURL(/\/offer$/);
  await expect(page.getByTestId("assistant").getByTestId("assistant-state")).toHaveText("خاموش است.");

  // A fourth question, now that it is off: no answer.
  await write(buyer, stillThere, "به شیراز ارسال دارید؟");
  await buyer.waitForTimeout(4_000);
  await answers(buyer, stillThere, already[2]);
});
