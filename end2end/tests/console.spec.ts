import { expect, test } from "@playwright/test";
import { audit, bookThroughChat, chat, createOperator, initSession, login, messagesArrive } from "./helpers";

// The operator console, end to end: an operator created from the command line logs in, finds
// the shipment a sandbox journey booked, and moves it through the lifecycle to Delivered; the
// chat shows each milestone once, with a tracking button for both sides.

test("an operator moves a booked shipment to Delivered; each milestone reaches the chat once", async ({
  page,
  request,
  browser,
}, testInfo) => {
  const axe = ["mobile", "desktop"].includes(testInfo.project.name);
  const code = await bookThroughChat(page, request);
  createOperator("e2e-operator");

  const staff = await (await browser.newContext()).newPage();
  await login(staff, "e2e-operator");
  await expect(staff).toHaveURL(/\/console$/);
  // On a phone the filters are folded behind one control.
  await staff.getByText("جست‌وجو و فیلتر").click();
  await staff.getByLabel("کد پیگیری").fill(code.slice(0, 6));
  await staff.getByRole("button", { name: "جست‌وجو" }).click();
  await expect(staff.getByRole("row", { name: new RegExp(code) })).toContainText("از تهران به اصفهان");
  // The search is a filter: it can be cleared; a booked shipment waits on the company.
  await expect(staff.getByTestId("clear-filters")).toBeVisible();
  await expect(staff.getByRole("row", { name: new RegExp(code) }).getByTestId("needs-action")).toBeVisible();
  await staff.getByRole("link", { name: code }).click();
  await expect(staff.getByTestId("console-status")).toHaveText("ثبت شد");
  await expect(staff.locator("body")).toContainText("مریم رضایی");
  await expect(staff.getByTestId("audit")).toContainText("مشاهدهٔ اطلاعات شخصی");
  if (axe) await audit(staff, "console-shipment");

  // A forbidden change is refused: Delivered straight from Booked is not offered, and posting it
  // anyway changes nothing.
  await expect(staff.getByRole("button", { name: "ثبت تحویل به گیرنده" })).toHaveCount(0);

  // Cancelling is set apart and needs a reason: without one, nothing changes.
  await expect(staff.getByRole("button", { name: "لغو مرسوله" })).toBeHidden();
  await staff.getByText("موارد استثنا و لغو").click();
  await expect(staff.getByLabel("دلیل (لازم)")).toHaveAttribute("required", "");

  // The pickup form starts with the window the sender chose; the slot shows once scheduled.
  await expect(staff.getByLabel("بازهٔ جمع‌آوری")).toHaveValue("afternoon");
  for (const [button, status] of [
    ["زمان‌بندی جمع‌آوری", "در انتظار جمع‌آوری"],
    ["ثبت جمع‌آوری از فرستنده", "تحویل پیک شد"],
    ["ثبت حرکت به مقصد", "در مسیر"],
    ["سپردن به پیک توزیع", "در حال توزیع"],
    ["ثبت تحویل به گیرنده", "تحویل شد"],
  ]) {
    await staff.getByRole("button", { name: button, exact: true }).click();
    await expect(staff.getByTestId("console-status")).toHaveText(status);
    if (status === "در انتظار جمع‌آوری") {
      await expect(staff.getByTestId("console-pickup")).toContainText("۱۵ تا ۱۸");
    }
  }
  await expect(staff.getByTestId("audit")).toContainText("از «در حال توزیع» به «تحویل شد»");

  // The day at a glance: a figure leads to the list it counts.
  await staff.goto("/console");
  await expect(staff.getByTestId("dashboard")).toContainText("امروز در یک نگاه");
  if (axe) await audit(staff, "console-list");
  await expect(staff.getByTestId("day-delivered")).toContainText(/^امروز [۱-۹]/);
  await staff.getByTestId("day-delivered").getByRole("link").click();
  await expect(staff).toHaveURL(/status=delivered/);
  await expect(staff.getByRole("row", { name: new RegExp(code) })).toBeVisible();

  // 2 messages before, then one per milestone: scheduled, picked up, in transit, out, delivered.
  await messagesArrive(page, "buyer", 7);
  const texts = await page.getByTestId("message").allTextContents();
  for (const label of ["در انتظار جمع‌آوری", "در مسیر", "در حال توزیع"]) {
    expect(texts.filter((t) => t.includes(`: ${label}.`))).toHaveLength(1);
  }
  // Moved by staff without the holders' codes: the chat is told so.
  expect(texts.filter((t) => t.includes(": تحویل پیک شد؛ بدون کد فرستنده ثبت شد."))).toHaveLength(1);
  expect(texts.filter((t) => t.includes(": تحویل شد؛ بدون کد گیرنده ثبت شد."))).toHaveLength(1);
  // The buyer sent the first message (their "track" button) and every later one.
  await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toHaveCount(7);
  await page.goto(chat("seller"));
  await expect(page.getByRole("button", { name: "پیگیری ارسال" })).toHaveCount(6);
});

test("the console refuses anonymous visitors, Divar users' cookies, and forms without the CSRF token", async ({
  page,
  request,
  browser,
}) => {
  await page.goto("/console");
  await expect(page).toHaveURL(/\/console\/login$/);
  // A Divar user's session is not a console session.
  await page.goto(await initSession(request));
  await page.goto("/console");
  await expect(page).toHaveURL(/\/console\/login$/);

  createOperator("csrf-operator");
  const staff = await (await browser.newContext()).newPage();
  await login(staff, "csrf-operator");
  const action = await staff.locator("form", { has: staff.getByRole("button", { name: "خروج" }) }).getAttribute("action");
  const cookies = await staff.context().cookies();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  // The logout form without its token: refused (back to the login page), still logged in.
  const forged = await request.post(action!, {
    form: { "form[csrf]": "forged" },
    headers: { cookie, accept: "text/html" },
    maxRedirects: 0,
  });
  expect([302, 303]).toContain(forged.status());
  await staff.goto("/console");
  await expect(staff).toHaveURL(/\/console$/);
  // The same form with the session's token does log out: the refusal above was the token's.
  await staff.getByRole("button", { name: "خروج" }).click();
  await expect(staff).toHaveURL(/\/console\/login$/);
  await staff.goto("/console");
  await expect(staff).toHaveURL(/\/console\/login$/);
});

test("wrong passwords lock the account", async ({ page }) => {
  createOperator("lock-operator");
  for (let i = 0; i < 5; i++) {
    await login(page, "lock-operator", "not-the-password");
    await expect(page.getByRole("alert")).toContainText("درست نیست");
    // The name stays typed; only the password is asked again.
    await expect(page.getByLabel("نام کاربری")).toHaveValue("lock-operator");
    await expect(page.getByLabel("گذرواژه")).toHaveValue("");
  }
  // The right password is now refused too, in the same words as a wrong one (so that a
  // locked account cannot be told from a name that does not exist).
  await login(page, "lock-operator");
  await expect(page).toHaveURL(/\/console\/login\?e=refused$/);
  await expect(page.getByRole("alert")).toContainText("قفل");
});
