import AxeBuilder from "@axe-core/playwright";
import { APIRequestContext, expect, Page } from "@playwright/test";
import { execFileSync } from "child_process";
import * as path from "path";
import { IDENTIFICATION_KEY, SANDBOX_URL } from "../playwright.config";

/** The password `createOperator` gives every operator it makes. */
export const OPERATOR_PASSWORD = "a-long-console-password";

/** Adds (or resets) a console operator with the release binary's `ersal operator add`, as staff
 *  do, in the journeys' database (or `databaseUrl`'s). The binary is where the build put it
 *  (CARGO_TARGET_DIR, default target). */
export function createOperator(username: string, databaseUrl = "sqlite://target/e2e/ersal.db") {
  execFileSync(`${process.env.CARGO_TARGET_DIR || "target"}/release/ersal`, ["operator", "add", username], {
    cwd: path.join(__dirname, "../.."),
    env: {
      ...process.env,
      ERSAL_MODE: "dev",
      DATABASE_URL: databaseUrl,
      ERSAL_OPERATOR_PASSWORD: OPERATOR_PASSWORD,
    },
  });
}

export const CONVERSATION = "0d5f3c1e-8a47-4b2e-9f61-3c2d7e9a4b10";

/** The session card shows the sandbox's demo post as people read it (its title, city and
 *  price from get-post), and no identifier: not the post's token, not the conversation's. */
export async function expectPostCard(page: Page) {
  await expect(page.getByTestId("post-title")).toHaveText("گوشی سامسونگ A54 در حد نو");
  await expect(page.getByTestId("post-city")).toHaveText("تهران");
  await expect(page.getByTestId("post-price")).toHaveText("۱۸٬۵۰۰٬۰۰۰ تومان");
  const text = await page.locator("main").innerText();
  for (const raw of ["QpR7x2Lm", CONVERSATION, "منوی افزونه‌های گفتگو"]) {
    expect(text).not.toContain(raw);
  }
}

/** Plays Divar's session-init call for the sandbox's first conversation; returns the landing URL. */
export async function initSession(
  request: APIRequestContext,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const response = await request.post("/divar/init", {
    headers: { Authorization: IDENTIFICATION_KEY, API_VERSION: "2" },
    data: {
      source: "CHAT",
      post_token: "QpR7x2Lm",
      conversation_id: CONVERSATION,
      user_side: "Demand",
      extra_data: {},
      ...overrides,
    },
  });
  expect(response.status()).toBe(200);
  return (await response.json()).url;
}

/** The buyer's side of the flow, from the item step to the saved shipment's tracking page
 *  (a session without a conversation: no chat permission is asked). */
export async function completeBuyerFlow(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await fillBuyerSteps(page);
  await page.getByRole("button", { name: "ثبت درخواست" }).click();

  // The saved shipment's tracking page.
  await expect(page).toHaveURL(/\/t\/[2-9A-HJ-NP-Z]{10}$/);
  await expect(page.getByTestId("status")).toHaveText("در انتظار تکمیل اطلاعات طرف مقابل");
  await expect(page.getByTestId("total")).toHaveText("۲۱۱٬۷۵۰ تومان");
  await expect(page.locator(".timeline li")).toHaveCount(2);
  await expect(page.getByRole("link", { name: "بازگشت به دیوار" })).toBeVisible();
}

