import { expect, test } from "@playwright/test";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { audit, bookThroughChat, createOperator, login } from "./helpers";

// The printed label: Chromium's own print of the label page is one A6 page whose text holds the
// tracking code, and whose QR code an independent decoder
// (zbarimg, on poppler's rendering of the PDF) reads back as the tracking code. The day's sheet
// lists the pickup in its manifest and prints its label.

const out = path.join(__dirname, "../../target/e2e/label");

test("a label prints as an A6 PDF whose QR code reads back", async ({ page, request, browser }, testInfo) => {
  test.skip(testInfo.project.name !== "mobile", "Chromium prints the same in every project");
  const code = await bookThroughChat(page, request);
  createOperator("label-operator");
  const staff = await (await browser.newContext()).newPage();
  await login(staff, "label-operator");
  await staff.goto(`/console/s/${code}`);
  const day = await staff.getByLabel("روز جمع‌آوری").inputValue();
  await staff.getByRole("button", { name: "زمان‌بندی جمع‌آوری", exact: true }).click();
  await expect(staff.getByTestId("console-status")).toHaveText("در انتظار جمع‌آوری");

  await staff.getByRole("link", { name: "چاپ برچسب (A6)" }).click();
  await expect(staff.getByTestId("label")).toContainText(code);
  await audit(staff, "label");
  fs.mkdirSync(out, { recursive: true });
  await staff.emulateMedia({ media: "print" });
  await staff.screenshot({ path: path.join(out, "label-print.png"), fullPage: true });
  const pdf = path.join(out, "label.pdf");
  await staff.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });

  const info = execFileSync("pdfinfo", [pdf]).toString();
  expect(info).toMatch(/Pages:\s+1\n/);
  // A6 is 105 x 148 mm: 297.6 x 419.5 pt (Chromium rounds to whole device pixels: 298.08 x 420).
  expect(info).toMatch(/Page size:\s+29[78](\.[0-9]+)? x 4(19|20)(\.[0-9]+)? pts/);
  const text = execFileSync("pdftotext", ["-layout", pdf, "-"]).toString();
  expect(text).toContain(code);
  execFileSync("pdftoppm", ["-r", "200", "-png", "-singlefile", pdf, path.join(out, "label")]);
  const read = execFileSync("zbarimg", ["-q", "--raw", path.join(out, "label.png")]).toString().trim();
  expect(read).toBe(code);

  // The day's sheet: the manifest lists it, and its label is there.
  await staff.emulateMedia({ media: "screen" });
  await staff.goto(`/console/labels?day=${day}`);
  await expect(staff.getByTestId("manifest")).toContainText(code);
  await expect(staff.getByTestId("label").filter({ hasText: code })).toHaveCount(1);
  await audit(staff, "labels");
  await staff.emulateMedia({ media: "print" });
  const sheet = path.join(out, "sheet.pdf");
  await staff.pdf({ path: sheet, preferCSSPageSize: true, printBackground: true });
  expect(execFileSync("pdftotext", [sheet, "-"]).toString()).toContain(code);
  // The manifest, then the labels: A4 pages (210 x 297 mm: 595.3 x 841.9 pt; Chromium: 594.96 x 841.92).
  const sheetInfo = execFileSync("pdfinfo", ["-f", "1", "-l", "2", sheet]).toString();
  expect(sheetInfo).toMatch(/Page\s+1 size:\s+59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts/);
  expect(sheetInfo).toMatch(/Page\s+2 size:\s+59[45](\.[0-9]+)? x 84[12](\.[0-9]+)? pts/);
});
