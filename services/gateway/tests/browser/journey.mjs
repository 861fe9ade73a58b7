// A hub manager's whole journey in Debian's Chromium (headless), driven by playwright-core:
// sign in, open the red contact, read it, rate it, record a decision, see the audit entry,
// share the record without consent, and open the duplicates and enquiry status pages.
// Every page is checked with axe-core (WCAG 2.x A/AA and 2.2 AA rules); screenshots are kept.
// Prints one JSON line: {"steps": [...], "violations": [...]}.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { BASE_URL, ARTIFACTS, TENANT, USERNAME, PASSWORD, CHILD } = process.env;
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox"],
});
const page = await (await browser.newContext()).newPage();
const steps = [];
const violations = [];

async function check(name) {
  await page.screenshot({ path: `${ARTIFACTS}/${String(steps.length + 1).padStart(2, "0")}-${name}.png`, fullPage: true });
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }),
  );
  for (const v of result.violations) {
    violations.push({ page: name, id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help });
  }
  steps.push({ name, url: page.url(), title: await page.title() });
}

try {
  await page.goto(`${BASE_URL}/sign-in`);
  await check("sign-in");
  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await check("sign-in-error");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.goto(`${BASE_URL}/${TENANT}/contacts`);
  await check("work-queue");
  await page.getByRole("link", { name: CHILD }).click();
  await page.getByRole("heading", { level: 1 }).waitFor();
  const contactUrl = page.url();
  await check("contact");
  await page.getByLabel("Red: screen within 4 hours").check();
  await page.getByLabel("Why this rating").fill("Child present at a domestic incident; repeat.");
  await page.getByRole("button", { name: "Rate and send enquiries" }).click();
  await page.getByRole("button", { name: "Record a decision" }).click();
  await page.getByRole("button", { name: "Record the decision" }).click();
  await check("decision-errors");
  await page.getByLabel("Strategy Discussion").check();
  await page.getByLabel("Reason").fill("Reasonable cause to suspect significant harm.");
  await page.getByLabel("Primary need").selectOption("N1");
  await page.getByLabel("Suspected category of abuse").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Record the decision" }).click();
  await page.getByText("Strategy Discussion:").first().waitFor();
  await check("decided");
  await page.getByRole("link", { name: "Who looked at this child" }).click();
  await page.getByText("decide-contact").first().waitFor();
  await check("audit");
  // the consent and sharing panel: share without consent, with reason and lawful basis
  await page.goto(contactUrl);
  await page.getByRole("button", { name: "Record a sharing decision" }).click();
  await page.getByRole("heading", { name: "Record a sharing decision" }).waitFor();
  await check("sharing");
  await page.getByLabel("Agency shared with").selectOption("health");
  await page.getByLabel("Public task (UK GDPR Art 6(1)(e))").check();
  await page.getByLabel("Why without consent").fill("Significant harm suspected; the GP must know today.");
  await page.getByRole("button", { name: "Record sharing without consent" }).click();
  await page.getByText("shared with health").first().waitFor();
  await check("shared");
  await page.goto(`${BASE_URL}/${TENANT}/duplicates`);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await check("duplicates");
  await page.goto(`${BASE_URL}/${TENANT}/enquiries`);
  await page.getByRole("heading", { level: 1 }).waitFor();
  await check("enquiries");
} catch (error) {
  await page.screenshot({ path: `${ARTIFACTS}/failure.png`, fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ steps, violations, error: String(error), url: page.url() }));
  await browser.close();
  process.exit(1);
}
console.log(JSON.stringify({ steps, violations }));
await browser.close();