/** Item, own side (the buyer receives) and the quote step's choices, up to "submit". */
export async function fillBuyerSteps(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/request/);

  // Item: the title was prefilled from Divar's get-post API (the sandbox's demo post).
  await expect(page.getByLabel("شرح کالا")).toHaveValue("گوشی سامسونگ A54 در حد نو");
  await page.getByLabel("کوچک (تا ۲ کیلوگرم)").check();
  await page.getByLabel("وزن دقیق (کیلوگرم)").fill("۰٫۸");
  await page.getByLabel("ارزش کالا (تومان)").fill("۱۸٬۵۰۰٬۰۰۰");
  await page.getByRole("button", { name: "ادامه" }).click();

  // Own side: the buyer receives.
  await expect(page.getByRole("heading", { name: "مشخصات گیرنده (شما)" })).toBeVisible();
  await page.getByLabel("نام و نام خانوادگی").fill("علی محمدی");
  await page.getByLabel("شمارهٔ همراه").fill("۰۹۳۵ ۱۲۳ ۴۵۶۷");
  await page.getByLabel("شهر", { exact: true }).selectOption("isfahan");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان چهارباغ، کوچهٔ گلستان");
  await page.getByLabel("پلاک", { exact: true }).fill("۱۲");
  await page.getByLabel("تحویل درِ خانه").check();
  await page.getByRole("button", { name: "ادامه" }).click();

  // Quote: the seller's city defaults to the post's (Tehran); Tehran → Isfahan, 800 g.
  await expect(page.getByRole("heading", { name: "هزینه و ثبت" })).toBeVisible();
  await expect(page.getByTestId("total-economy")).toHaveText("۲۱۱٬۷۵۰ تومان");
  // Weights read with the Persian decimal separator.
  await expect(page.locator(".breakdown").first()).toContainText(/وزن محاسبه‌شده [۰-۹]+(٫[۰-۹])? کیلوگرم/);
  await page.getByLabel("گیرنده (پس‌کرایه)").check();
  await page.getByRole("checkbox", { name: /می‌پذیرم/ }).check();
}

/** From the item step, a small parcel, then the buyer's side with a mobile number cut short:
 * the party step answers with its field errors. */
export async function submitShortMobile(page: Page) {
  await page.getByLabel("کوچک (تا ۲ کیلوگرم)").check();
  await page.getByLabel("ارزش کالا (تومان)").fill("۵۰۰۰۰۰");
  await page.getByRole("button", { name: "ادامه" }).click();
  await page.getByLabel("نام و نام خانوادگی").fill("علی محمدی");
  await page.getByLabel("شمارهٔ همراه").fill("۰۹۱۲");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان چهارباغ، کوچهٔ گلستان");
  await page.getByRole("button", { name: "ادامه" }).click();
}

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** No WCAG 2.1 A/AA violations on the page as it is, light and dark. */
export async function audit(page: Page, name: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(summary, `${name} (${colorScheme})`).toEqual([]);
  }
}

/** Logs into the console. */
export async function login(page: Page, username: string, password = OPERATOR_PASSWORD) {
  await page.goto("/console/login");
  await page.getByLabel("نام کاربری").fill(username);
  await page.getByLabel("گذرواژه").fill(password);
  await page.getByRole("button", { name: "ورود" }).click();
}

/** A side's view of the sandbox's first chat. */
export const chat = (side: "buyer" | "seller") => `${SANDBOX_URL}/chat/${CONVERSATION}?as=${side}`;

/** Reloads the chat until `count` messages are there. */
export async function messagesArrive(page: Page, side: "buyer" | "seller", count: number) {
  await expect(async () => {
    await page.goto(chat(side));
    await expect(page.getByTestId("message")).toHaveCount(count, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
}

/** Buyer submits from the chat, seller completes: returns the tracking code. */
export async function bookThroughChat(page: Page, request: APIRequestContext): Promise<string> {
  await request.post(`${SANDBOX_URL}/control/reset`);
  await page.goto(chat("buyer"));
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await fillBuyerSteps(page);
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await page.getByRole("button", { name: "تأیید" }).click();
  await messagesArrive(page, "seller", 1);
  await page.getByRole("button", { name: "تکمیل مشخصات" }).click();
  await page.getByLabel("نام و نام خانوادگی").fill("مریم رضایی");
  await page.getByLabel("شمارهٔ همراه").fill("09121234567");
  await page.getByLabel("شهر", { exact: true }).selectOption("tehran");
  await page.getByLabel("نشانی", { exact: true }).fill("خیابان ولیعصر، کوچهٔ نهم");
  await page.getByLabel("پیک از نشانی من بگیرد").check();
  await page.getByLabel("۱۵ تا ۱۸").check();
  await page.getByRole("button", { name: "ادامه" }).click();
  await page.getByRole("button", { name: "تأیید و ثبت ارسال" }).click();
  await messagesArrive(page, "buyer", 2);
  const messages = await (await request.get(`${SANDBOX_URL}/control/messages`)).json();
  return /([2-9A-HJ-NP-Z]{10})\s*$/.exec(messages.messages[1].text)![1];
}
