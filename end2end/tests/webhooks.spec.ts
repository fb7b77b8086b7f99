import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { audit, bookThroughChat, chat, createOperator, login, messagesArrive } from "./helpers";

// The company's systems and the console, both ways: an operator registers a webhook endpoint
// (the sandbox's receiver; its secret shown once) and issues an API token; the company's system
// moves a booked shipment through the API, both chat sides are told once, and the webhook
// announcing the move fails once (500), is retried with the same id, and verifies. The
// endpoint's log in the console shows both tries; deleting the endpoint ends it.

/** Tomorrow in Tehran (UTC+03:30), as the API's ISO dates. */
function tomorrowInTehran(): string {
  return new Date(Date.now() + (3.5 + 24) * 3_600_000).toISOString().slice(0, 10);
}

test("a move through the API reaches the company's webhook, retried after a failure", async ({ page, request, browser }, testInfo) => {
  test.slow();
  // axe runs in the page: only where JavaScript is on.
  const axe = testInfo.project.name !== "mobile-no-js";
  const code = await bookThroughChat(page, request);
  const operator = `webhooks-${testInfo.project.name}`;
  createOperator(operator);
  const staff = await (await browser.newContext()).newPage();
  await login(staff, operator);

  // The endpoint, for moves only.
  await staff.goto("/console/tokens");
  await staff.getByRole("link", { name: "وب‌هوک‌ها" }).click();
  await expect(staff.getByRole("heading", { name: "وب‌هوک‌ها: خبر به سامانهٔ شرکت" })).toBeVisible();
  const receiver = `erp-${testInfo.project.name}`;
  const url = `${SANDBOX_URL}/receiver/${receiver}`;
  await staff.getByLabel("نشانی (https)").fill(url);
  for (const unwanted of ["ثبت درخواست", "ثبت قطعی مرسوله", "لغو مرسوله"]) {
    await staff.getByLabel(unwanted).uncheck();
  }
  await staff.getByRole("button", { name: "ثبت نشانی" }).click();
  await expect(staff.getByTestId("webhooks-message")).toContainText("نشانی ثبت شد");
  const secret = (await staff.getByTestId("webhook-secret").locator("code").innerText()).trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  expect(staff.url()).not.toContain(secret);
  if (axe) await audit(staff, "console-webhooks");
  await staff.reload();
  await expect(staff.getByTestId("webhook-secret")).toHaveCount(0);
  const row = staff.getByTestId("endpoint-row").filter({ hasText: url });
  await expect(row).toContainText("روشن");
  await expect(row).toContainText("تغییر وضعیت مرسوله");

  // The company's receiver knows the secret and fails its first delivery.
  const configured = await request.put(`${SANDBOX_URL}/control/receivers/${receiver}`, {
    data: { secret, mode: "fail", status: 500, count: 1 },
  });
  expect(configured.ok()).toBe(true);

  // A token, then the company's system schedules the pickup.
  await staff.goto("/console/tokens");
  await staff.getByLabel("نام (لاتین، مثلاً warehouse)").fill(`hooks-${testInfo.project.name}`);
  await staff.getByLabel("تغییر وضعیت مرسوله‌ها").check();
  await staff.getByRole("button", { name: "ساختن توکن" }).click();
  const token = (await staff.getByTestId("issued-token").locator("code").innerText()).trim();
  const moved = await request.post(`/api/v1/shipments/${code}/moves`, {
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": `hooks-${code}` },
    data: { to: "pickup_scheduled", pickup_date: tomorrowInTehran(), pickup_window: "afternoon" },
  });
  expect(moved.status(), await moved.text()).toBe(200);
  for (const side of ["buyer", "seller"] as const) {
    await messagesArrive(page, side, 3);
    await page.goto(chat(side));
    const told = await page.getByTestId("message").allTextContents();
    expect(told.filter((t) => t.includes(": در انتظار جمع‌آوری")), side).toHaveLength(1);
  }

  // The webhook: refused once, retried 5 s later with the same id, verified.
  let deliveries: { id: string; body: string; verified: boolean; answered: number | null }[] = [];
  await expect(async () => {
    const answer = await request.get(`${SANDBOX_URL}/control/receivers/${receiver}/deliveries`);
    deliveries = (await answer.json()).deliveries;
    expect(deliveries.map((d) => d.answered)).toEqual([500, 200]);
  }).toPass({ timeout: 30_000 });
  expect(deliveries[1].id).toBe(deliveries[0].id);
  expect(deliveries.every((d) => d.verified)).toBe(true);
  const payload = JSON.parse(deliveries[1].body);
  expect(payload.type).toBe("shipment.status_changed");
  expect(payload.data).toMatchObject({ tracking_code: code, status: "pickup_scheduled" });
  expect(payload.data.parties).toBeUndefined();

  // The endpoint's log: the failed try and the retry that reached it.
  await staff.goto("/console/webhooks");
  await staff.getByRole("link", { name: url }).click();
  await expect(staff.getByTestId("endpoint-state")).toHaveText("روشن");
  const outcomes = staff.getByTestId("attempt-outcome");
  await expect(outcomes).toHaveText(["رسید (۲۰۰)", "پاسخ ناموفق (۵۰۰)"]);
  await expect(staff.getByTestId("attempt-row").first()).toContainText(code);
  await expect(staff.getByTestId("endpoint-failed")).toHaveText("۰");
  if (axe) await audit(staff, "console-webhook");

  await staff.getByRole("button", { name: "حذف نشانی" }).click();
  await expect(staff.getByTestId("webhooks-message")).toContainText("حذف شدند");
  await expect(staff.getByTestId("endpoint-row").filter({ hasText: url })).toHaveCount(0);
});
