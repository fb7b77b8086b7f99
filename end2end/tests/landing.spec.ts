import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { CONVERSATION, expectPostCard, initSession } from "./helpers";

const RETURN_URL = `https://divar.ir/chat/${CONVERSATION}`;

test("Divar's init call leads to the landing page, and back to Divar", async ({ page, request }) => {
  const url = await initSession(request, { user_side: "Demand", user_id: null, return_url: RETURN_URL });
  // A self-contained id: the context sealed into it (longer than a random token).
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/l\/[A-Za-z0-9_-]{44,1024}$/);

  // Divar itself is out of reach here: answer its chat page locally.
  await page.route("https://divar.ir/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<html><body><h1>divar chat</h1></body></html>" }),
  );
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));

  await page.goto(url);
  await expect(page).toHaveURL(/\/request$/, { timeout: 10_000 });
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { name: "درخواست ارسال کالا" })).toBeVisible();
  await expect(page.getByTestId("side")).toHaveText("خریدار (گیرندهٔ کالا)");
  await expectPostCard(page);
  // The WASM loaded and hydrated the server-rendered page.
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  expect(errors).toEqual([]);

  // The one-time id is spent: opening it again in a fresh browser context is refused.
  const again = await request.get(url, { maxRedirects: 0 });
  expect(again.status()).toBe(410);

  await page.getByRole("link", { name: "بازگشت به دیوار" }).click();
  await expect(page).toHaveURL(RETURN_URL);
  await expect(page.getByRole("heading", { name: "divar chat" })).toBeVisible();
});

test("without a session the landing page explains and offers the way back", async ({ page }) => {
  await page.goto("/request");
  await expect(page.getByRole("heading", { name: "نشست شما پایان یافته است" })).toBeVisible();
  await expect(page.getByRole("link", { name: "بازگشت به دیوار" })).toHaveAttribute(
    "href",
    `${SANDBOX_URL}/completion`,
  );
});
