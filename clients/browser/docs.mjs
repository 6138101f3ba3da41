// The docs page in a real browser (headless Chromium driven by puppeteer-core):
// the operation list renders with nothing fetched from outside loopback, the
// caller authorises with a token, and "Try it out" on GET /v1/me gets a 200.
// scripts/docs-browser.sh starts the server and passes its address, a token,
// the browser and the number of operations in the contract.
import puppeteer from "puppeteer-core";

const { CSCMS_BASE_URL: base, CSCMS_TOKEN: token, CHROMIUM: executablePath, OPERATIONS } = process.env;
if (!base || !token || !executablePath || !OPERATIONS) {
  throw new Error("set CSCMS_BASE_URL, CSCMS_TOKEN, CHROMIUM and OPERATIONS");
}

// Generous: make test runs this beside the fuzz smoke, on a busy machine.
const WAIT = 60_000;

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  const page = await browser.newPage();
  const outside = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    const local = ["data:", "blob:"].includes(url.protocol) || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (local) return request.continue();
    outside.push(request.url());
    return request.abort();
  });

  await page.goto(`${base}/docs/`, { waitUntil: "networkidle0", timeout: WAIT });
  await page.waitForSelector(".opblock", { timeout: WAIT });
  const rendered = await page.$$eval(".opblock", (blocks) => blocks.length);
  check(rendered === Number(OPERATIONS), `the page lists every operation of the contract (${rendered} of ${OPERATIONS})`);

  // Authorise with the bearer token.
  await page.click(".auth-wrapper .authorize");
  await page.waitForSelector("#auth-bearer-value", { timeout: WAIT });
  await page.type("#auth-bearer-value", token);
  await page.click(".modal-ux button.authorize");
  // Once applied, the modal offers to log out instead.
  await page.waitForSelector(".modal-ux button::-p-text(Logout)", { timeout: WAIT });
  await page.click(".modal-ux .btn-done");
  // A click while the modal is still on the page lands on its backdrop.
  await page.waitForSelector(".modal-ux", { hidden: true, timeout: WAIT });

  // Open GET /v1/me, try it out, execute.
  const me = '.opblock-get:has(.opblock-summary-path[data-path="/v1/me"])';
  await page.click(`${me} .opblock-summary-control`);
  await page.waitForSelector(`${me} .try-out__btn`, { timeout: WAIT });
  await page.click(`${me} .try-out__btn`);
  await page.waitForSelector(`${me} .execute`, { timeout: WAIT });
  const answered = page.waitForResponse((r) => r.url() === `${base}/v1/me` && r.request().method() === "GET", { timeout: 30_000 });
  await page.click(`${me} .execute`);
  const response = await answered;
  check(response.status() === 200, `"Try it out" on GET /v1/me answers ${response.status()}`);
  check(response.request().headers()["authorization"] === `Bearer ${token}`, "the request carried the token authorised on the page");
  await page.waitForSelector(`${me} .live-responses-table tr.response .response-col_status`, { timeout: WAIT });
  const shown = await page.$eval(`${me} .live-responses-table tr.response .response-col_status`, (cell) => cell.textContent.trim());
  check(shown === "200", `the page shows the status (${shown})`);

  check(outside.length === 0, `no request left loopback${outside.length ? `: ${outside.join(", ")}` : ""}`);
} finally {
  await browser.close();
}
