// Verifies webhooks with the standardwebhooks package, independently of
// dancu's Go code: reads cases from the file named by argv[2] and checks
// that each is accepted or rejected as expected.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const { secret, cases } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const wh = new Webhook(secret);
let failed = 0;
for (const c of cases) {
  let got;
  try {
    wh.verify(c.body, c.headers);
    got = "accepted";
  } catch (e) {
    got = "rejected (" + e.message + ")";
  }
  const ok = got.startsWith(c.expect);
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${c.name}: ${got}`);
}
process.exit(failed ? 1 : 0);
