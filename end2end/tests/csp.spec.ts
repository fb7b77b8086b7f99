import { Page, TestInfo } from "@playwright/test";
import { BASE_URL, SANDBOX_URL } from "../playwright.config";
import { expect, test } from "./fixtures";
import {
  CONVERSATION,
  completeBuyerFlow,
  createOperator,
  fillBuyerSteps,
  initSession,
  OPERATOR_PASSWORD as PASSWORD,
  submitShortMobile,
} from "./helpers";

// Every page of Ersal under its Content-Security-Policy (a fresh nonce per response for Leptos'
// scripts, 'wasm-unsafe-eval', forms only to Ersal and Divar): the browser reports no violation
// anywhere, in the three projects (JavaScript on, off, and without WebAssembly).
//
// Violations are read from the browser's console: Chromium writes each one there itself
// ("… violates the following Content Security Policy directive …"), with or without JavaScript;
// where scripts run, a `securitypolicyviolation` listener reports them there too. The first test
// proves the watch sees a violation in each project.


/** Starts collecting the CSP violations `page` reports. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      violations.push(`${page.url()}: ${message.text()}`);
    }
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation (event): ${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  return violations;
}

/** A page with islands loaded its WASM and hydrated them (in the project where WebAssembly
 *  runs). */
async function expectHydrated(page: Page, testInfo: TestInfo) {
  if (testInfo.project.name === "mobile") {
    await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  }
}

/** A page without islands loads no WASM: no module script, no preload of it. */
async function expectNoWasm(page: Page) {
  await expect(page.locator('script[type="module"], link[rel="modulepreload"]')).toHaveCount(0);
  await expect(page.locator('link[href$=".wasm"]')).toHaveCount(0);
  expect(await page.locator("html").getAttribute("data-hydrated")).toBeNull();
}

test("the watch sees a violation when there is one", async ({ page, request }) => {
  const violations = await watchViolations(page);
  // A page under Ersal's own policy, with an inline style that carries no nonce.
  const csp = (await request.get("/")).headers()["content-security-policy"];
  expect(csp).toContain("'nonce-");
  await page.route(`${BASE_URL}/csp-canary`, (route) =>
    route.fulfill({
      contentType: "text/html; charset=utf-8",
      headers: { "content-security-policy": csp },
      body: "<!DOCTYPE html><html><head><style>body { color: red; }</style></head><body><p>canary</p></body></html>",
    }),
  );
  await page.goto("/csp-canary");
  await expect(page.getByText("canary")).toBeVisible();
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  expect(violations.join("\n")).toContain("style-src");
});

test("home, privacy and the error pages", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "ارسال کالا", exact: true }).first()).toBeVisible();
  await expectNoWasm(page);
  await page.getByRole("link", { name: "حریم خصوصی" }).first().click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expectNoWasm(page);

  // The app's 404, a landing page without a session, and a plain handler's dead end (whose
  // inline style is allowed by its hash).
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "صفحه پیدا نشد" })).toBeVisible();
  await page.goto("/request");
  await expect(page.getByRole("heading", { name: "نشست شما پایان یافته است" })).toBeVisible();
  await page.goto("/l/unknown");
  await expect(page.getByRole("link", { name: "بازگشت به دیوار" })).toBeVisible();
  await page.waitForLoadState("load");
  expect(violations).toEqual([]);
});

test("the flow's steps, a field error, tracking, and cancelling back to Divar", async ({
  page,
  request,
}, testInfo) => {
  const violations = await watchViolations(page);
  // A field error first (as flow.spec.ts provokes it), then the whole flow.
  await page.goto(await initSession(request, { conversation_id: null }));
  await expectHydrated(page, testInfo);
  await submitShortMobile(page);
  await expect(page.getByText("شمارهٔ همراه را به شکل ۰۹۱۲۳۴۵۶۷۸۹ بنویسید.")).toBeVisible();

  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
  await expectNoWasm(page);
  // Cancelling posts a form whose answer redirects to Divar's completion page: `form-action`
  // applies to that redirect too.
  await page.getByRole("button", { name: "لغو درخواست" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  expect(violations).toEqual([]);
});

test("the chat flow: Divar's consent screen, a refusal, and saving without a message", async ({
  page,
  request,
}, testInfo) => {
  await request.post(`${SANDBOX_URL}/control/reset`);
  const violations = await watchViolations(page);
  await page.goto(`${SANDBOX_URL}/chat/${CONVERSATION}?as=buyer`);
  await page.getByRole("button", { name: "ارسال کالا" }).click();
  await expectHydrated(page, testInfo);
  await fillBuyerSteps(page);
  // The quote's form is answered with a redirect to Divar's consent screen (another origin).
  await page.getByRole("button", { name: "ثبت درخواست" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:3100\/oauth2\/auth/);
  await page.getByRole("button", { name: "رد" }).click();
  // Ersal's dead end for a refusal, then its form to Divar's completion page.
  await expect(page.getByRole("heading", { name: "اجازه داده نشد" })).toBeVisible();
  await page.getByRole("button", { name: "ثبت درخواست بدون پیام در گفتگو" }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  expect(violations).toEqual([]);
});

test("the console: login, the list, a search and a shipment", async ({ page, request, browser }, testInfo) => {
  await completeBuyerFlow(page, await initSession(request, { conversation_id: null }));
  const code = page.url().split("/").pop()!;
  const username = `csp-${testInfo.project.name}`;
  createOperator(username);

  const staff = await (await browser.newContext()).newPage();
  const violations = await watchViolations(staff);
  await staff.goto("/console/login");
  await staff.getByLabel("نام کاربری").fill(username);
  await staff.getByLabel("گذرواژه").fill(PASSWORD);
  await staff.getByRole("button", { name: "ورود" }).click();
  await expect(staff).toHaveURL(/\/console$/);
  // On a phone the filters are folded behind one control.
  await staff.getByText("جست‌وجو و فیلتر").click();
  await staff.getByLabel("کد پیگیری").fill(code.slice(0, 6));
  await staff.getByRole("button", { name: "جست‌وجو" }).click();
  await staff.getByRole("link", { name: code }).click();
  await expect(staff.getByTestId("console-status")).toBeVisible();
  await staff.goto("/console/s/AAAAAAAAAA");
  await staff.waitForLoadState("load");
  expect(violations).toEqual([]);
});
