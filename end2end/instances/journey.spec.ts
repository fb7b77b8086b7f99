import { expect, test } from "@playwright/test";
import { SANDBOX_URL } from "../playwright.config";
import { OPERATOR_PASSWORD } from "../tests/helpers";
import {
  answered,
  buyerConsents,
  chatRecord,
  CONFIRM,
  createOperator,
  INSTANCES,
  messagesArrive,
  newestCode,
  sellerReachesConfirmation,
  startFresh,
} from "./support";

// The whole journey against two instances behind nginx, round-robin, no sticky sessions: any
// request may reach either instance, and both outbox workers run. Each chat message reaches
// the chat exactly once.

test.beforeEach(async ({ request }) => startFresh(request));

test("buyer, consent, seller and operator across two instances: each chat message once", async ({
  page,
  request,
  browser,
}) => {
  const before = INSTANCES.map(answered);
  await buyerConsents(page);
  await messagesArrive(page, "seller", 1);
  await sellerReachesConfirmation(page);
  await page.getByRole("button", { name: CONFIRM }).click();
  await expect(page).toHaveURL(`${SANDBOX_URL}/completion`);
  await messagesArrive(page, "buyer", 2);
  const code = await newestCode(request);

  createOperator("instances-operator");
  const staff = await (await browser.newContext()).newPage();
  await staff.goto("/console/login");
  await staff.getByLabel("نام کاربری").fill("instances-operator");
  await staff.getByLabel("گذرواژه").fill(OPERATOR_PASSWORD);
  await staff.getByRole("button", { name: "ورود" }).click();
  await expect(staff).toHaveURL(/\/console$/);
  await staff.getByText("جست‌وجو و فیلتر").click();
  await staff.getByLabel("کد پیگیری").fill(code);
  await staff.getByRole("button", { name: "جست‌وجو" }).click();
  await staff.getByRole("link", { name: code }).click();
  for (const [action, status] of [
    ["زمان‌بندی جمع‌آوری", "در انتظار جمع‌آوری"],
    ["ثبت جمع‌آوری از فرستنده", "تحویل پیک شد"],
    ["ثبت حرکت به مقصد", "در مسیر"],
    ["سپردن به پیک توزیع", "در حال توزیع"],
    ["ثبت تحویل به گیرنده", "تحویل شد"],
  ]) {
    await staff.getByRole("button", { name: action, exact: true }).click();
    await expect(staff.getByTestId("console-status")).toHaveText(status);
  }

  // Created, booked, then one message per milestone: seven, each once, each sent once.
  await messagesArrive(page, "buyer", 7);
  const { texts, sends } = await chatRecord(request);
  expect(texts).toHaveLength(7);
  expect(new Set(texts).size).toBe(7);
  expect(sends).toEqual(Array(7).fill(200));
  await page.goto(`/t/${code}`);
  await expect(page.getByTestId("status")).toHaveText("تحویل شد");

  // Round-robin really spread the journey over both instances.
  const after = INSTANCES.map(answered);
  for (const [i, name] of INSTANCES.entries()) {
    expect(after[i] - before[i], `instance ${name} answered part of the journey`).toBeGreaterThan(5);
  }
});
