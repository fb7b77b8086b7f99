import { expect, test } from "@playwright/test";
import { audit, bookThroughChat, chat, createOperator, login, messagesArrive } from "./helpers";

// The company's system and the console: an operator issues an API token (shown once), the
// company's system moves a booked shipment through the API (retried with the same
// Idempotency-Key: one change, one message in the chat), the move is in the shipment's audit
// trail under the token's name, and a revoked token is refused at once.

/** Tomorrow in Tehran (UTC+03:30), as the API's ISO dates. */
function tomorrowInTehran(): string {
  return new Date(Date.now() + (3.5 + 24) * 3_600_000).toISOString().slice(0, 10);
}

test("an operator issues a token, the company's system moves a shipment once, the token is revoked", async ({ page, request, browser }, testInfo) => {
  // axe runs in the page: only where JavaScript is on.
  const axe = ["mobile", "desktop"].includes(testInfo.project.name);
  const code = await bookThroughChat(page, request);
  const operator = `tokens-${testInfo.project.name}`;
  createOperator(operator);
  const staff = await (await browser.newContext()).newPage();
  await login(staff, operator);

  await staff.getByRole("link", { name: "اتصال‌ها" }).click();
  await expect(staff.getByRole("heading", { name: "اتصال سامانه‌های شرکت (API)" })).toBeVisible();
  if (axe) await audit(staff, "console-tokens");
  const name = `dispatch-${testInfo.project.name}`;
  await staff.getByLabel("نام (لاتین، مثلاً warehouse)").fill(name);
  await staff.getByLabel("تغییر وضعیت مرسوله‌ها").check();
  await staff.getByRole("button", { name: "ساختن توکن" }).click();
  await expect(staff.getByTestId("tokens-message")).toContainText("توکن ساخته شد");
  const token = (await staff.getByTestId("issued-token").locator("code").innerText()).trim();
  expect(token).toMatch(/^ersal_[A-Za-z0-9_-]{43}$/);
  expect(staff.url()).not.toContain(token);
  if (axe) await audit(staff, "console-tokens-issued");
  // Shown once: the page again has no token on it.
  await staff.reload();
  await expect(staff.getByTestId("issued-token")).toHaveCount(0);
  await expect(staff.getByTestId("token-row").filter({ hasText: name })).toContainText("فعال");

  // The company's system: read, then move with a key, twice.
  const auth = { Authorization: `Bearer ${token}` };
  const read = await request.get(`/api/v1/shipments/${code}`, { headers: auth });
  expect(read.status()).toBe(200);
  expect((await read.json()).status).toBe("booked");
  const move = {
    headers: { ...auth, "Idempotency-Key": `schedule-${code}` },
    data: { to: "pickup_scheduled", pickup_date: tomorrowInTehran(), pickup_window: "afternoon" },
  };
  const first = await request.post(`/api/v1/shipments/${code}/moves`, move);
  expect(first.status(), await first.text()).toBe(200);
  const again = await request.post(`/api/v1/shipments/${code}/moves`, move);
  expect(again.status()).toBe(200);
  expect(again.headers()["idempotent-replayed"]).toBe("true");
  expect(await again.json()).toEqual(await first.json());

  // Both sides of the chat are told once.
  for (const side of ["buyer", "seller"] as const) {
    await messagesArrive(page, side, 3);
    await page.waitForTimeout(1_000);
    await page.goto(chat(side));
    const told = await page.getByTestId("message").allTextContents();
    expect(told.filter((t) => t.includes(": در انتظار جمع‌آوری")), side).toHaveLength(1);
  }

  // The console shows the move and who made it.
  await staff.goto(`/console/s/${code}`);
  await expect(staff.getByTestId("console-status")).toHaveText("در انتظار جمع‌آوری");
  await expect(staff.locator("main")).toContainText(`api:${name}`);

  // Revoked in the console: refused from the next call.
  await staff.goto("/console/tokens");
  await staff.getByRole("button", { name: `باطل کردن ${name}` }).click();
  await expect(staff.getByTestId("tokens-message")).toContainText("توکن باطل شد");
  await expect(staff.getByTestId("token-row").filter({ hasText: name })).toContainText("باطل‌شده");
  const refused = await request.get(`/api/v1/shipments/${code}`, { headers: auth });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
});
