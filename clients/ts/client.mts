// A small typed client of the contract, as an integrator would write it with
// openapi-typescript + openapi-fetch: no casts, compiled with `tsc --strict`.
// scripts/client-ts.sh generates `schema.d.ts` from openapi/openapi.json,
// compiles this file and runs it against a live server on loopback; every
// check that fails exits non-zero.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type ProblemCode = components["schemas"]["Problem"]["code"];

const base = process.env.CSCMS_BASE_URL;
const doptToken = process.env.CSCMS_DOPT_TOKEN;
const employeeToken = process.env.CSCMS_EMPLOYEE_TOKEN;
const employeeCode = process.env.CSCMS_EMPLOYEE_CODE;
if (!base || !doptToken || !employeeToken || !employeeCode) {
  throw new Error("set CSCMS_BASE_URL, CSCMS_DOPT_TOKEN, CSCMS_EMPLOYEE_TOKEN and CSCMS_EMPLOYEE_CODE");
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

// Narrowing on the problem `code`: the compiler knows every code the server
// can send, so a typo here is a compile error.
function explain(code: ProblemCode): string {
  switch (code) {
    case "not_found":
      return "no such record, or outside the caller's scope";
    case "stale_version":
      return "read it again";
    default:
      return code;
  }
}

const dopt = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${doptToken}` } });
const employee = createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${employeeToken}` } });

// List employees, then read the first one.
const page = await dopt.GET("/v1/employees", { params: { query: { limit: 3 } } });
check(page.response.status === 200 && page.data !== undefined, "GET /v1/employees is 200");
check(page.data.items.length === 3, `the page holds 3 employees (${page.data.items.length})`);
const first = page.data.items[0];
check(first !== undefined, "the page has a first employee");
const one = await dopt.GET("/v1/employees/{code}", { params: { path: { code: first.code } } });
check(one.data?.code === first.code, `GET /v1/employees/${first.code} names the same employee`);

// Read the profile, then change it with a merge patch naming the version read.
const path = { code: employeeCode };
const read = await employee.GET("/v1/employees/{code}/profile", { params: { path } });
const etag = read.response.headers.get("ETag");
check(read.data !== undefined && etag !== null, "the profile reads with an ETag");
const mobile = `98${String(Date.now()).slice(-8)}`;
const patched = await employee.PATCH("/v1/employees/{code}/profile", {
  params: { path, header: { "If-Match": etag } },
  headers: { "Content-Type": "application/merge-patch+json" },
  body: { contact: { mobile } },
});
check(patched.response.status === 200, `PATCH with If-Match is 200 (${patched.response.status})`);
check(patched.data?.document.contact?.mobile === mobile, "the patch is in the returned document");
check(patched.data.version === read.data.version + 1, "the version moved on by one");

// The same If-Match again is stale: a problem the client narrows by code.
const stale = await employee.PATCH("/v1/employees/{code}/profile", {
  params: { path, header: { "If-Match": etag } },
  headers: { "Content-Type": "application/merge-patch+json" },
  body: { contact: { mobile } },
});
check(stale.response.status === 412, `the stale If-Match is 412 (${stale.response.status})`);
check(stale.error?.code === "stale_version", `the problem code is stale_version (${explain(stale.error?.code ?? "internal_error")})`);

// One rules call: MACPS clarification 3, illustration (A) — the 3rd upgrade
// falls due on 01.10.2012 (MACP-3).
const macp = await dopt.POST("/v1/rules/macp/evaluate", {
  body: {
    as_of: "2013-01-01",
    joined_entry_grade_on: "1982-10-01",
    entry: { scale: "4000-6000" },
    events: [
      { kind: "acp", on: "1999-08-09", to: { scale: "4500-7000" } },
      { kind: "acp", on: "2006-10-01", to: { scale: "5000-8000" } },
    ],
  },
});
check(macp.data !== undefined, "POST /v1/rules/macp/evaluate is 200");
const third = macp.data.upgrades.find((u) => u.number === 3);
check(third?.due_on === "2012-10-01", `the 3rd upgrade falls due on 2012-10-01 (${third?.due_on})`);
check(macp.data.reasons.some((r) => r.rule === "MACP-3"), "the decision cites MACP-3");

// A problem response narrowed by its code.
const missing = await dopt.GET("/v1/employees/{code}", { params: { path: { code: "CSS-999999" } } });
check(missing.response.status === 404, "an unknown employee is 404");
check(missing.error?.code === "not_found", `its problem code is not_found (${explain(missing.error?.code ?? "internal_error")})`);
